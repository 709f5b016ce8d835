"""A per-client limit reached through htmx says so in the page (htmx swaps no error)."""

import re

import pytest

from mailservices.services import domain_create, mailservice_create
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_now_beyond_the_limit_shows_why(page, make_customer, settings):
    settings.PORTAL_RATE_LIMITS = {"diagnosis_run": "0/m"}
    customer = make_customer("limit@example.org")
    service = mailservice_create(
        domain=domain_create(customer=customer, name="limit-browser.test"), plan="service_mail"
    )
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("limit@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/services/{service.pk}/diagnosis/")
    page.get_by_role("button", name="Jetzt prüfen").click()
    alert = page.locator("#messages [role=alert]")
    alert.wait_for()
    assert "Zu viele Anfragen" in alert.inner_text()
