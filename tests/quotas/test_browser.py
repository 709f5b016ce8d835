"""The usage pages in chromium: keyboard, htmx refresh, the table behind each chart."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mailservices.plans import Plan
from quotas.counters import counter_id
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_usage_page_with_keyboard_and_refresh(
    page, live_server, transactional_db, make_customer, make_service, make_address, counters
):
    owner = make_customer("limits@example.org")
    address = make_address(
        make_service(plan=Plan.MY_KSUITE, customer=owner, name="tastatur.ch"), "eva"
    )
    counters.commit(
        counter_id(channel="smtp", sender="eva@tastatur.ch"),
        instance="a",
        recipients=120,
        limit=500,
        now=timezone.now(),
    )

    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("limits@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"/usage/addresses/{address.pk}/")
    assert "In den letzten 24 h: 120 von 500 Empfängern" in page.inner_text(".usage-figure")
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "120"

    # the chart's numbers are one keypress away
    page.locator(".chart-table summary").first.focus()
    page.keyboard.press("Enter")
    assert page.locator(".chart-table table").first.is_visible()

    # more mail goes out; "Aktualisieren" swaps the figures in place (htmx)
    counters.commit(
        counter_id(channel="smtp", sender="eva@tastatur.ch"),
        instance="b",
        recipients=30,
        limit=500,
        now=timezone.now(),
    )
    page.get_by_role("link", name="Aktualisieren").focus()
    page.keyboard.press("Enter")
    # (a locator, not wait_for_function: the page's CSP forbids the eval that one needs)
    expect(page.locator(".usage-figure").first).to_contain_text("150")
    assert page.url.endswith(f"/usage/addresses/{address.pk}/")
