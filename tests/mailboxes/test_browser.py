"""The import and storage pages in chromium: preview (a job: htmx and without JavaScript),
start, progress (htmx), cancel, report; a failed and a cancelled preview.

A second Dovecot plays the old provider for the preview. The Celery hand-over is the edge
that is replaced: the jobs stay queued, and the test runs them like a worker would.
Set SCREENSHOTS=DIR to keep a picture of each step.
"""

import os
import re
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from playwright.sync_api import expect

from mailservices.mailboxes.models import ImportFailure, ImportPreview, MailboxUsage, MailImport
from mailservices.mailboxes.previews import import_preview_execute
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
    # The preview is a Celery job: the request only queues it (the hand-over to Celery is
    # replaced, so the job waits), and its page polls until a worker has counted.
    with mock.patch("mailservices.mailboxes.tasks.import_preview_task.delay"):
        page.get_by_role("button", name="Verbinden und Vorschau zeigen").click()
        page.wait_for_url(re.compile(r"/imports/previews/\d+/$"))
    preview = ImportPreview.objects.get()
    assert "Die Vorschau wartet auf den Start" in page.inner_text("#import-preview-run")
    assert SOURCE_PASSWORD not in page.content()
    _shot(page, "import-preview-queued")

    # Without JavaScript the same page reloads itself (<noscript> meta refresh).
    plain = page.context.browser.new_context(
        locale="de-CH", base_url=live_server.url, java_script_enabled=False
    )
    plain.add_cookies(page.context.cookies())
    no_js = plain.new_page()
    no_js.goto(f"/imports/previews/{preview.pk}/")
    assert "Die Vorschau wartet auf den Start" in no_js.inner_text("#import-preview-run")

    import_preview_execute(job_pk=preview.pk)  # a worker runs it

    table = page.locator("table.import-folders")
    expect(table).to_contain_text("Projekte/2024/Übersicht & Pläne")  # htmx swapped it in
    assert "Projekte.2024.Übersicht & Pläne" in table.inner_text()
    assert "Gesendete Objekte" in table.inner_text()
    assert SOURCE_PASSWORD not in page.content()
    _shot(page, "import-preview")
    expect(no_js.locator("table.import-folders")).to_contain_text("Gesendete Objekte")
    plain.close()

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


def test_failed_and_cancelled_preview(
    page, live_server, transactional_db, make_customer, make_service, old_provider
):
    owner = make_customer("umzug2@example.org")
    service = make_service(customer=owner, name="umzug-fehler.ch", quota=5)
    address = address_create(service=service, local_part="bea", password="Firn-Grat-Stollen-2026")

    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("umzug2@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/")

    def request_preview(password):
        page.goto(f"/addresses/{address.pk}/import/")
        page.get_by_label("IMAP-Server des bisherigen Anbieters").fill("127.0.0.1")
        page.get_by_label("Port").fill(str(old_provider.imap_port))
        page.get_by_label("Keine (nur 127.0.0.1)").check()
        page.get_by_label("Benutzername beim bisherigen Anbieter").fill(SOURCE_USER)
        page.get_by_label("Passwort beim bisherigen Anbieter").fill(password)
        with mock.patch("mailservices.mailboxes.tasks.import_preview_task.delay"):
            page.get_by_role("button", name="Verbinden und Vorschau zeigen").click()
            page.wait_for_url(re.compile(r"/imports/previews/\d+/$"))
        return ImportPreview.objects.latest("pk")

    wrong = request_preview("falsches-Passwort")
    import_preview_execute(job_pk=wrong.pk)
    run = page.locator("#import-preview-run")
    expect(run).to_contain_text("Vorschau fehlgeschlagen")
    assert "Benutzername oder Passwort ist falsch" in run.inner_text()
    assert "falsches-Passwort" not in page.content()
    _shot(page, "import-preview-failed")
    page.get_by_role("link", name="Angaben prüfen und erneut versuchen").click()
    expect(page.get_by_label("Benutzername beim bisherigen Anbieter")).to_have_value(SOURCE_USER)
    expect(page.get_by_label("Passwort beim bisherigen Anbieter")).to_have_value("")

    waiting = request_preview(SOURCE_PASSWORD)
    page.get_by_role("button", name="Vorschau abbrechen").click()
    expect(page.locator("body")).to_contain_text("Die Vorschau wurde abgebrochen.")
    expect(page.get_by_label("IMAP-Server des bisherigen Anbieters")).to_have_value("127.0.0.1")
    waiting.refresh_from_db()
    assert waiting.state == "cancelled" and waiting.secret == ""
    _shot(page, "import-preview-cancelled")
    assert import_preview_execute(job_pk=waiting.pk) is None  # the late worker does nothing
