"""The DNS editor in a real browser: htmx swaps the editor with the field error, then with
the new record; a mail record asks for "Ich weiss, was ich tue"."""

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged_in(page, make_customer):
    from mailservices.models import Domain, MailService
    from mailservices.plans import Plan
    from mailservices.provisioning.services import mailservice_provision_dns

    customer = make_customer("zone@example.org")
    domain = Domain.objects.create(customer=customer, name="browser.test", source="registered")
    service = MailService.objects.create(domain=domain, plan=Plan.SERVICE_MAIL, address_quota=5)
    mailservice_provision_dns(service=service)
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill("zone@example.org")
    page.get_by_label(re.compile(r"^Passwort:?$")).fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))
    return domain


def test_add_a_record_with_htmx(page, logged_in):
    domain = logged_in
    page.goto(f"/domains/{domain.pk}/dns/")
    page.get_by_label("Name").fill("www")
    page.get_by_label("Wert").fill("192.0.2.300")
    page.get_by_role("button", name="Hinzufügen").click()
    error = page.locator("#id_value_errors")
    error.wait_for()
    assert "keine IPv4-Adresse" in error.inner_text()
    assert page.url.endswith(f"/domains/{domain.pk}/dns/")  # swapped in place, no reload
    page.get_by_label("Wert").fill("192.0.2.30")
    page.get_by_role("button", name="Hinzufügen").click()
    page.locator("td.value", has_text="192.0.2.30").wait_for()
    assert page.get_by_text("sofort aktiv").first.is_visible()


def test_a_mail_record_needs_the_confirmation(page, logged_in):
    from mailservices.provisioning.models import ZoneRecord

    domain = logged_in
    dmarc = ZoneRecord.objects.get(domain=domain, name="_dmarc")
    page.goto(f"/dns/records/{dmarc.pk}/edit/")
    page.get_by_label("Wert").fill("v=DMARC1; p=reject")
    page.get_by_role("button", name="Speichern").click()
    assert page.get_by_text("bestätigen Sie das").is_visible()
    page.get_by_label(re.compile("Ich weiss, was ich tue")).check()
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url(re.compile(rf"/domains/{domain.pk}/dns/$"))
    assert page.locator("td.value", has_text="v=DMARC1; p=reject").count() == 1
