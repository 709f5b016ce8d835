"""Passkeys in chromium with its WebAuthn virtual authenticator (CDP): a customer adds two
named passkeys and logs in with one; the activity page shows it. No CSP violation on any
page (the `page` fixture fails the test on one)."""

import re
import time

import pytest

from portal.security.models import Activity
from tests.conftest import PASSWORD
from tests.totp import totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "var/screenshots/security"


def _new_device(cdp) -> str:
    """Chromium's virtual authenticator: a platform passkey store that says yes."""
    options = {
        "protocol": "ctap2",
        "transport": "internal",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    return cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]


@pytest.fixture
def cdp(page):
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    return session


def _log_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))


def _add_passkey(page, name):
    page.goto("/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:  # allauth asks for the password (or a factor) first
        if "/2fa/" not in page.url:
            page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
        page.get_by_role("button", name="Bestätigen").click()
        page.wait_for_url(re.compile(r"/webauthn/add/$"))
    page.locator("input[name=name]").fill(name)
    passwordless = page.locator("input[name=passwordless]")
    if passwordless.count():
        passwordless.check()
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)


def test_a_customer_adds_two_named_passkeys_and_logs_in_with_one(
    page, cdp, live_server, make_customer, settings
):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # http://localhost in tests only
    customer = make_customer("passkey@example.org")
    _log_in(page, "passkey@example.org")
    phone = _new_device(cdp)
    _add_passkey(page, "iPhone Anna")
    page.screenshot(path=f"{SHOTS}/recovery-codes.png", full_page=True)
    # The second passkey lives on another device (one device holds one passkey per account).
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": phone})
    _new_device(cdp)
    _add_passkey(page, "Laptop Büro")

    page.goto("/accounts/2fa/webauthn/")
    assert page.get_by_text("iPhone Anna").is_visible()
    assert page.get_by_text("Laptop Büro").is_visible()
    page.screenshot(path=f"{SHOTS}/passkeys.png", full_page=True)
    owner = customer.owner
    names = sorted(a.data["name"] for a in owner.authenticator_set.filter(type="webauthn"))
    assert names == ["Laptop Büro", "iPhone Anna"]

    # Log out; log in again with a passkey only (no password, no code).
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.screenshot(path=f"{SHOTS}/login.png", full_page=True)
    page.get_by_role("button", name="Passkey verwenden").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Übersicht").is_visible()

    page.goto("/activity/")
    assert page.get_by_text("Laptop Büro").first.is_visible()
    page.screenshot(path=f"{SHOTS}/activity.png", full_page=True)
    kinds = list(Activity.objects.filter(customer=customer).values_list("kind", flat=True))
    assert kinds.count("mfa_added") == 2 and kinds.count("login") == 2


def test_new_staff_set_up_a_second_factor_before_the_admin_opens(page, make_user):
    make_user("neu-im-support@example.org", is_staff=True, is_superuser=True)
    _log_in(page, "neu-im-support@example.org")
    page.goto("/admin/shop/order/")
    page.wait_for_url(re.compile(r"/accounts/2fa/$"))
    assert page.get_by_text("Für die Verwaltung brauchen Sie einen zweiten Faktor").is_visible()
    page.screenshot(path=f"{SHOTS}/staff-setup.png", full_page=True)

    page.goto("/accounts/2fa/totp/activate/")
    if "/accounts/reauthenticate/" in page.url:
        page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
        page.locator("form.allauth-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp(secret))
    page.get_by_role("button", name="Aktivieren").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)

    # Setting up is not using: the admin asks for a code once in this session.
    page.goto("/admin/shop/order/")
    page.wait_for_url(re.compile(r"/accounts/2fa/reauthenticate/"))
    page.locator("input[name=code]").fill(totp(secret, at=time.time() + 30))
    page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_url(re.compile(r"/admin/shop/order/$"))
    assert page.get_by_role("heading", name=re.compile("Bestellung")).first.is_visible()
