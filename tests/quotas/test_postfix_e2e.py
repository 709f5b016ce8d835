"""End to end: a real Postfix on 127.0.0.1 asks our policy service; smtplib clients send.

Postfix runs from a temporary directory (tests/quotas/postfix_harness.py); the policy
service runs in a thread of this process with a clock the tests move; Redis is the worker's
throwaway redis-server (and, for the outage, a second one that the test stops).
"""

import asyncio
import os
import shutil
import smtplib
import tempfile
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis

from mailservices.plans import Plan
from quotas.counters import AsyncSendingCounters, SendingCounters, counter_id
from quotas.policyd import LimitCache, PolicyService, resolve_limit_in_worker, start_server
from quotas.services import sending_limit_override_create
from tests.conftest import require_service
from tests.quotas.postfix_harness import PostfixInstance, postfix_available
from tests.redis_server import RedisServer, free_port

pytestmark = [pytest.mark.mailstack, pytest.mark.xdist_group("quotas-postfix")]

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


class PolicyThread:
    """The asyncio policy service on its own event loop in a background thread."""

    def __init__(self, service: PolicyService, port: int):
        self.service = service
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            start_server(self.service, "127.0.0.1", self.port)
        )
        self.ready.set()
        self.loop.run_forever()

    def start(self):
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def stop(self):
        self.server.close()
        self.call(self.server.wait_closed())
        self.service.limits.close()
        self.call(self.service.counters.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def stack(redis_server, django_db_blocker):
    require_service("postfix", postfix_available() and os.geteuid() == 0)
    prefix = f"e2e{uuid.uuid4().hex[:8]}:"
    clock = Clock()
    service = PolicyService(
        AsyncSendingCounters.from_url(redis_server.url, prefix=prefix),
        LimitCache(resolve_limit_in_worker, ttl=60),
        php_mail_networks=["127.0.0.0/8"],
        clock=clock,
    )
    policy = PolicyThread(service, free_port()).start()
    # Postfix's processes run as the postfix user: the directory must be traversable.
    workdir = tempfile.mkdtemp(prefix="quota-postfix-")
    os.chmod(workdir, 0o755)  # noqa: S103
    postfix = PostfixInstance(workdir, smtp_port=free_port(), policy_port=policy.port)
    try:
        postfix.start()
        yield {
            "postfix": postfix,
            "policy": policy,
            "clock": clock,
            "prefix": prefix,
            "redis": redis_server,
        }
    finally:
        postfix.stop()
        with django_db_blocker.unblock():
            policy.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def e2e(stack, transactional_db, settings):
    settings.PORTAL_BASE_URL = "https://portal.example"
    stack["clock"].now = T0
    return stack


def connect(stack, login: str | None):
    client = smtplib.SMTP("127.0.0.1", stack["postfix"].smtp_port, timeout=60)
    client.ehlo()
    if login:
        code, _msg = client.docmd("XCLIENT", f"LOGIN={login}")
        assert code == 220
        client.ehlo()
    return client


def send(client, sender, recipients) -> tuple[int, dict]:
    """Returns (accepted, refused); accepted is 0 when every recipient was refused."""
    message = f"From: {sender}\r\nSubject: Test\r\n\r\nHallo\r\n"
    try:
        refused = client.sendmail(sender, recipients, message)
    except smtplib.SMTPRecipientsRefused as exc:
        client.rset()
        return 0, exc.recipients
    return len(recipients) - len(refused), refused


def rcpts(n, tag="r"):
    return [f"{tag}{i}@empfaenger.example" for i in range(n)]


def used(stack, sender, channel="smtp"):
    counters = SendingCounters(redis.Redis.from_url(stack["redis"].url), prefix=stack["prefix"])
    cid = counter_id(channel=channel, sender=sender)
    try:
        return counters.usage_many([cid], now=stack["clock"].now)[cid].used
    finally:
        counters.client.close()


def test_exactly_the_limit_then_deferred_until_the_window_moves(e2e, make_service, make_address):
    address = make_address(make_service(plan=Plan.SERVICE_MAIL_STARTER, name="starter.ch"), "anna")
    sender = "anna@starter.ch"
    client = connect(e2e, sender)

    assert send(client, sender, rcpts(60, "a")) == (60, {})
    accepted, refused = send(client, sender, rcpts(41, "b"))
    assert accepted == 40
    [(code, text)] = refused.values()
    assert code == 450
    text = text.decode()
    assert "anna@starter.ch" in text and "100 recipients" in text
    assert f"https://portal.example/usage/addresses/{address.pk}/" in text

    accepted, refused = send(client, sender, rcpts(1, "c"))
    assert accepted == 0 and next(iter(refused.values()))[0] == 450
    assert used(e2e, sender) == 100

    e2e["clock"].now = T0 + timedelta(hours=23, minutes=59)
    assert send(client, sender, rcpts(1, "d"))[0] == 0
    e2e["clock"].now = T0 + timedelta(hours=24, minutes=1)
    assert send(client, sender, rcpts(5, "e")) == (5, {})
    client.quit()


def test_twenty_clients_racing_at_the_limit(e2e, make_service, make_address, staff_user):
    address = make_address(make_service(plan=Plan.KSUITE_PRO, name="race.ch"), "team")
    sending_limit_override_create(
        address=address, limit=150, reason="Test", request_reference="T-1", approved_by=staff_user
    )
    sender = "team@race.ch"
    totals = []
    errors = []
    barrier = threading.Barrier(20)

    def client_session(i):
        try:
            client = connect(e2e, sender)
            barrier.wait()
            for m in range(2):
                totals.append(send(client, sender, rcpts(10, f"c{i}m{m}x"))[0])
            client.quit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=client_session, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert len(totals) == 40
    assert sum(totals) == 150  # 400 recipients asked for, exactly the limit accepted
    assert used(e2e, sender) == 150


def test_php_mail_without_login_has_its_own_limit(e2e, make_service, make_address):
    make_address(make_service(plan=Plan.WEB_HOSTING, name="webshop.ch"), "shop")
    sender = "shop@webshop.ch"
    client = connect(e2e, None)  # unauthenticated, from the (test) hosting network
    accepted, refused = send(client, sender, rcpts(51, "p"))
    assert accepted == 50
    assert "50 recipients" in next(iter(refused.values()))[1].decode()
    client.quit()
    assert used(e2e, sender, channel="php_mail") == 50
    assert used(e2e, sender, channel="smtp") == 0


def test_redis_stopped_means_deferred(e2e, make_service, make_address, tmp_path):
    make_address(make_service(plan=Plan.KSUITE_PRO, name="outage.ch"), "otto")
    sender = "otto@outage.ch"
    policy = e2e["policy"]
    throwaway = RedisServer(tmp_path).start()
    shared = policy.service.counters
    policy.service.counters = AsyncSendingCounters.from_url(throwaway.url, prefix=e2e["prefix"])
    try:
        client = connect(e2e, sender)
        assert send(client, sender, rcpts(2, "ok")) == (2, {})
        throwaway.stop()
        accepted, refused = send(client, sender, rcpts(3, "down"))
        assert accepted == 0
        assert {code for code, _t in refused.values()} == {451}
        client.quit()
    finally:
        throwaway.stop()
        policy.call(policy.service.counters.aclose())
        policy.service.counters = shared
    assert "status=sent" in e2e["postfix"].maillog
