"""Fixtures of the mailbox tests: services and mailboxes on a plan, and the mail stack."""

import itertools

import pytest

from mailservices.services.addresses import address_create
from tests.i18n.conftest import german_leftovers  # noqa: F401 (fixture re-export)
from tests.mailstack.conftest import mail_stack, wait_for  # noqa: F401 (fixture re-export)

_numbers = itertools.count(1)
PASSWORD = "Firn-Grat-Stollen-2026"


@pytest.fixture
def service(make_service):
    return make_service(name=f"speicher-{next(_numbers)}.ch", quota=10)


@pytest.fixture
def mailbox(service):
    return address_create(service=service, local_part="anna", password=PASSWORD)


@pytest.fixture
def customer_client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login
