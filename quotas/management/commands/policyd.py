"""`manage.py policyd --bind 127.0.0.1:10040 [--workers N]`: the Postfix policy service for
sending limits.

With `--workers N` the command supervises N processes that share the port (SO_REUSEPORT):
the kernel spreads Postfix's connections over them, and all count in the same Redis, whose
scripts keep the count exact however many processes and hosts ask.
"""

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from quotas.policyd import build_service, parse_bind, start_server


def _loop_factory():
    """uvloop's faster event loop (libuv) where installed; asyncio's own loop otherwise."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


class Command(BaseCommand):
    help = "Serves Postfix's policy delegation protocol and enforces the 24-hour sending limits."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:10040", help="HOST:PORT to listen on")
        parser.add_argument(
            "--redis-url", default=None, help="Redis of the counters (default QUOTAS_REDIS_URL)"
        )
        parser.add_argument(
            "--php-mail-network",
            action="append",
            dest="php_mail_networks",
            default=None,
            help="network of the web-hosting servers sending PHP mail() (repeatable)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes sharing the port (SO_REUSEPORT); default 1",
        )
        parser.add_argument(
            "--reuse-port",
            action="store_true",
            help="bind with SO_REUSEPORT so that other processes may share the port",
        )

    def handle(self, *args, bind, redis_url, php_mail_networks, workers, reuse_port, **options):
        try:
            host, port = parse_bind(bind)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        if workers > 1:
            self.supervise(bind, workers, redis_url, php_mail_networks)
            return
        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(self.serve(host, port, redis_url, php_mail_networks, reuse_port))
        except OSError as exc:
            raise CommandError(f"cannot listen on {bind}: {exc}") from exc

    async def serve(self, host, port, redis_url, php_mail_networks, reuse_port):
        service = build_service(redis_url=redis_url, php_mail_networks=php_mail_networks)
        server = await start_server(service, host, port, reuse_port=reuse_port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        self.stdout.write(f"policyd listening on {host}:{port}")
        self.stdout.flush()
        async with server:
            await stop.wait()
        service.sweeper.cancel()
        service.limits.close()
        await service.counters.aclose()
        self.stdout.write("policyd stopped")

    def supervise(self, bind, workers, redis_url, php_mail_networks):
        """Starts `workers` single-process services on one port and keeps them running until
        SIGTERM/SIGINT, which is passed on to each of them."""
        argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "policyd"]
        argv += ["--bind", bind, "--workers", "1", "--reuse-port"]
        if redis_url:
            argv += ["--redis-url", redis_url]
        for network in php_mail_networks or ():
            argv += ["--php-mail-network", network]
        stopping = False

        def stop(signum, _frame):
            nonlocal stopping
            stopping = True
            for child in children:
                if child.poll() is None:
                    child.send_signal(signum)

        children = [subprocess.Popen(argv) for _ in range(workers)]
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write(f"policyd supervising {workers} workers on {bind}")
        self.stdout.flush()
        failures = 0
        while not stopping:
            time.sleep(0.2)
            for i, child in enumerate(children):
                if stopping or child.poll() is None:
                    continue
                failures += 1
                if failures > 10 * workers:
                    stop(signal.SIGTERM, None)
                    raise CommandError("policyd workers keep exiting; giving up")
                self.stderr.write(
                    f"policyd worker {child.pid} exited ({child.returncode}); restarting"
                )
                time.sleep(min(5.0, 0.2 * failures))
                children[i] = subprocess.Popen(argv)
        for child in children:
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("policyd stopped")
