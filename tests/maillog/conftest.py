import pytest

from mailservices.models import Alias
from mailservices.services import domain_create, mailservice_create
from mailservices.services.addresses import address_create


@pytest.fixture
def world(db, customer, other_customer):
    """Customer A (kunde-a.ch: anna, alias verkauf, shop) and customer B (kunde-b.ch: ben)."""
    service_a = mailservice_create(
        domain=domain_create(customer=customer, name="kunde-a.ch"), plan="service_mail"
    )
    service_b = mailservice_create(
        domain=domain_create(customer=other_customer, name="kunde-b.ch"), plan="service_mail"
    )
    anna = address_create(service=service_a, local_part="anna", password="Gletscher-Weg-2026!")
    shop = address_create(service=service_a, local_part="shop", password="Gletscher-Weg-2026!")
    ben = address_create(service=service_b, local_part="ben", password="Gletscher-Weg-2026!")
    Alias.objects.create(service=service_a, local_part="verkauf", address=anna)
    return {
        "customer": customer,
        "other": other_customer,
        "service_a": service_a,
        "service_b": service_b,
        "anna": anna,
        "shop": shop,
        "ben": ben,
    }
