"""Real `manage.py policyd` processes on the test database, for the multi-process tests."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.db import connection

from tests.mailstack.harness import wait_port
from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database as a URL another process can open (PostgreSQL only)."""
    p = connection.settings_dict
    password = f":{p['PASSWORD']}" if p.get("PASSWORD") else ""
    host = p.get("HOST") or "localhost"
    return f"postgres://{p.get('USER') or ''}{password}@{host}:{p.get('PORT') or 5432}/{p['NAME']}"


class Policyd:
    """One `policyd --workers N` (a "host") on a port of its own."""

    def __init__(self, workdir: Path, *, redis_url: str, workers: int = 2, **extra_env: str):
        self.port = free_port()
        self.log_path = workdir / f"policyd-{self.port}.log"
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings.test",
            DATABASE_URL=database_url(),
            REDIS_URL=redis_url,
            **extra_env,
        )
        argv = [sys.executable, "manage.py", "policyd", "--bind", f"127.0.0.1:{self.port}"]
        argv += ["--workers", str(workers), "--redis-url", redis_url]
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        wait_port(self.port, timeout=30)

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def block(**attrs) -> bytes:
    base = {"request": "smtpd_access_policy", "protocol_state": "RCPT"}
    base.update(attrs)
    return "".join(f"{k}={v}\n" for k, v in base.items()).encode() + b"\n"


async def send_until_deferred(
    ports: list[int], login: str, *, client: int, attempts: int, pause: float = 0.0
) -> dict[str, int]:
    """One client (one Postfix smtpd) sending one-recipient messages as `login`, on its own
    connection to one of `ports`: counts messages accepted (RCPT and END-OF-MESSAGE both
    DUNNO), deferred (4xx) and connections lost (reconnects to the next port)."""
    tally = {"accepted": 0, "deferred": 0, "temporary": 0, "reconnects": 0}
    turn = client
    conn = None
    for attempt in range(attempts):
        if conn is None:
            port = ports[turn % len(ports)]
            turn += 1
            try:
                conn = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                tally["reconnects"] += 1
                await asyncio.sleep(0.1)
                continue
        reader, writer = conn
        instance = f"c{client}.{attempt}"
        try:
            writer.write(block(sasl_username=login, instance=instance))
            await writer.drain()
            rcpt = await asyncio.wait_for(reader.readuntil(b"\n\n"), 10)
            if rcpt == b"action=DUNNO\n\n":
                writer.write(
                    block(
                        sasl_username=login,
                        instance=instance,
                        protocol_state="END-OF-MESSAGE",
                        recipient_count="1",
                    )
                )
                await writer.drain()
                eom = await asyncio.wait_for(reader.readuntil(b"\n\n"), 10)
                tally["accepted" if eom == b"action=DUNNO\n\n" else "temporary"] += 1
            elif rcpt.startswith(b"action=450 4.7.1"):
                tally["deferred"] += 1
            else:
                tally["temporary"] += 1
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            tally["reconnects"] += 1
            writer.close()
            conn = None
        if pause:
            await asyncio.sleep(pause)
    if conn is not None:
        conn[1].close()
    return tally
