import pytest

from mailservices.services.addresses import address_create

MAIL_PASSWORD = "Gletscher-Weg-2026!"


@pytest.fixture
def service(make_service, customer):
    return make_service(customer, "beispiel.ch")


@pytest.fixture
def other_service(make_service, other_customer):
    return make_service(other_customer, name="fremd.ch")


@pytest.fixture
def address(service):
    return address_create(service=service, local_part="anna", password=MAIL_PASSWORD)


@pytest.fixture
def other_address(other_service):
    return address_create(service=other_service, local_part="bruno", password=MAIL_PASSWORD)
