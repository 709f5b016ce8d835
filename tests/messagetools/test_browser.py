"""The message tools in a real browser: check (htmx progress, no JS), bounce, phishing report."""

import re

import pytest

from messagetools.services import message_check_execute
from tests.conftest import PASSWORD
from tests.messagetools import builders as b
from tests.messagetools.test_report import phishing_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.fixture
def logged_in_user(make_customer):
    make_customer("werkzeuge@example.org")
    return "werkzeuge@example.org"


@pytest.fixture
def logged_in(page, logged_in_user):
    login(page, logged_in_user)


def rejected_eml(tmp_path):
    path = tmp_path / "abgelehnt.eml"
    path.write_bytes(
        b.message(
            html='<a href="http//.domain.xyz">Angebot</a>',
            attachments=[
                ("rechnung.zip", b.zip_bytes({"inner.zip": b.zip_bytes({"a.exe": b"MZ"})}))
            ],
        )
    )
    return path


def test_check_shows_progress_then_the_findings_in_place(page, logged_in, tmp_path, monkeypatch):
    """The worker is held back (the broker is the edge): the page polls, then swaps in the
    findings once the check has run."""
    queued = []
    monkeypatch.setattr("messagetools.tasks.run_message_check.delay", queued.append)
    page.goto("/tools/")
    page.get_by_role("link", name="Nachricht prüfen").first.click()
    page.get_by_label("Nachricht als .eml-Datei").set_input_files(str(rejected_eml(tmp_path)))
    page.get_by_role("button", name="Prüfen").click()
    progress = page.get_by_role("progressbar", name="Fortschritt der Prüfung")
    progress.wait_for()
    assert "Die Prüfung wartet auf den Start" in page.locator("#check-run").inner_text()
    [check_pk] = queued
    assert page.url.endswith(f"/tools/check/{check_pk}/")  # pushed: a reload shows the check

    message_check_execute(check_pk=check_pk)  # what the worker does
    result = page.locator("#ergebnis")
    result.wait_for(timeout=5_000)  # the next poll brings it
    assert "Unsere Filter würden diese Nachricht abweisen" in result.inner_text()
    assert "a.exe" in result.inner_text()
    assert "http//.domain.xyz" in result.inner_text()
    assert not progress.is_visible()


def test_check_without_javascript(browser, live_server, logged_in_user, tmp_path):
    """Plain form posts: upload → redirect to the check page, which shows the findings."""
    context = browser.new_context(
        locale="de-CH", base_url=live_server.url, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        login(page, logged_in_user)
        page.goto("/tools/check/")
        page.get_by_label("Nachricht als .eml-Datei").set_input_files(str(rejected_eml(tmp_path)))
        page.get_by_role("button", name="Prüfen").click()
        page.wait_for_url(re.compile(r"/tools/check/\d+/$"))
        assert "Unsere Filter würden diese Nachricht abweisen" in page.content()
        page.get_by_role("button", name="Prüfung und Nachricht löschen").click()
        page.wait_for_url(re.compile(r"/tools/check/$"))
        assert "Die Prüfung und die gespeicherte Nachricht sind gelöscht." in page.content()
    finally:
        context.close()


def test_bounce_and_phishing_report(page, logged_in, tmp_path):
    page.goto("/tools/bounce/")
    page.get_by_label("… oder den Text der Fehlermeldung einfügen").fill(
        "554 5.7.0 AV: Message is rejected by headers rule filter.. Please check the message"
    )
    page.get_by_role("button", name="Erklären").click()
    page.locator("#ergebnis").wait_for()
    assert page.get_by_role("heading", name="Vom Spam-Filter abgewiesen").is_visible()

    path = tmp_path / "phishing.eml"
    path.write_bytes(phishing_message())
    page.goto("/tools/phishing/new/")
    page.get_by_label("Nachricht als .eml-Datei").set_input_files(str(path))
    page.get_by_label("Bemerkung (freiwillig)").fill("Nicht geklickt")
    page.get_by_role("button", name="Als Phishing melden").click()
    page.wait_for_url(re.compile(r"/tools/phishing/\d+/$"))
    assert "Sie können die Nachricht jetzt in Ihrem Postfach löschen" in page.content()
    assert page.get_by_text("Neu – wird geprüft").first.is_visible()
    page.get_by_role("link", name="Zurück zu allen Meldungen").click()
    assert page.get_by_role("link", name="Ihr Konto wird gesperrt").is_visible()
