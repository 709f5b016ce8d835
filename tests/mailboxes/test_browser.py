"""The import and storage pages in chromium: preview, start, progress (htmx), cancel, report.

A second Dovecot plays the old provider for the preview. The Celery hand-over is the edge
that is replaced: the job stays queued, and the test moves it like a worker would.
Set SCREENSHOTS=DIR to keep a picture of each step.
"""

import os
import re
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from playwright.sync_api import expect

from mailservices.mailboxes.models import ImportFailure, MailboxUsage, MailImport
from mailservices.mailboxes.selectors import MB
from mailservices.services.addresses import address_create
from tests.conftest import PASSWORD
from tests.mailboxes import source_data
from tests.mailboxes.source_server import PASSWORD as SOURCE_PASSWORD
from tests.mailboxes.source_server import USER as SOURCE_USER
from tests.mailboxes.source_server import SourceDovecot

pytestmark = pytest.mark.browser


@pytest.fixture
def old_provider():
    import shutil

    from tests.conftest import require_service

    require_service("dovecot", shutil.which("dovecot") is not None and os.geteuid() == 0)
    server = SourceDovecot().start()
    client = server.client()
    source_data.populate(client, server.prefix)
    client.logout()
    yield server
    server.stop()


def _shot(page, name):
    directory = os.environ.get("SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{directory}/{name}.png", full_page=True)


def test_preview_start_progress_cancel_and_report(
    page, live_server, transactional_db, make_customer, make_service, old_provider
):
    owner = make_customer("umzug@example.org")
    service = make_service(customer=owner, name="umzug-browser.ch", quota=5)
    address = address_create(service=service, local_part="anna", password="Firn-Grat-Stollen-2026")
    MailboxUsage.objects.create(
        username="anna@umzug-browser.ch", used_bytes=17 * 1024 * MB, messages=4210
    )

    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("umzug@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"/addresses/{address.pk}/")
    storage = page.locator("#storage")
    assert "17.0\xa0GB von 20.0\xa0GB belegt" in storage.inner_text().replace(",", ".")
    assert "zu 85 % belegt" in storage.inner_text()
    _shot(page, "address-storage")

    page.get_by_role("link", name="E-Mails von einem anderen Anbieter importieren").click()
    page.get_by_label("IMAP-Server des bisherigen Anbieters").fill("127.0.0.1")
    page.get_by_label("Port").fill(str(old_provider.imap_port))
    page.get_by_label("Keine (nur 127.0.0.1)").check()
    page.get_by_label("Benutzername beim bisherigen Anbieter").fill(SOURCE_USER)
    page.get_by_label("Passwort beim bisherigen Anbieter").fill(SOURCE_PASSWORD)
    _shot(page, "import-form")
    page.get_by_role("button", name="Verbinden und Vorschau zeigen").click()

    table = page.locator("table.import-folders")
    assert "Projekte.2024.Übersicht & Pläne" in table.inner_text()
    assert "Projekte/2024/Übersicht & Pläne" in table.inner_text()
    assert "Gesendete Objekte" in table.inner_text()
    assert SOURCE_PASSWORD not in page.content()
    _shot(page, "import-preview")

    with mock.patch("mailservices.mailboxes.tasks.import_run_task.delay"):
        page.get_by_role("button", name="Import starten").click()
        page.wait_for_url(re.compile(r"/imports/\d+/$"))
    job = MailImport.objects.get()
    assert "Der Import wartet auf den Start" in page.inner_text("#import-run")
    _shot(page, "import-queued")

    # A worker picks it up: the page follows by itself (htmx polls every second).
    MailImport.objects.filter(pk=job.pk).update(
        state="running", progress_done=5, progress_total=13, started_at=job.queued_at,
        heartbeat_at=job.queued_at.__class__.now(job.queued_at.tzinfo),
    )  # fmt: skip
    bar = page.locator("#import-progress [role=progressbar]")
    expect(bar).to_have_attribute("aria-valuenow", "5")
    assert "5 von 13 Nachrichten erledigt" in page.inner_text("#import-run")
    assert bar.get_attribute("aria-valuemax") == "13"
    _shot(page, "import-running")

    page.get_by_role("button", name="Import abbrechen").click()
    assert "Import abgebrochen" in page.inner_text("#import-run")
    job.refresh_from_db()
    assert job.state == "cancelled" and job.secret == ""
    _shot(page, "import-cancelled")

    done = MailImport.objects.create(
        address=address, host="imap.alt.example", login=SOURCE_USER, state="done",
        folders=9, copied=12, skipped=0, failed=1, progress_done=13, progress_total=13,
    )  # fmt: skip
    ImportFailure.objects.create(
        job=done, folder="Archiv", uid=1, subject="Grosser Anhang",
        reason="zu gross (2.9 MB; höchstens 1.9 MB pro Nachricht)",
    )  # fmt: skip
    page.goto(f"/imports/{done.pk}/")
    report = page.inner_text("#import-run")
    assert "Import abgeschlossen" in report and "Grosser Anhang" in report
    _shot(page, "import-report")

    page.goto(f"/services/{service.pk}/")
    _shot(page, "service-storage")
    assert connection.vendor in ("sqlite", "postgresql")
