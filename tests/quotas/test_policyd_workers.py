"""Several policy-service processes and "hosts" on one Redis: the limit holds exactly
(issue 17, item 6). PostgreSQL run only: the processes read the test database."""

import asyncio
from datetime import UTC, datetime

import pytest
import redis
from django.db import connection

from mailservices.models import Address
from mailservices.plans import Plan
from mailservices.services import domain_create, mailservice_create
from quotas.counters import SendingCounters, counter_id
from quotas.limits import Channel
from tests.quotas.policyd_procs import Policyd, send_until_deferred

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.xdist_group("policyd-procs")]


@pytest.fixture
def starter_address(transactional_db, customer):
    if connection.vendor != "postgresql":
        pytest.skip("policyd processes read the database: PostgreSQL run only")
    domain = domain_create(customer=customer, name="rennen.ch")
    service = mailservice_create(domain=domain, plan=Plan.SERVICE_MAIL_STARTER)
    return Address.objects.create(service=service, local_part="anna")


def test_two_hosts_of_two_workers_never_exceed_the_limit(redis_server, starter_address, tmp_path):
    hosts = [Policyd(tmp_path, redis_url=redis_server.url, workers=2) for _ in range(2)]
    login = "anna@rennen.ch"
    try:

        async def race():
            ports = [h.port for h in hosts]
            return await asyncio.gather(
                *(send_until_deferred(ports, login, client=i, attempts=8) for i in range(20))
            )

        tallies = asyncio.run(race())
    finally:
        for host in hosts:
            host.stop()
    accepted = sum(t["accepted"] for t in tallies)
    deferred = sum(t["deferred"] for t in tallies)
    assert accepted == 100, [h.log() for h in hosts]  # Service Mail Starter: 100 per 24 h
    assert deferred == 160 - 100
    assert all(t["temporary"] == 0 and t["reconnects"] == 0 for t in tallies)
    live = SendingCounters(redis.Redis.from_url(redis_server.url), prefix="quota:")
    cid = counter_id(channel=Channel.SMTP, sender=login)
    assert live.usage_many([cid], now=datetime.now(tz=UTC))[cid].used == 100
    live.delete(cid)
