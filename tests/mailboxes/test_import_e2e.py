"""Mail import end to end: a second Dovecot plays the old provider; the portal copies its
mailbox into the real Dovecot of the mail-stack tests (as a master user), and the result is
read back over IMAP as the address with its own portal mail password."""

import imaplib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from mailservices.mailboxes.imap import utf7
from mailservices.mailboxes.imap.connection import quote
from tests.mailboxes import source_data
from tests.mailboxes.conftest import PASSWORD, wait_for
from tests.mailboxes.source_server import PASSWORD as SOURCE_PASSWORD
from tests.mailboxes.source_server import USER as SOURCE_USER
from tests.mailboxes.source_server import SourceDovecot
from tests.mailstack.test_stack_e2e import _delete_customer

pytestmark = [pytest.mark.mailstack, pytest.mark.xdist_group("mailstack")]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MANY = 800


@pytest.fixture(scope="module")
def source(mail_stack):
    server = SourceDovecot().start()
    client = server.client()
    source_data.populate(client, server.prefix)
    client.logout()
    many = SourceDovecot(users={"viel@alt.example": "Viele-Nachrichten-1"}).start()
    client = many.client("viel@alt.example")
    source_data.populate_many(client, many.prefix, "Viele", MANY)
    client.logout()
    server.many = many
    yield server
    server.stop()
    many.stop()


@pytest.fixture(scope="module")
def target_settings(mail_stack):
    with override_settings(
        PORTAL_MAILBOXES_IMAP_HOST="127.0.0.1",
        PORTAL_MAILBOXES_IMAP_PORT=mail_stack.ports.imaps,
        PORTAL_MAILBOXES_IMAP_CA_FILE=str(mail_stack.cert),
        PORTAL_MAILBOXES_MAX_MESSAGE_BYTES=2_000_000,
    ):
        yield


@pytest.fixture(scope="module")
def world(mail_stack, target_settings, django_db_blocker):
    from django.utils import timezone

    from mailservices.mailboxes.services import storage_override_create
    from mailservices.services import domain_create, mailservice_create
    from mailservices.services.addresses import address_create
    from portal.accounts.models import User
    from portal.accounts.services import customer_create

    with django_db_blocker.unblock():
        owner = User.objects.create_user(email=f"import-{uuid.uuid4().hex[:8]}@example.org")
        customer = customer_create(owner=owner)
        service = mailservice_create(
            domain=domain_create(customer=customer, name=f"umzug-{uuid.uuid4().hex[:6]}.ch"),
            plan="service_mail",
            address_quota=10,
        )
        addresses = {
            name: address_create(service=service, local_part=name, password=PASSWORD)
            for name in ("anna", "kill", "job", "klein")
        }
        staff = User.objects.create_user(
            email=f"staff-{uuid.uuid4().hex[:8]}@example.org", is_staff=True
        )
        storage_override_create(
            address=addresses["klein"],
            quota_mb=100,
            reason="Test: kleines Postfach",
            request_reference="T-1",
            approved_by=staff,
            starts_at=timezone.now() - timedelta(hours=1),
        )
        yield addresses
        _delete_customer(customer)
        staff.delete()


def _email(address) -> str:
    return f"{address.local_part}@{address.service.domain.name}"


def _password_file(tmp_path, password=SOURCE_PASSWORD):
    path = tmp_path / "pw"
    path.write_text(password + "\n")
    return str(path)


def _command(*args) -> tuple[int, dict]:
    out = StringIO()
    code = 0
    try:
        call_command("import_mailbox", *args, "--json", stdout=out, stderr=StringIO())
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue())


def _source_args(source, tmp_path, *, security="none", port=None, password=SOURCE_PASSWORD):
    return [
        "--host",
        "127.0.0.1",
        "--port",
        str(port or source.imap_port),
        "--security",
        security,
        "--login",
        SOURCE_USER,
        "--password-file",
        _password_file(tmp_path, password),
    ]


