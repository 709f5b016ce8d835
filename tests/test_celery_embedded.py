"""The embedded Celery of `make run`: a real worker with beat on the filesystem transport.

Runs the same command line as the Makefile in a subprocess, against a throwaway SQLite file
and queue folder, and checks that a task travels broker → worker → result backend and that
beat copies the apps' periodic jobs into the database schedule.
"""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_FILESYSTEM_DIR=str(tmp_path / "celery"),
        CELERY_TASK_ALWAYS_EAGER="false",
        PORTAL_DIAGNOSIS_ON_CREATE="false",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _manage(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


@pytest.mark.xdist_group("celery-embedded")
def test_worker_with_beat_on_the_filesystem_transport(tmp_path):
    env = _env(tmp_path)
    _manage(env, "migrate", "--noinput")
    worker = subprocess.Popen(
        [
            str(CELERY),
            "-A",
            "portal",
            "worker",
            "-B",
            "--pool=solo",
            "--loglevel=INFO",
            f"--schedule={tmp_path / 'beat-schedule'}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        sender = (
            "import django; django.setup();"
            "from portal.celery import app;"
            "r = app.send_task('celery.backend_cleanup');"
            "print(r.get(timeout=60), r.state)"
        )
        result = subprocess.run(
            [sys.executable, "-c", sender],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().endswith("SUCCESS")

        from django.conf import settings

        expected = set(settings.CELERY_BEAT_SCHEDULE)
        assert expected, "the apps declare periodic jobs"
        deadline = time.monotonic() + 30
        names: set[str] = set()
        while time.monotonic() < deadline and not expected <= names:
            with sqlite3.connect(tmp_path / "db.sqlite3") as db:
                names = {
                    row[0] for row in db.execute("SELECT name FROM django_celery_beat_periodictask")
                }
            time.sleep(0.5)
        assert expected <= names, expected - names
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
    assert "beat: Starting" in output
    assert "celery.backend_cleanup" in output and "succeeded" in output
