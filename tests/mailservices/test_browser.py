"""The mail-service pages in a real browser: keyboard menu, strength meter, htmx password
test, creating an address and a catch-all."""

import re

import pytest

from mailservices.models import Address
from mailservices.services import domain_create, mailservice_create
from mailservices.services.addresses import address_create
from tests.conftest import PASSWORD
from tests.mailservices.conftest import MAIL_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(page, make_customer):
    customer = make_customer("browser@example.org")
    service = mailservice_create(
        domain=domain_create(customer=customer, name="beispiel.ch"), plan="service_mail"
    )
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("browser@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))
    return service


def test_create_address_with_strength_meter_then_test_password(page, logged_in):
    service = logged_in
    page.goto(f"/services/{service.pk}/")
    page.get_by_role("link", name="E-Mail-Adresse erstellen").first.click()
    page.get_by_label("Adresse (vor dem @)").fill("anna")
    meter = page.locator("[data-strength-for] meter")
    assert meter.is_visible()
    page.get_by_label("Mail-Passwort", exact=True).fill("abc")
    assert meter.evaluate("m => m.value") == 0
    page.get_by_label("Mail-Passwort", exact=True).fill(MAIL_PASSWORD)
    assert meter.evaluate("m => m.value") == 4
    assert page.locator(".strength-label").inner_text() == "sehr gut"
    page.get_by_label("Mail-Passwort wiederholen").fill(MAIL_PASSWORD)
    page.get_by_role("button", name="Adresse erstellen").click()
    page.wait_for_url(re.compile(r"/addresses/\d+/$"))
    assert page.get_by_role("heading", name="anna@beispiel.ch").is_visible()

    page.get_by_role("link", name="Mail-Passwort").click()
    test_box = page.locator("#password-test")
    test_box.get_by_label("Mail-Passwort zum Testen").fill("falsch-falsch")
    test_box.get_by_role("button", name="Passwort testen").click()
    page.locator("#password-test .callout-error").wait_for()
    assert "/password/" in page.url  # swapped in place by htmx, no reload
    page.locator("#password-test").get_by_label("Mail-Passwort zum Testen").fill(MAIL_PASSWORD)
    page.locator("#password-test").get_by_role("button", name="Passwort testen").click()
    page.locator("#password-test .callout-ok").wait_for()
    assert Address.objects.get().password_tested_at is not None


def test_redirect_fields_switch_with_kind(page, logged_in):
    page.goto(f"/services/{logged_in.pk}/addresses/new/")
    assert page.get_by_label("Weiterleiten an").is_hidden()
    page.get_by_label("Weiterleitung", exact=True).check()
    assert page.get_by_label("Weiterleiten an").is_visible()
    assert page.get_by_label("Mail-Passwort", exact=True).is_hidden()


def test_generic_menu_by_keyboard_and_catchall(page, logged_in):
    service = logged_in
    address_create(service=service, local_part="anna", password=MAIL_PASSWORD)
    page.goto(f"/services/{service.pk}/")
    summary = page.locator("details.dropdown summary")
    summary.focus()
    page.keyboard.press("Enter")
    catchall_link = page.get_by_role("link", name="Catchall", exact=True)
    assert catchall_link.is_visible()
    catchall_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/addresses/catchall/$"))
    assert page.get_by_text("Wir raten von einer Catchall-Adresse ab").is_visible()
    page.get_by_label("Mail-Passwort", exact=True).fill(MAIL_PASSWORD)
    page.get_by_label("Mail-Passwort wiederholen").fill(MAIL_PASSWORD)
    page.get_by_role("button", name="Catchall-Adresse erstellen").click()
    assert page.locator("#id_confirm_errors").is_visible()
    page.get_by_label(re.compile("Ich habe die Hinweise gelesen")).check()
    page.get_by_label("Mail-Passwort", exact=True).fill(MAIL_PASSWORD)
    page.get_by_label("Mail-Passwort wiederholen").fill(MAIL_PASSWORD)
    page.get_by_role("button", name="Catchall-Adresse erstellen").click()
    page.wait_for_url(re.compile(r"/addresses/\d+/$"))
    assert page.get_by_role("heading", name="catchall@beispiel.ch").is_visible()
