"""The message tools in a real browser: htmx check, bounce explanation, phishing report."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.messagetools import builders as b
from tests.messagetools.test_report import phishing_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(page, make_customer):
    customer = make_customer("werkzeuge@example.org")
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail").fill("werkzeuge@example.org")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))
    return customer


def test_check_upload_shows_the_findings_in_place(page, logged_in, tmp_path):
    path = tmp_path / "abgelehnt.eml"
    path.write_bytes(
        b.message(
            html='<a href="http//.domain.xyz">Angebot</a>',
            attachments=[
                ("rechnung.zip", b.zip_bytes({"inner.zip": b.zip_bytes({"a.exe": b"MZ"})}))
            ],
        )
    )
    page.goto("/tools/")
    page.get_by_role("link", name="Nachricht prüfen").first.click()
    page.get_by_label("Nachricht als .eml-Datei").set_input_files(str(path))
    page.get_by_role("button", name="Prüfen").click()
    result = page.locator("#ergebnis")
    result.wait_for()
    assert "Unsere Filter würden diese Nachricht abweisen" in result.inner_text()
    assert "a.exe" in result.inner_text()
    assert "http//.domain.xyz" in result.inner_text()
    assert page.url.endswith("/tools/check/")  # htmx swapped the area, no reload


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
