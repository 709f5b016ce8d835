"""End to end on PostgreSQL: a real Postfix (and Dovecot) writes its log; `maillog_follow`
reads it, also across a `postfix logrotate`; each customer sees their own outcomes; a DMARC
report mail goes through Postfix into the portal's LMTP intake and onto the dashboard.

The "remote" mail server is an aiosmtpd on the harness's relay port that answers 250, 450
or 550 depending on the recipient.
"""

import asyncio
import dataclasses
import os
import smtplib
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.db import connection, connections
from django.urls import reverse

from tests.conftest import require_service
from tests.mailstack.conftest import wait_for
from tests.mailstack.harness import INTERNET, MailStack, free_port, missing_binaries, wait_port
from tests.reports.conftest import gz, report_mail, sample

pytestmark = [pytest.mark.mailstack, pytest.mark.xdist_group("maillog-e2e")]

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Firn-Grat-Stollen-2026"
REPORTS = "dmarc-reports@reports-e2e.test"


class RemoteServer:
    """The world outside: answers by recipient (tempfail* -> 450, nosuch* -> 550)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        local = address.split("@")[0]
        if local.startswith("tempfail"):
            return "450 4.2.0 Mailbox temporarily unavailable, try again later"
        if local.startswith("nosuch"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 Accepted"


class LogStack(MailStack):
    def __init__(self, database, *, reports_port: int):
        super().__init__(database)
        self.sink = RemoteServer()
        self.reports_port = reports_port

    def layout(self):
        return dataclasses.replace(
            super().layout(),
            report_addresses=(REPORTS,),
            reports_lmtp=f"inet:127.0.0.1:{self.reports_port}",
        )

    def _postfix_base(self) -> str:
        # No gzip on rotation (the follower reads the renamed file to its end anyway).
        return super()._postfix_base() + "maillog_file_compressor = true\n"

    @property
    def log_path(self) -> Path:
        return self.base / "postfix.log"

    def logrotate(self) -> None:
        subprocess.run(
            ["postfix", "-c", str(self.postfix_dir), "logrotate"],
            capture_output=True,
            timeout=30,
            check=True,
        )


class LmtpThread:
    """The portal's report intake (reports_lmtpd's server) in a thread of this process."""

    def __init__(self, port: int):
        from mailservices.reports.lmtp import LmtpSession, serve
        from mailservices.reports.management.commands.reports_lmtpd import deliver

        self.port = port
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.executor = ThreadPoolExecutor(max_workers=1)

        async def run_sync(fn, *args):
            return await self.loop.run_in_executor(self.executor, fn, *args)

        async def start():
            self.server = await serve(
                "127.0.0.1",
                port,
                make_session=lambda: LmtpSession(
                    hostname="localhost", deliver=deliver, max_bytes=10_000_000
                ),
                run_sync=run_sync,
            )

        def run():
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(start())
            self.ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert self.ready.wait(10)

    def stop(self):
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        # The delivering thread's database connection, or the test database cannot go.
        self.executor.submit(connections.close_all).result(10)
        self.executor.shutdown()


def _database_url() -> str:
    params = connection.settings_dict
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return (
        f"postgres://{params.get('USER') or ''}{password}@{params.get('HOST') or 'localhost'}:"
        f"{params.get('PORT') or 5432}/{params['NAME']}"
    )


def _start_follower(path: Path, log: Path) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=_database_url(),
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "maillog_follow", "--file", str(path)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=open(log, "w"),  # noqa: SIM115 (kept open for the process)
        stderr=subprocess.STDOUT,
    )


def _message(sender, to, subject, body="Guten Tag\n") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@e2e.test>"
    msg.set_content(body)
    return msg


def _submit(stack, login, recipients, subject):
    with smtplib.SMTP_SSL(
        "127.0.0.1", stack.ports.submission, context=stack.tls_context(), timeout=15
    ) as client:
        client.login(login, PASSWORD)
        client.send_message(_message(login, ", ".join(recipients), subject), login, recipients)


def _from_internet(stack, sender, recipient, message=None):
    """Port 25 from outside; returns the RCPT refusal (code, text) or None."""
    with smtplib.SMTP("127.0.0.1", stack.ports.smtp, timeout=15, source_address=(INTERNET, 0)) as c:
        try:
            if message is None:
                message = _message(sender, recipient, "Hallo").as_bytes()
            c.sendmail(sender, [recipient], message)
        except smtplib.SMTPRecipientsRefused as exc:
            return exc.recipients[recipient]
    return None


@pytest.fixture
def e2e(transactional_db, tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("Postfix reads PostgreSQL; the SQLite test database is in memory")
    missing = missing_binaries()
    require_service("postfix/dovecot (" + ", ".join(missing) + ")", not missing)
    require_service("root (Postfix's master runs as root)", os.geteuid() == 0)
    settings.PORTAL_REPORTS_REVERSE_DNS = False
    from mailservices.mailstack import config

    reports_port = free_port()
    lmtp = LmtpThread(reports_port)
    stack = LogStack(config.Database.from_connection(), reports_port=reports_port)
    follower = None
    try:
        stack.start()
        wait_port(reports_port)
        follower = _start_follower(stack.log_path, tmp_path / "follower.log")
        yield stack, follower, tmp_path / "follower.log"
    finally:
        if follower is not None:
            follower.terminate()
            follower.wait(20)
        stack.stop()
        lmtp.stop()


def test_outcomes_per_customer_rotation_and_a_report(e2e, client):
    from mailservices.maillog.models import Delivery
    from mailservices.reports.models import Report
    from mailservices.services import domain_create, mailservice_create
    from mailservices.services.addresses import address_create
    from portal.accounts.models import User
    from portal.accounts.services import customer_create

    stack, follower, follower_log = e2e
    uid = uuid.uuid4().hex[:6]
    owners, addresses = {}, {}
    for who, local in (("a", "anna"), ("b", "ben")):
        user = User.objects.create_user(email=f"e2e-{who}-{uid}@example.org", password=PASSWORD)
        customer = customer_create(owner=user)
        domain = domain_create(customer=customer, name=f"{who}-{uid}.test")
        service = mailservice_create(domain=domain, plan="service_mail")
        owners[who] = user
        addresses[who] = address_create(service=service, local_part=local, password=PASSWORD)
    anna, ben = f"anna@a-{uid}.test", f"ben@b-{uid}.test"

    def rows(**filters):
        return list(Delivery.objects.filter(**filters).order_by("time", "id"))

    def outcome(recipient, status):
        return wait_for(
            lambda: Delivery.objects.filter(recipient=recipient, status=status).first(),
            timeout=40,
            what=f"{recipient} {status}\n{follower_log.read_text()[-2000:]}",
            stack=stack,
        )

    # anna sends: accepted remotely, a temporary and a permanent refusal, and to ben (local).
    _submit(
        stack,
        anna,
        ["ok@remote.test", "tempfail@remote.test", "nosuch@remote.test", ben],
        "Vier Empfänger",
    )
    sent = outcome("ok@remote.test", "sent")
    deferred = outcome("tempfail@remote.test", "deferred")
    bounced = outcome("nosuch@remote.test", "bounced")
    local = outcome(ben, "sent")
    assert (sent.dsn, bounced.dsn, deferred.dsn[:1]) == ("2.0.0", "5.1.1", "4")
    assert "User unknown" in bounced.reason
    assert sent.sasl_login == anna
    for row in (sent, deferred, bounced, local):
        assert row.sender_address_id == addresses["a"].pk
        assert row.queue_id and row.message_id.endswith("@e2e.test")
    assert local.recipient_address_id == addresses["b"].pk

    # From the internet: an unknown local recipient is refused before queueing.
    refused = _from_internet(stack, "friend@remote.test", f"ghost@a-{uid}.test")
    assert refused[0] == 550
    ghost = outcome(f"ghost@a-{uid}.test", "rejected")
    assert ghost.queue_id is None and ghost.sender_address_id is None

    # Rotation while the follower runs; mail before and after it is all read once.
    _from_internet(stack, "friend@remote.test", anna)
    outcome(anna, "sent")
    stack.logrotate()
    _submit(stack, anna, ["after-rotation@remote.test"], "Nach der Rotation")
    outcome("after-rotation@remote.test", "sent")
    assert len(rows(recipient="ok@remote.test")) == 1  # nothing read twice
    rotated = [p for p in stack.base.glob("postfix.log.*") if p.is_file()]
    assert rotated, "postfix logrotate renamed the log"

    # Each customer sees their own rows only.
    client.force_login(owners["a"])
    page = client.get(
        reverse("maillog:address_log", args=[addresses["a"].pk]), {"direction": "out"}
    )
    shown = {r.recipient: r.status for r in page.context["rows"]}
    assert shown["ok@remote.test"] == "sent"
    assert shown["nosuch@remote.test"] == "bounced"
    assert shown["tempfail@remote.test"] == "deferred"
    assert "Empfängeradresse existiert nicht" in page.content.decode()
    inbox = client.get(
        reverse("maillog:address_log", args=[addresses["a"].pk]), {"direction": "in"}
    )
    # friend's message, and Postfix's bounce notice (sender <>) for nosuch@.
    assert sorted(r.sender for r in inbox.context["rows"]) == ["", "friend@remote.test"]
    assert client.get(reverse("maillog:address_log", args=[addresses["b"].pk])).status_code == 404
    client.force_login(owners["b"])
    page = client.get(reverse("maillog:address_log", args=[addresses["b"].pk]), {"direction": "in"})
    assert [r.sender for r in page.context["rows"]] == [anna]
    page = client.get(
        reverse("maillog:address_log", args=[addresses["b"].pk]), {"direction": "out"}
    )
    assert page.context["rows"] == []

    # A DMARC report about a-<uid>.test, mailed from outside to the report address.
    xml = sample("dmarc_rfc7489.xml").replace(b"kunde-a.ch", f"a-{uid}.test".encode())
    xml = xml.replace(b"17330543210987654321", uid.encode())
    yesterday = int(time.time()) - 86400
    xml = xml.replace(b"1733011200", str(yesterday).encode())
    xml = xml.replace(b"1733097599", str(yesterday + 86399).encode())
    mail = report_mail(gz(xml), "report.xml.gz", "application/gzip", to=REPORTS)
    assert _from_internet(stack, "noreply-dmarc@receiver.test", REPORTS, mail) is None
    report = wait_for(
        lambda: Report.objects.filter(report_id=uid).first(), timeout=40, what="report", stack=stack
    )
    assert report.domain.name == f"a-{uid}.test"
    client.force_login(owners["a"])
    dashboard = client.get(reverse("reports:domain_reports", args=[report.domain.pk]))
    assert dashboard.status_code == 200
    assert "198.51.100.77" in dashboard.content.decode()
    client.force_login(owners["b"])
    assert client.get(reverse("reports:domain_reports", args=[report.domain.pk])).status_code == 404
    outcome(REPORTS, "sent")  # Postfix logged the LMTP delivery to the portal too
    assert follower.poll() is None  # still following