def _read_back(mail_stack, address) -> dict:
    """{folder (decoded): [(subject, flags, internaldate)]} read as the address itself."""
    client = mail_stack.imap(_email(address), PASSWORD)
    try:
        typ, data = client.list('""', '"*"')
        names = []
        for line in data:
            match = re.match(rb'\(([^)]*)\) "/" (.*)$', line)
            name = match.group(2).decode().strip('"')
            names.append(name)
        result = {}
        for name in names:
            client.select(quote(name), readonly=True)
            typ, data = client.uid(
                "FETCH", "1:*", "(FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])"
            )
            rows = []
            for item in data:
                if isinstance(item, tuple):
                    flags = re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split()
                    date = re.search(rb'INTERNALDATE "([^"]+)"', item[0]).group(1).decode()
                    subject = item[1].decode().split(":", 1)[1].strip()
                    rows.append((subject, tuple(sorted(f for f in flags if f != "\\Recent")), date))
            result[utf7.decode(name)] = sorted(rows)
        return result
    finally:
        client.logout()


def _timestamp(date: str) -> int:
    return int(time.mktime(imaplib.Internaldate2tuple(f'INTERNALDATE "{date}"'.encode())))


def test_preview_lists_decoded_folders_counts_and_sizes(source, world, tmp_path, db):
    code, preview = _command(_email(world["anna"]), *_source_args(source, tmp_path), "--dry-run")
    assert code == 0, preview
    by_name = {f["name"]: f for f in preview["folders"]}
    assert set(by_name) == set(source_data.FOLDERS)
    assert by_name["INBOX"]["messages"] == 4
    assert by_name["Projekte.2024.Übersicht & Pläne"]["messages"] == 1
    assert by_name["Archiv"]["bytes"] > 3_000_000
    assert preview["messages"] == len(source_data.MESSAGES)
    assert preview["bytes"] == sum(f["bytes"] for f in preview["folders"])


def test_preview_job_counts_like_the_command_and_keeps_the_password_until_the_start(
    source, world, tmp_path, db, django_capture_on_commit_callbacks
):
    """The portal's preview runs in Celery (eager here, through the real task and queue on
    commit): the same folders as `--dry-run`, progress per folder, and the password kept
    sealed only until "Import starten" hands it to the import job."""
    from unittest import mock

    from mailservices.mailboxes.models import ImportPreview, MailImport
    from mailservices.mailboxes.previews import import_preview_request, import_start_from_preview

    address = world["anna"]
    owner = address.service.domain.customer.owner
    code, expected = _command(_email(address), *_source_args(source, tmp_path), "--dry-run")
    assert code == 0
    with django_capture_on_commit_callbacks(execute=True):
        job = import_preview_request(
            address=address,
            user=owner,
            host="127.0.0.1",
            port=source.imap_port,
            security="none",
            login=SOURCE_USER,
            password=SOURCE_PASSWORD,
        )
    job.refresh_from_db()
    assert job.state == ImportPreview.State.DONE, job.error
    assert job.progress_done == job.progress_total == len(source_data.FOLDERS)
    assert [(f["name"], f["messages"], f["bytes"]) for f in job.folders] == [
        (f["name"], f["messages"], f["bytes"]) for f in expected["folders"]
    ]
    assert (job.messages, job.size_bytes) == (expected["messages"], expected["bytes"])
    assert job.is_startable and SOURCE_PASSWORD not in job.secret

    with mock.patch("mailservices.mailboxes.tasks.import_run_task.delay"):
        started = import_start_from_preview(job=job, user=owner)
    job.refresh_from_db()
    assert job.secret == "" and job.mail_import == started
    assert started.preview_bytes == expected["bytes"] and started.secret
    from mailservices.mailboxes.importer import import_cancel

    import_cancel(job=started)
    assert MailImport.objects.get(pk=started.pk).secret == ""


def test_preview_job_cancelled_while_counting_stops_and_forgets_the_password(source, world, db):
    from unittest import mock

    from mailservices.mailboxes.imap import engine
    from mailservices.mailboxes.models import ImportPreview
    from mailservices.mailboxes.previews import (
        import_preview_cancel,
        import_preview_execute,
        import_preview_request,
    )

    address = world["anna"]
    with mock.patch("mailservices.mailboxes.tasks.import_preview_task.delay"):
        job = import_preview_request(
            address=address,
            user=address.service.domain.customer.owner,
            host="127.0.0.1",
            port=source.imap_port,
            security="none",
            login=SOURCE_USER,
            password=SOURCE_PASSWORD,
        )
    examine, seen = engine._examine, []

    def customer_cancels(*args, **kwargs):  # the customer presses cancel after one folder
        seen.append(args[1])
        if len(seen) == 2:
            import_preview_cancel(job=ImportPreview.objects.get(pk=job.pk))
        return examine(*args, **kwargs)

    with mock.patch.object(engine, "_examine", customer_cancels):
        import_preview_execute(job_pk=job.pk)
    job.refresh_from_db()
    assert job.state == ImportPreview.State.CANCELLED and job.secret == ""
    assert len(seen) == 2 and job.progress_done == 1 and job.folders == []


