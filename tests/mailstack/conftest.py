"""Fixtures of the mail-stack tests: one real Postfix + Dovecot per test session (per xdist
worker), reading the test database, and a world of addresses committed for them to see.

The daemons read the database over their own connections, so the data must be committed:
the `stack_world` fixture commits it (unique domain names, so other tests' rolled-back
worlds never collide with it) and deletes it again at the end of the module.

Why PostgreSQL only: under pytest the SQLite test database lives in the memory of the test
process, which Postfix and Dovecot cannot open (and Debian's sqlite map drivers,
postfix-sqlite and dovecot-sqlite, would have to be installed as well). On the SQLite run of
the suite these tests are skipped, also under CI=true; on the PostgreSQL run they must run.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(scope="session")
def mail_stack(django_db_setup, django_db_blocker, tmp_path_factory):
    """Postfix and Dovecot serving the test database; stopped at the end of the session."""
    from mailservices.mailstack import config
    from tests.mailstack.harness import MailStack, missing_binaries

    if not _postgres():
        pytest.skip("the mail stack reads PostgreSQL; the SQLite test database is in memory")
    missing = missing_binaries()
    require_service("postfix/dovecot (" + ", ".join(missing) + ")", not missing)
    require_service("root (Postfix's master runs as root)", os.geteuid() == 0)
    policy_port, policyd = _start_policyd(tmp_path_factory.mktemp("policyd"))
    portal_port, portal = _start_portal(tmp_path_factory.mktemp("portal"))
    with django_db_blocker.unblock():
        database = config.Database.from_connection()
    stack = MailStack(
        database,
        policy=f"inet:127.0.0.1:{policy_port}" if policyd else "",
        auth_report_url=f"http://127.0.0.1:{portal_port}/app-passwords/auth-report/",
    )
    stack.policyd = policyd
    stack.portal = portal
    try:
        stack.start()
    except Exception:
        stack.stop()
        _stop(policyd)
        _stop(portal)
        raise
    yield stack
    stack.stop()
    _stop(policyd)
    _stop(portal)


def _policyd_available() -> bool:
    return (ROOT / "quotas" / "management" / "commands" / "policyd.py").exists()


def _test_database_env() -> dict:
    """The environment of a helper process that works on the test database."""
    params = connection.settings_dict
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    env["DATABASE_URL"] = (
        f"postgres://{params.get('USER') or ''}"
        f"{':' + params['PASSWORD'] if params.get('PASSWORD') else ''}"
        f"@{params.get('HOST') or 'localhost'}:{params.get('PORT') or 5432}/{params['NAME']}"
    )
    return env


def _start_portal(directory: Path):
    """The portal itself (gunicorn, test settings, test database): Dovecot's auth policy
    reports logins to its `/app-passwords/auth-report/` as in production."""
    from tests.mailstack.harness import free_port, wait_port

    port = free_port()
    log = open(directory / "portal.log", "w")  # noqa: SIM115 (kept open for the process)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--no-control-socket",
        ],  # several test runs on one machine: no shared ~/.gunicorn
        cwd=ROOT,
        env=_test_database_env(),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_port(port, timeout=30)
    except TimeoutError:
        _stop(process)
        return port, None
    process.log_path = directory / "portal.log"
    return port, process


def _start_policyd(directory: Path):
    """The sending-limits policy service (`manage.py policyd`) on the test database."""
    from tests.mailstack.harness import free_port, wait_port

    if not _policyd_available() or not os.environ.get("REDIS_URL"):
        return 0, None
    env = _test_database_env()
    port = free_port()
    log = open(directory / "policyd.log", "w")  # noqa: SIM115 (kept open for the process)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "policyd", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_port(port, timeout=20)
    except TimeoutError:
        _stop(process)
        return 0, None
    process.log_path = directory / "policyd.log"
    return port, process


def _stop(process) -> None:
    if process is None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(
    predicate, *, timeout: float = 15.0, interval: float = 0.1, what: str = "", stack=None
):
    """Polls `predicate` until it returns something truthy; fails with `what` otherwise
    (and the daemons' logs, given the `stack`)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            logs = f"\n{stack.logs()}" if stack is not None else ""
            pytest.fail(f"timed out waiting for {what or predicate}{logs}")
        time.sleep(interval)
