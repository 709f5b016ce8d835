"""The "Kontakte & Kalender" section of the address page in a real browser."""

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_address_page_section_with_client_notes(page, dav_world, settings):
    settings.PORTAL_DAV_PUBLIC_URL = "https://dav.mail.alpenpost.example/"
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("anna@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/addresses/{dav_world['anna'].pk}/")

    section = page.get_by_role("region", name="Kontakte & Kalender")
    assert section.is_visible()
    assert section.get_by_text("https://dav.mail.alpenpost.example/", exact=True).is_visible()
    assert section.get_by_text("anna@beispiel.ch", exact=True).is_visible()
    assert section.get_by_text("das Mail-Passwort dieser Adresse").is_visible()

    notes = section.get_by_text("Mit URL und Benutzername anmelden", exact=False)
    assert notes.is_hidden()  # folded until asked for
    section.get_by_text("Android (DAVx⁵)").click()
    assert notes.is_visible()
    for name in ("iPhone, iPad und Mac", "Thunderbird", "Outlook"):
        assert section.locator("summary", has_text=name).is_visible()
    page.screenshot(path="/tmp/dav_section.png", full_page=True)

    section.get_by_role("link", name="ändern oder testen").click()
    page.wait_for_url(re.compile(r"/addresses/\d+/password/$"))
