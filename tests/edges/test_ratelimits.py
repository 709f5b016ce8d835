"""Per-client limits of the portal's expensive endpoints, keyed by the client behind the proxy."""

import io

import pytest
from django.urls import reverse

from mailservices.services import domain_create, mailservice_create
from tests.messagetools import builders as b

pytestmark = pytest.mark.django_db

A, B = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def limited(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PORTAL_RATE_LIMITS = {"message_check": "2/h", "diagnosis_run": "2/m", "kb_api": "2/m"}


def test_dns_check_button_is_limited_per_client(customer_client, customer, limited):
    service = mailservice_create(
        domain=domain_create(customer=customer, name="limit.test"), plan="service_mail"
    )
    url = reverse("diagnosis:run", args=[service.pk])
    codes = [customer_client.post(url, HTTP_X_FORWARDED_FOR=A).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert "später" in customer_client.post(url, HTTP_X_FORWARDED_FOR=A).content.decode()
    assert customer_client.post(url, HTTP_X_FORWARDED_FOR=B).status_code == 302


def test_message_check_is_limited_per_client(customer_client, limited):
    url = reverse("messagetools:message_check")

    def post(ip):
        upload = io.BytesIO(b.message())
        upload.name = "n.eml"
        return customer_client.post(url, {"file": upload}, HTTP_X_FORWARDED_FOR=ip).status_code

    assert [post(A) for _ in range(3)] == [302, 302, 429]
    assert post(B) == 302


def test_limits_off_when_configured_empty(client, settings):
    settings.PORTAL_RATE_LIMITS = {}
    url = reverse("kb:api_search")
    assert all(client.get(url, {"q": "x"}).status_code == 200 for _ in range(70))


def test_an_ipv6_client_is_counted_per_64_network(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PORTAL_RATE_LIMITS = {"kb_api": "2/m"}
    url = reverse("kb:api_search")

    def ask(ip):
        return client.get(url, {"q": "x"}, HTTP_X_FORWARDED_FOR=ip).status_code

    assert [ask("2001:db8:1:2::1"), ask("2001:db8:1:2::2"), ask("2001:db8:1:2:ffff::3")] == [
        200,
        200,
        429,
    ]
    assert ask("2001:db8:1:3::1") == 200  # another /64
