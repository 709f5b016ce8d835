"""`manage.py davserver` as `make run` starts it: a real process on a SQLite file with the
demo data, a client logging in as a demo address, and a clean stop on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import niquests
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_ADDRESS = "anna.muster@demo-kunde.ch"
DEMO_PASSWORD = "Alpen-Demo-Postfach-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PORTAL_DAV_STORAGE_DIR=str(tmp_path / "dav"),
        PORTAL_DIAGNOSIS_ON_CREATE="false",
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    return env


def _manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


@pytest.mark.xdist_group("davserver-command")
def test_davserver_serves_the_demo_addresses_and_stops_on_sigterm(tmp_path):
    env = _env(tmp_path)
    _manage(env, "migrate", "--noinput")
    _manage(env, "seed_demo")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "davserver", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first_lines = [server.stdout.readline() for _ in range(1)]
        assert "davserver listening on 127.0.0.1:" in first_lines[0], first_lines
        url = f"http://127.0.0.1:{port}/{DEMO_ADDRESS}/"
        response = niquests.request(
            "PROPFIND", url, auth=(DEMO_ADDRESS, DEMO_PASSWORD), headers={"Depth": "1"}, timeout=10
        )
        assert response.status_code == 207
        assert "<displayname>Kalender</displayname>" in response.text
        assert "<displayname>Kontakte</displayname>" in response.text
        refused = niquests.request("PROPFIND", url, auth=(DEMO_ADDRESS, "falsch"), timeout=10)
        assert refused.status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            out, _ = server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert server.returncode == 0
    assert "davserver stopped" in out


def test_bad_bind_is_a_clear_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "davserver", "--bind", "nirgendwo"],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "HOST:PORT" in result.stderr
    assert "Traceback" not in result.stderr
