import io

import pytest
from django.urls import reverse

from mailservices.models import Address, Domain, MailService
from mailservices.passwords import verify_mail_password
from mailservices.services.addresses import alias_create, forward_create


@pytest.mark.parametrize(
    "model", ["domain", "mailservice", "address", "alias", "forward", "responder"]
)
def test_admin_changelists_and_add_pages(staff_client, address, model):
    assert staff_client.get(reverse(f"admin:mailservices_{model}_changelist")).status_code == 200
    assert staff_client.get(reverse(f"admin:mailservices_{model}_add")).status_code == 200


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("address", "anna"),  # by address
        ("address", "beispiel.ch"),  # by domain
        ("address", "anna@example.org"),  # by customer (owner's login)
        ("mailservice", "beispiel"),
        ("mailservice", "anna@example.org"),
        ("domain", "beispiel"),
        ("domain", "anna@example.org"),
        ("alias", "kontakt"),
        ("forward", "kopie@example.net"),
    ],
)
def test_admin_search(staff_client, address, model, query):
    alias_create(address=address, local_part="kontakt")
    forward_create(address=address, destination="kopie@example.net")
    response = staff_client.get(reverse(f"admin:mailservices_{model}_changelist"), {"q": query})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_admin_search_by_customer_number(staff_client, address, customer):
    url = reverse("admin:mailservices_address_changelist")
    response = staff_client.get(url, {"q": customer.number})
    assert response.context["cl"].result_count == 1


def test_admin_creates_domain_and_service_through_services(staff_client, customer):
    response = staff_client.post(
        reverse("admin:mailservices_domain_add"),
        {
            "customer": customer.pk,
            "name": "Bücher.CH",
            "source": "external",
            "mail_service-TOTAL_FORMS": "0",
            "mail_service-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors
    domain = Domain.objects.get()
    assert domain.name == "xn--bcher-kva.ch"
    response = staff_client.post(
        reverse("admin:mailservices_mailservice_add"),
        {
            "domain": domain.pk,
            "plan": "service_mail",
            "address_quota": "",
            "status": "active",
            "spam_filter_enabled": "on",
        },
    )
    assert response.status_code == 302
    service = MailService.objects.get()
    assert service.address_quota == 5  # the plan's default
    assert service.spam_filter_enabled and not service.external_warning_enabled


def test_demo_seed_is_idempotent_and_usable(customer):
    from mailservices import demo

    out = io.StringIO()
    demo.seed(customer=customer, stdout=out)
    demo.seed(customer=customer, stdout=out)
    assert demo.DEMO_MAIL_PASSWORD in out.getvalue()
    service = MailService.objects.get(domain__name=demo.DEMO_DOMAIN)
    assert service.is_paid and service.domain.customer == customer
    anna = Address.objects.get(service=service, local_part="anna.muster")
    assert verify_mail_password(demo.DEMO_MAIL_PASSWORD, anna.password_hash)
    assert anna.aliases.filter(local_part="kontakt").exists()
    assert anna.responder.enabled
    assert Address.objects.filter(service=service).count() == 3
