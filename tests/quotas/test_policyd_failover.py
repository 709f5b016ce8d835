"""The sending limit across a Redis failover: a real primary, replica and three sentinels;
the primary is killed while 20 clients send through two policy-service processes
(issue 17, item 5). PostgreSQL run only: the processes read the test database.

During the failover Postfix gets 451 (temporary), never DUNNO beyond the limit; afterwards
sending resumes up to exactly the limit, because each count that allowed a message was
confirmed by the replica (WAIT) before the answer went out."""

import asyncio
import time
from datetime import UTC, datetime

import pytest
import redis
from django.db import connection

from mailservices.models import Address
from mailservices.plans import Plan
from mailservices.services import domain_create, mailservice_create
from quotas.counters import SendingCounters, counter_id
from quotas.limits import Channel
from quotas.services import sending_limit_override_create
from tests import sentinel_cluster
from tests.conftest import require_service
from tests.quotas.policyd_procs import Policyd, block

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.xdist_group("policyd-procs")]

LIMIT = 300


@pytest.fixture
def cluster(tmp_path):
    require_service("redis-server and redis-sentinel", sentinel_cluster.available())
    cluster = sentinel_cluster.SentinelCluster(tmp_path).start()
    yield cluster
    cluster.stop()


@pytest.fixture
def address(transactional_db, customer, staff_user):
    if connection.vendor != "postgresql":
        pytest.skip("policyd processes read the database: PostgreSQL run only")
    domain = domain_create(customer=customer, name="ausfall.ch")
    service = mailservice_create(domain=domain, plan=Plan.KSUITE_PRO)
    address = Address.objects.create(service=service, local_part="team")
    sending_limit_override_create(
        address=address, limit=LIMIT, reason="Test", request_reference="T-2", approved_by=staff_user
    )
    return address


async def _client(ports, login, n, tally, phase):
    """Sends one-recipient messages until the limit answers after the failover."""
    conn = None
    attempt = 0
    while time.monotonic() < phase["deadline"]:
        attempt += 1
        if conn is None:
            try:
                conn = await asyncio.open_connection("127.0.0.1", ports[(n + attempt) % 2])
            except OSError:
                await asyncio.sleep(0.05)
                continue
        reader, writer = conn
        instance = f"c{n}.{attempt}"
        try:
            writer.write(block(sasl_username=login, instance=instance))
            await writer.drain()
            rcpt = await asyncio.wait_for(reader.readuntil(b"\n\n"), 10)
            if rcpt == b"action=DUNNO\n\n":
                eom = block(
                    sasl_username=login,
                    instance=instance,
                    protocol_state="END-OF-MESSAGE",
                    recipient_count="1",
                )
                writer.write(eom)
                await writer.drain()
                answer = await asyncio.wait_for(reader.readuntil(b"\n\n"), 10)
                key = "accepted" if answer == b"action=DUNNO\n\n" else "temporary"
                tally[key] += 1
                if key == "accepted" and phase["killed"] and not phase["failed_over"]:
                    tally["accepted_while_down"] += 1
            elif rcpt.startswith(b"action=450 4.7.1"):
                tally["limit"] += 1
                if phase["failed_over"]:
                    return
            else:
                tally["temporary"] += 1
        except (OSError, asyncio.IncompleteReadError, TimeoutError):
            writer.close()
            conn = None
        await asyncio.sleep(0.02)
    if conn is not None:
        conn[1].close()


def test_failover_never_lets_more_than_the_limit_through(cluster, address, tmp_path):
    login = "team@ausfall.ch"
    hosts = [
        Policyd(tmp_path, redis_url=cluster.url, workers=1, QUOTAS_REDIS_WAIT_REPLICAS="1")
        for _ in range(2)
    ]
    tallies = [
        {"accepted": 0, "temporary": 0, "limit": 0, "accepted_while_down": 0} for _ in range(20)
    ]
    phase = {
        "deadline": time.monotonic() + 90,
        "killed": False,
        "failed_over": False,
        "accepted_at_kill": 0,
    }

    async def run():
        ports = [h.port for h in hosts]
        clients = [
            asyncio.create_task(_client(ports, login, n, tallies[n], phase)) for n in range(20)
        ]
        while sum(t["accepted"] for t in tallies) < LIMIT // 3:
            await asyncio.sleep(0.02)
        phase["killed"] = True
        phase["accepted_at_kill"] = sum(t["accepted"] for t in tallies)
        await asyncio.to_thread(cluster.kill_primary)
        await asyncio.to_thread(cluster.wait_for_failover)
        phase["failed_over"] = True
        await asyncio.gather(*clients)

    try:
        asyncio.run(run())
    finally:
        for host in hosts:
            host.stop()
    accepted = sum(t["accepted"] for t in tallies)
    logs = "\n".join(h.log()[-2000:] for h in hosts)
    assert accepted <= LIMIT, logs  # never more than the limit
    assert accepted > phase["accepted_at_kill"]  # sending resumed after the failover
    assert sum(t["temporary"] for t in tallies) > 0  # the failover was answered with 451
    assert all(t["limit"] >= 1 for t in tallies)
    new_primary = SendingCounters(redis.Redis(port=cluster.replica.port), prefix="quota:")
    cid = counter_id(channel=Channel.SMTP, sender=login)
    usage = new_primary.usage_many([cid], now=datetime.now(tz=UTC))[cid]
    # Every accepted message is counted on the new primary (none lost in the failover). The
    # rest of the limit is held by reservations of transactions the failover cut between RCPT
    # and end of message; they are released when they expire (QUOTAS_RESERVATION_SECONDS).
    assert usage.used == accepted
    assert usage.used + usage.reserved == LIMIT
