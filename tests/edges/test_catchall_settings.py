"""Catch-all form and service settings: typed passwords survive a forgotten checkbox, the
spam filter is not switched off beside a catch-all without a warning, the folder's real name."""

import pytest
from django.urls import reverse

from mailservices.mailstack.sieve import JUNK_MAILBOX
from mailservices.models import Address, MailService
from mailservices.services import domain_create, mailservice_create, mailservice_update_settings
from mailservices.services.addresses import catchall_create

pytestmark = pytest.mark.django_db

MAIL_PASSWORD = "Gletscher-Weg-2026!"


@pytest.fixture
def service(customer):
    return mailservice_create(
        domain=domain_create(customer=customer, name="fang.ch"), plan="service_mail"
    )


def _post_catchall(client, service, **data):
    form = {"kind": "mailbox", "password1": MAIL_PASSWORD, "password2": MAIL_PASSWORD, **data}
    return client.post(reverse("mailservices:catchall_create", args=[service.pk]), form)


def test_forgotten_confirmation_keeps_the_typed_passwords(customer_client, service):
    response = _post_catchall(customer_client, service)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bitte bestätigen Sie, dass Sie die Hinweise gelesen haben." in html
    assert html.count(f'value="{MAIL_PASSWORD}"') == 2
    assert not Address.objects.filter(service=service).exists()
    # Ticking the box is then all it takes.
    response = _post_catchall(customer_client, service, confirm="on")
    assert response.status_code == 302
    assert Address.objects.get(service=service).local_part == "catchall"


def test_invalid_or_different_passwords_are_not_sent_back(customer_client, service):
    html = _post_catchall(customer_client, service, password2="anders-als-oben-2026").content
    assert MAIL_PASSWORD.encode() not in html and b"anders-als-oben" not in html
    assert "Die beiden Passwörter stimmen nicht überein.".encode() in html


def test_catchall_page_warns_when_the_spam_filter_is_off(customer_client, service):
    url = reverse("mailservices:catchall_create", args=[service.pk])
    assert 'id="catchall-spam-filter-off"' not in customer_client.get(url).content.decode()
    mailservice_update_settings(
        service=service, spam_filter_enabled=False, external_warning_enabled=True
    )
    assert 'id="catchall-spam-filter-off"' in customer_client.get(url).content.decode()


def _settings(client, service, **data):
    url = reverse("mailservices:service_settings", args=[service.pk])
    return client.post(url, {"external_warning_enabled": "on", **data})


def test_switching_the_spam_filter_off_beside_a_catchall_asks_first(customer_client, service):
    catchall_create(service=service, confirmed=True, kind="mailbox", password=MAIL_PASSWORD)
    page = customer_client.get(reverse("mailservices:service_settings", args=[service.pk]))
    assert 'id="spam-filter-catchall"' in page.content.decode()

    response = _settings(customer_client, service)  # spam filter unticked
    assert response.status_code == 200
    assert (
        "Ohne Spamfilter landet der Spam an catchall@fang.ch im Posteingang"
        in response.content.decode()
    )
    assert MailService.objects.get(pk=service.pk).spam_filter_enabled is True

    response = _settings(customer_client, service, confirm_without_spam_filter="on")
    assert response.status_code == 302
    assert MailService.objects.get(pk=service.pk).spam_filter_enabled is False
    page = customer_client.get(reverse("mailservices:service_settings", args=[service.pk]))
    assert "Wir empfehlen, ihn wieder einzuschalten." in page.content.decode()


def test_without_catchall_the_spam_filter_switches_off_at_once(customer_client, service):
    assert _settings(customer_client, service).status_code == 302
    assert MailService.objects.get(pk=service.pk).spam_filter_enabled is False


def test_settings_name_the_folder_the_stack_creates(customer_client, service):
    html = customer_client.get(
        reverse("mailservices:service_settings", args=[service.pk])
    ).content.decode()
    assert f"im Ordner „{JUNK_MAILBOX}“" in html and JUNK_MAILBOX == "Junk"


def test_one_address_is_singular_everywhere(customer_client, customer):
    """my kSuite: one address, never "1 Adressen"."""
    from mailservices.services.addresses import address_create

    single = mailservice_create(
        domain=domain_create(customer=customer, name="einzeln.ch"), plan="my_ksuite"
    )
    address_create(service=single, local_part="anna", password=MAIL_PASSWORD)
    pages = [
        reverse("mailservices:service_detail", args=[single.pk]),
        reverse("mailservices:address_create", args=[single.pk]),
        reverse("shop:add_addresses", args=[single.pk]),
        reverse("shop:change_plan", args=[single.pk]),
    ]
    for url in pages:
        html = customer_client.get(url).content.decode()
        assert " 1 Adressen" not in html, url
    assert "1 von 1 Adresse genutzt" in customer_client.get(pages[0]).content.decode()
    assert "höchstens 1 Adresse." in customer_client.get(pages[2]).content.decode()
