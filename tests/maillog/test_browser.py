"""The delivery log in chromium: filters by keyboard (htmx swaps the table), screenshots."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.maillog.test_views import _row

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("MAILLOG_SCREENSHOTS", "/tmp/maillog-screenshots"))


def test_delivery_log_in_the_browser(page, live_server, transactional_db, world):
    anna, service = world["anna"], world["service_a"]
    own = {"sender_address_id": anna.pk, "sender_service_id": service.pk}
    _row(1, **own)
    _row(
        2,
        recipient="nobody@partner.example",
        status="bounced",
        dsn="5.1.1",
        reason="host mx.partner.example[192.0.2.25] said: 550 5.1.1 <nobody@partner.example>: "
        "Recipient address rejected: User unknown (in reply to RCPT TO command)",
        **own,
    )
    _row(
        3,
        recipient="carla@langsam.example",
        status="deferred",
        dsn="4.7.1",
        reason="host mx.langsam.example[192.0.2.80] said: 450 4.7.1 Greylisted, please try "
        "again later (in reply to RCPT TO command)",
        **own,
    )
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("anna@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"/maillog/addresses/{anna.pk}/")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "address_log.png"), full_page=True)
    assert page.locator("tbody tr").count() == 3
    assert "Empfängeradresse existiert nicht" in page.inner_text("tbody")

    page.get_by_label("Status").select_option("bounced")
    page.get_by_role("button", name="Filtern").focus()
    page.keyboard.press("Enter")
    expect(page.locator("tbody tr")).to_have_count(1)
    assert "status=bounced" in page.url
    page.locator(".maillog-table details summary").first.click()
    page.screenshot(path=str(SHOTS / "address_log_bounced.png"), full_page=True)

    page.goto(f"/maillog/services/{service.pk}/")
    page.screenshot(path=str(SHOTS / "service_log.png"), full_page=True)
    assert page.locator("tbody tr").count() == 3

    # The way in: the address page's section and the service page's buttons.
    from django.urls import reverse

    page.goto(reverse("mailservices:address_detail", args=[anna.pk]))
    page.locator("#delivery-log").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "address_detail.png"), full_page=True)
    page.get_by_role("link", name="Empfangen").click()
    assert "direction=in" in page.url
    page.goto(reverse("mailservices:service_detail", args=[service.pk]))
    page.screenshot(path=str(SHOTS / "service_detail.png"))
    assert page.get_by_role("link", name="Zustellprotokoll").is_visible()
