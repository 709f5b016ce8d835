"""Fixtures of the mailbox tests: services and mailboxes on a plan, and the mail stack."""

import itertools

import pytest

from mailservices.services import domain_create, mailservice_create
from mailservices.services.addresses import address_create
from tests.mailstack.conftest import mail_stack, wait_for  # noqa: F401 (fixture re-export)

_numbers = itertools.count(1)
PASSWORD = "Firn-Grat-Stollen-2026"


@pytest.fixture
def make_service(customer):
    def make(*, plan="service_mail", customer_=None, name=None):
        domain = domain_create(
            customer=customer_ or customer, name=name or f"speicher-{next(_numbers)}.ch"
        )
        return mailservice_create(domain=domain, plan=plan, address_quota=10)

    return make


@pytest.fixture
def service(make_service):
    return make_service()


@pytest.fixture
def mailbox(service):
    return address_create(service=service, local_part="anna", password=PASSWORD)


@pytest.fixture
def customer_client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login
