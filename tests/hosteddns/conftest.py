"""Fixtures of the hosted-DNS tests: one real PowerDNS per test session (per xdist worker)
reading the test PostgreSQL database.

PowerDNS reads over its own connection, so the tests that ask it use committed data
(`django_db(transaction=True)`). On the SQLite run these tests skip (the test database is
in the test process's memory), also under CI=true; on the PostgreSQL run they must run:
a missing pdns_server fails them under CI=true.
"""

import pytest
from django.db import connection

from tests.conftest import require_service


@pytest.fixture(scope="session")
def powerdns(django_db_setup, django_db_blocker):
    """PowerDNS serving the test database's hosted zones; stopped at the end."""
    from mailservices.hosteddns import server
    from tests.hosteddns.harness import PowerDns, missing_binaries

    if connection.vendor != "postgresql":
        pytest.skip("PowerDNS reads PostgreSQL; the SQLite test database is in memory")
    missing = missing_binaries()
    require_service("PowerDNS (" + ", ".join(missing) + ")", not missing)
    with django_db_blocker.unblock():
        database = server.Database.from_connection()
    pdns = PowerDns(database)
    try:
        pdns.start()
    except Exception:
        pdns.stop()
        raise
    yield pdns
    pdns.stop()


@pytest.fixture
def hosted_domain(make_customer):
    """A domain registered with us (its zone served by our name server)."""
    from mailservices.models import Domain

    def make(name="hosted.test", customer=None):
        customer = customer or make_customer()
        return Domain.objects.create(customer=customer, name=name, source="registered")

    return make
