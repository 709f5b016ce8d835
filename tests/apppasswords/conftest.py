import pytest

MAIL_PASSWORD = "Gletscher-Weg-2026!"


@pytest.fixture
def service(make_service, customer):
    return make_service(customer, name="beispiel.ch")


@pytest.fixture
def address(service, make_address):
    return make_address(service, "anna", password=MAIL_PASSWORD)


@pytest.fixture
def other_address(make_service, other_customer, make_address):
    service = make_service(other_customer, name="fremd.ch")
    return make_address(service, "bruno", password=MAIL_PASSWORD)
