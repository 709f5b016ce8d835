"""The app-password page in chromium: create with htmx (shown once, copy button), revoke
after the browser's confirmation, "only app passwords"; keyboard and labels; no CSP
violation (the `page` fixture). Screenshots in var/screenshots/apppasswords/."""

import re

import pytest

from mailservices.apppasswords.models import AppPassword, AppPasswordsOnly
from tests.apppasswords.conftest import MAIL_PASSWORD
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "var/screenshots/apppasswords"


@pytest.fixture
def mailbox(make_customer, make_service, make_address):
    customer = make_customer("anna@example.org")
    service = make_service(customer, name="beispiel.ch")
    return make_address(service, "anna", password=MAIL_PASSWORD)


def _log_in(page):
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("anna@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))


def test_create_revoke_and_only_app_passwords(page, mailbox):
    _log_in(page)
    page.goto(f"/addresses/{mailbox.pk}/")
    page.locator("#app-passwords-summary").screenshot(path=f"{SHOTS}/00-address-card.png")
    page.get_by_role("link", name="App-Passwörter verwalten").click()
    page.wait_for_url(re.compile(r"/app-passwords/$"))
    page.screenshot(path=f"{SHOTS}/01-empty.png", full_page=True)

    # Keyboard only: type the name, leave DAV out, submit with Enter.
    page.get_by_label("Name des Geräts oder Programms").fill("iPhone Anna")
    page.get_by_label("Kontakte und Kalender (CalDAV/CardDAV)").uncheck()
    page.get_by_label("Name des Geräts oder Programms").press("Enter")
    shown = page.locator("#new-app-password")
    shown.wait_for()
    password = shown.inner_text()
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", password)
    assert page.url.endswith("/app-passwords/")  # htmx: the section was swapped in place
    row = AppPassword.objects.get()
    assert (row.allow_imap, row.allow_smtp, row.allow_dav) == (True, True, False)
    page.get_by_role("button", name="Kopieren").focus()
    page.screenshot(path=f"{SHOTS}/02-created.png", full_page=True)

    # Inline errors: a typed password that does not repeat.
    page.get_by_label("Name des Geräts oder Programms").fill("Thunderbird Büro")
    page.get_by_label("Eigenes Passwort eingeben").check()
    page.locator("details.app-password-typed summary").click()
    page.get_by_label("Eigenes App-Passwort", exact=True).fill("Murmeltier-Pfad-77?")
    page.get_by_label("Eigenes App-Passwort wiederholen").fill("anders")
    page.get_by_role("button", name="App-Passwort erstellen").click()
    page.locator("#id_password2_errors").wait_for()
    page.screenshot(path=f"{SHOTS}/03-error.png", full_page=True)
    assert AppPassword.objects.count() == 1

    # Only app passwords, then revoke (the browser asks first).
    page.get_by_role("button", name="Nur noch App-Passwörter zulassen").click()
    page.get_by_role("button", name="Mail-Passwort wieder zulassen").wait_for()
    assert AppPasswordsOnly.objects.filter(address=mailbox).exists()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Widerrufen iPhone Anna").click()
    page.get_by_text("Noch keine App-Passwörter").wait_for()
    assert not AppPassword.objects.exists()
    page.screenshot(path=f"{SHOTS}/04-revoked.png", full_page=True)
