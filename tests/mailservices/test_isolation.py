"""Another customer's objects answer 404 on every mail-service URL, read and write, and
nothing changes."""

import pytest
from django.urls import reverse

from mailservices.models import Address, Alias, Forward, MailService, Responder
from mailservices.services.addresses import alias_create, forward_create, responder_save
from tests.mailservices.conftest import MAIL_PASSWORD


@pytest.fixture
def foreign(other_address):
    """Objects of `other_customer`: service, address, alias, forward, responder."""
    from django.utils import timezone

    alias = alias_create(address=other_address, local_part="fremd-alias")
    forward = forward_create(address=other_address, destination="x@example.net")
    responder_save(
        address=other_address,
        enabled=True,
        subject="Weg",
        body="Weg.",
        starts_at=timezone.now(),
        ends_at=None,
        interval_days=7,
    )
    return {
        "service": other_address.service,
        "address": other_address,
        "alias": alias,
        "forward": forward,
    }


SERVICE_URLS = ["service_detail", "service_settings", "address_create", "catchall_create"]
ADDRESS_URLS = [
    "address_detail",
    "address_edit",
    "address_enable",
    "address_delete",
    "address_password",
    "address_responder",
    "alias_add",
    "forward_add",
    "address_mobileconfig",
]
POST_DATA = {
    "service_settings": {"spam_filter_enabled": ""},
    "address_create": {
        "local_part": "eindringling",
        "kind": "mailbox",
        "password1": MAIL_PASSWORD,
        "password2": MAIL_PASSWORD,
    },
    "catchall_create": {
        "kind": "mailbox",
        "password1": MAIL_PASSWORD,
        "password2": MAIL_PASSWORD,
        "confirm": "on",
    },
    "address_edit": {"display_name": "x"},
    "address_enable": {"enabled": "0"},
    "address_delete": {"confirm": "on"},
    "address_password": {
        "action": "set",
        "password1": "Fremd-Pass-9999",
        "password2": "Fremd-Pass-9999",
    },
    "address_responder": {"action": "delete"},
    "alias_add": {"local_part": "neu"},
    "forward_add": {"destination": "dieb@example.net"},
}


def snapshot():
    return (
        list(MailService.objects.values_list("pk", "spam_filter_enabled")),
        list(
            Address.objects.values_list(
                "pk",
                "local_part",
                "enabled",
                "password_hash",
                "display_name",
                "client_configured_at",
            )
        ),
        list(Alias.objects.values_list("pk", "local_part")),
        list(Forward.objects.values_list("pk", "destination")),
        list(Responder.objects.values_list("pk", "subject")),
    )


@pytest.mark.parametrize("name", SERVICE_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_foreign_service_urls_are_404(customer_client, service, foreign, name, method):
    before = snapshot()
    url = reverse(f"mailservices:{name}", args=[foreign["service"].pk])
    response = getattr(customer_client, method)(url, POST_DATA.get(name, {}))
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", ADDRESS_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_foreign_address_urls_are_404(customer_client, address, foreign, name, method):
    before = snapshot()
    url = reverse(f"mailservices:{name}", args=[foreign["address"].pk])
    response = getattr(customer_client, method)(url, POST_DATA.get(name, {}))
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", ["alias_delete", "forward_delete"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_foreign_alias_and_forward_delete_are_404(customer_client, address, foreign, name, method):
    before = snapshot()
    obj = foreign["alias"] if name == "alias_delete" else foreign["forward"]
    response = getattr(customer_client, method)(reverse(f"mailservices:{name}", args=[obj.pk]))
    assert response.status_code == 404
    assert snapshot() == before


def test_product_list_shows_only_own_services(customer_client, service, foreign):
    response = customer_client.get(reverse("mailservices:product_list"))
    assert [s.pk for s in response.context["services"]] == [service.pk]
    assert "fremd.ch" not in response.content.decode()


def test_user_without_customer_gets_404(client, make_user, service):
    client.force_login(make_user("ohne-kunde@example.org"))
    assert client.get(reverse("mailservices:product_list")).status_code == 404
    assert client.get(reverse("mailservices:service_detail", args=[service.pk])).status_code == 404