def test_import_copies_folders_flags_and_dates_and_a_rerun_copies_nothing(
    mail_stack, source, world, tmp_path, db
):
    address = world["anna"]
    code, result = _command(_email(address), *_source_args(source, tmp_path))
    expected_copied = len(source_data.MESSAGES) - 1  # the 3 MB message is over the 2 MB limit
    assert result == {
        "status": "done",
        "folders": len(source_data.FOLDERS),
        "copied": expected_copied,
        "skipped": 0,
        "failed": 1,
        "error": None,
    }
    assert code == 0

    mailbox = _read_back(mail_stack, address)
    for source_folder, ours in source_data.FOLDERS.items():
        want = sorted(
            (m.subject, tuple(sorted(m.flags)), _timestamp(m.date))
            for m in source_data.MESSAGES
            if m.folder == source_folder and not m.size
        )
        got = sorted((s, f, _timestamp(d)) for s, f, d in mailbox[ours])
        assert got == want, ours
    assert "Projekte/2024/Übersicht & Pläne" in mailbox

    code, again = _command(_email(address), *_source_args(source, tmp_path))
    assert again["copied"] == 0 and again["skipped"] == expected_copied and again["failed"] == 1
    assert _read_back(mail_stack, address) == mailbox


def test_killed_import_resumes_and_copies_every_message_exactly_once(
    mail_stack, source, world, tmp_path, db
):
    from mailservices.mailboxes.models import ImportFolderState

    address = world["kill"]
    many = source.many
    params = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        DATABASE_URL=f"postgres://{params.get('USER') or ''}"
        f"{':' + params['PASSWORD'] if params.get('PASSWORD') else ''}"
        f"@{params.get('HOST') or 'localhost'}:{params.get('PORT') or 5432}/{params['NAME']}",
        PORTAL_MAILBOXES_IMAP_PORT=str(mail_stack.ports.imaps),
        PORTAL_MAILBOXES_IMAP_CA_FILE=str(mail_stack.cert),
        PORTAL_MAILBOXES_IMPORT_BATCH_MESSAGES="25",  # many checkpoints: the kill lands mid-way
    )
    (tmp_path / "pw").write_text("Viele-Nachrichten-1\n")
    args = [
        sys.executable,
        "manage.py",
        "import_mailbox",
        _email(address),
        "--host",
        "127.0.0.1",
        "--port",
        str(many.imap_port),
        "--security",
        "none",
        "--login",
        "viel@alt.example",
        "--password-file",
        str(tmp_path / "pw"),
        "--json",
    ]
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    state = ImportFolderState.objects.filter(address=address)
    wait_for(lambda: state.filter(last_uid__gt=0).exists(), timeout=60, what="first checkpoint")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    copied_before = state.get().last_uid
    assert 0 < copied_before < MANY, "the kill should land in the middle of the import"

    finished = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, timeout=300)
    assert finished.returncode == 0, finished.stderr.decode()[-2000:]
    result = json.loads(finished.stdout)
    assert result["status"] == "done" and result["failed"] == 0
    assert result["copied"] + result["skipped"] == MANY
    assert result["skipped"] >= copied_before

    client = mail_stack.imap(_email(address), PASSWORD)
    try:
        client.select('"Viele"', readonly=True)
        typ, data = client.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        ids = [item[1].strip() for item in data if isinstance(item, tuple)]
    finally:
        client.logout()
    assert len(ids) == MANY and len(set(ids)) == MANY  # every message exactly once


