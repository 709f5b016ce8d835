"""`manage.py policyd --bind 127.0.0.1:10040`: the Postfix policy service for sending limits."""

import asyncio
import signal

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

    def handle(self, *args, bind, redis_url, php_mail_networks, **options):
        try:
            host, port = parse_bind(bind)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(self.serve(host, port, redis_url, php_mail_networks))
        except OSError as exc:
            raise CommandError(f"cannot listen on {bind}: {exc}") from exc

    async def serve(self, host, port, redis_url, php_mail_networks):
        service = build_service(redis_url=redis_url, php_mail_networks=php_mail_networks)
        server = await start_server(service, host, port)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        self.stdout.write(f"policyd listening on {host}:{port}")
        self.stdout.flush()
        async with server:
            await stop.wait()
        service.limits.close()
        await service.counters.aclose()
        self.stdout.write("policyd stopped")
