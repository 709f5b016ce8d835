"""Sign-up, email verification, login and TOTP in a real browser (Debian's chromium)."""

import re
import time

import pytest
from django.core import mail

from portal.accounts.models import User
from tests.conftest import PASSWORD
from tests.totp import totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _confirm_link(outbox_message) -> str:
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", outbox_message.body)
    assert match, outbox_message.body
    return match.group(0)


def test_sign_up_verify_log_in_and_see_overview(page, live_server):
    page.goto("/accounts/signup/")
    # Every field is reached through its visible label (accessibility).
    page.get_by_label("E-Mail-Adresse").fill("neukunde@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_label("Passwort (Wiederholung)").fill(PASSWORD)
    page.get_by_role("button", name="Registrieren").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    assert len(mail.outbox) == 1
    page.goto(_confirm_link(mail.outbox[0]))
    page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Übersicht").is_visible()

    # Log out and in again with the new password.
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Abmelden").click()
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("neukunde@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/")
    customer_number = User.objects.get(email="neukunde@example.org").owned_customers.get().number
    assert customer_number in page.content()


def test_enable_totp_and_log_in_with_a_code(page, live_server, make_customer):
    make_customer("totp@example.org")
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("totp@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto("/accounts/2fa/totp/activate/")
    if "/accounts/reauthenticate/" in page.url:
        # allauth asks for the password again before a security change.
        page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
        page.locator("form.allauth-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret)
    page.locator("input[name=code]").fill(totp(secret))
    page.get_by_role("button", name="Aktivieren").click()
    # allauth shows the recovery codes right after activation.
    page.wait_for_url(re.compile(r"/accounts/2fa/"))
    assert User.objects.get(email="totp@example.org").authenticator_set.filter(type="totp").exists()

    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("totp@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    # A code from the next time step: allauth refuses a code that was already used.
    page.locator("input[name=code]").fill(totp(secret, at=time.time() + 30))
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Übersicht").is_visible()
