"""Fixtures of the DAV tests: the real DAV server (Radicale behind our auth plugin) in a
thread of the test process, on a free port, with its storage in a temporary folder.

Why in-process: on the SQLite run the test database lives in this process's memory (a
shared-cache in-memory database), which a separate `manage.py davserver` process could not
open; a thread of the test process opens its own connection to the same database, so the
same tests run on SQLite and PostgreSQL. Data must be committed for the server's connection
to see it, hence `transactional_db`. `test_command.py` starts the real command once on a
file database to prove the wiring.
"""

import pytest

from mailservices.dav.server import DavServerThread
from mailservices.services import domain_create, mailservice_create
from mailservices.services.addresses import address_create

MAIL_PASSWORD = "Gletscher-Weg-2026!"
OTHER_PASSWORD = "Murmeltier-Pfad-77?"


@pytest.fixture
def dav_settings(settings, tmp_path):
    settings.PORTAL_DAV_FAILED_LOGIN_DELAY = 0
    settings.PORTAL_DAV_STORAGE_DIR = str(tmp_path / "dav")
    return settings


@pytest.fixture
def dav_server(transactional_db, dav_settings):
    with DavServerThread() as server:
        dav_settings.PORTAL_DAV_PUBLIC_URL = server.url
        yield server


@pytest.fixture
def dav_world(transactional_db, make_customer):
    """Two customers, each with a service and a mailbox address."""
    anna_customer = make_customer("anna@example.org")
    bruno_customer = make_customer("bruno@example.org")
    service = mailservice_create(
        domain=domain_create(customer=anna_customer, name="beispiel.ch"), plan="service_mail"
    )
    other_service = mailservice_create(
        domain=domain_create(customer=bruno_customer, name="fremd.ch"), plan="service_mail"
    )
    anna = address_create(service=service, local_part="anna", password=MAIL_PASSWORD)
    bruno = address_create(service=other_service, local_part="bruno", password=OTHER_PASSWORD)
    return {"customer": anna_customer, "service": service, "anna": anna, "bruno": bruno}