def test_clear_one_line_errors(mail_stack, source, world, tmp_path, db):
    email = _email(world["anna"])
    code, result = _command(email, *_source_args(source, tmp_path, password="falsch-falsch"))
    assert code == 1 and result["status"] == "failed"
    assert (
        "Benutzername oder Passwort" in result["error"] and "falsch-falsch" not in result["error"]
    )

    from tests.mailstack.harness import free_port

    code, result = _command(email, *_source_args(source, tmp_path, port=free_port()))
    assert code == 1 and "nicht erreichbar" in result["error"]

    args = _source_args(source, tmp_path)
    args[1] = "localhost"  # plaintext only to 127.0.0.1
    code, result = _command(email, *args)
    assert code == 1 and "Unverschlüsselte Verbindungen" in result["error"]

    # TLS to a certificate nobody vouches for
    code, result = _command(
        email, *_source_args(source, tmp_path, security="ssl", port=source.imaps_port)
    )
    assert code == 1 and "Zertifikat" in result["error"]

    # an SMTP server is not an IMAP server
    code, result = _command(email, *_source_args(source, tmp_path, port=mail_stack.ports.smtp))
    assert code == 1 and "IMAP-Server" in result["error"]

    code, preview = _command(
        email, *_source_args(source, tmp_path, password="falsch-falsch"), "--dry-run"
    )
    assert code == 1 and "Passwort" in preview["error"] and preview["folders"] == []
    for payload in (result, preview):
        assert "\n" not in payload["error"] and "Traceback" not in payload["error"]


def test_starttls_with_a_trusted_certificate(mail_stack, source, world, tmp_path, db, settings):
    settings.PORTAL_MAILBOXES_SOURCE_CA_FILE = str(source.cert)
    code, preview = _command(
        _email(world["anna"]), *_source_args(source, tmp_path, security="starttls"), "--dry-run"
    )
    assert code == 0 and preview["messages"] == len(source_data.MESSAGES)


def test_job_imports_reports_and_forgets_the_password(mail_stack, source, world, db):
    from unittest import mock

    from mailservices.mailboxes.importer import import_execute, import_start, source_endpoint
    from mailservices.mailboxes.models import MailImport

    address = world["job"]
    endpoint = source_endpoint(
        host="127.0.0.1",
        port=source.imap_port,
        security="none",
        login=SOURCE_USER,
        password=SOURCE_PASSWORD,
    )
    with mock.patch("mailservices.mailboxes.tasks.import_run_task.delay"):
        job = import_start(address=address, source=endpoint)
        assert job.secret and SOURCE_PASSWORD not in job.secret
        import_execute(job=job)
    job.refresh_from_db()
    assert job.state == MailImport.State.DONE, job.error
    assert (job.copied, job.failed, job.skipped) == (len(source_data.MESSAGES) - 1, 1, 0)
    assert job.progress_done == job.progress_total == len(source_data.MESSAGES)
    assert job.secret == ""
    failure = job.failures.get()
    assert failure.folder == "Archiv" and "zu gross" in failure.reason
    assert sorted(_read_back(mail_stack, address)) == sorted(
        {*source_data.FOLDERS.values(), "Sent", "Drafts", "Trash", "Junk"}
    )


def test_import_stops_before_the_mailbox_is_full(mail_stack, source, world, tmp_path, db):
    """Our Dovecot's quota (imap_quota) is read before copying; the import stops in time."""
    from tests.mailboxes.test_storage_e2e import _lmtp, _message

    address = world["klein"]  # 100 MB by a staff override
    email = _email(address)
    # fill the mailbox to 1 MB below its size, then import about 3.6 MB
    assert _lmtp(mail_stack, email, _message(99 * 1024 * 1024 - 400_000, 0))[0] == 250
    (tmp_path / "pw").write_text("Viele-Nachrichten-1\n")
    code, result = _command(
        email,
        "--host", "127.0.0.1", "--port", str(source.many.imap_port), "--security", "none",
        "--login", "viel@alt.example", "--password-file", str(tmp_path / "pw"),
    )  # fmt: skip
    assert code == 1 and result["status"] == "failed"
    assert "bevor der Speicherplatz des Postfachs voll war" in result["error"]
    assert 0 < result["copied"] < MANY
    client = mail_stack.imap(email, PASSWORD)
    try:
        typ, data = client.getquotaroot("INBOX")
        used, limit = map(int, re.search(rb"STORAGE (\d+) (\d+)", data[1][0]).groups())
    finally:
        client.logout()
    assert used <= limit
