"""`manage.py policyd --bind HOST:PORT` as Postfix's systemd unit runs it."""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_policyd_command_serves_and_stops_on_sigterm(redis_server):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "policyd",
            "--bind",
            f"127.0.0.1:{port}",
            "--redis-url",
            redis_server.url,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(200):
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail(proc.stderr.read())
        with conn:
            # mail arriving from the internet: not counted, no database needed
            conn.sendall(
                b"request=smtpd_access_policy\nprotocol_state=RCPT\n"
                b"client_address=203.0.113.7\nsender=a@example.net\ninstance=1.2.3\n\n"
            )
            assert conn.recv(100) == b"action=DUNNO\n\n"
        proc.send_signal(signal.SIGTERM)
        out, _err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert f"policyd listening on 127.0.0.1:{port}" in out and "policyd stopped" in out


def test_bad_bind_is_a_clear_error():
    with pytest.raises(CommandError, match="HOST:PORT"):
        call_command("policyd", "--bind", "localhost")
