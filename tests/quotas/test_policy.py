"""The policy protocol (pure) and the asyncio policy service against a real Redis."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from mailservices.plans import Plan
from quotas import policy
from quotas.counters import AsyncSendingCounters
from quotas.limits import Channel
from quotas.policyd import LimitCache, PolicyService, ResolvedLimit, resolve_limit, start_server

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def request_block(**attrs) -> bytes:
    base = {"request": "smtpd_access_policy", "protocol_state": "RCPT", "instance": "a1.b2.c3"}
    base.update(attrs)
    return "".join(f"{k}={v}\n" for k, v in base.items()).encode() + b"\n"


def test_parse_request_and_format_response():
    req = policy.parse_request(request_block(sasl_username="Anna@Firma.CH", recipient_count="3"))
    assert (req.state, req.sasl_username, req.recipient_count) == ("RCPT", "anna@firma.ch", 3)
    assert policy.format_response("DUNNO") == b"action=DUNNO\n\n"
    assert policy.format_response("450 4.7.1 a\nb") == b"action=450 4.7.1 a b\n\n"


def test_parse_request_rejects_garbage():
    with pytest.raises(policy.ProtocolError):
        policy.parse_request(b"hello world\n")
    with pytest.raises(policy.ProtocolError):
        policy.parse_request(b"protocol_state=RCPT\n")


def test_subject_is_the_login_or_php_mail_sender():
    nets = policy.parse_networks(["10.20.0.0/16"])
    login = policy.parse_request(request_block(sasl_username="anna@firma.ch", sender="x@y.ch"))
    assert policy.subject_of(login, php_mail_networks=nets) == policy.Subject(
        "anna@firma.ch", Channel.SMTP
    )
    php = policy.parse_request(request_block(client_address="10.20.3.4", sender="Shop@Firma.ch"))
    assert policy.subject_of(php, php_mail_networks=nets) == policy.Subject(
        "shop@firma.ch", Channel.PHP_MAIL
    )
    inbound = policy.parse_request(request_block(client_address="203.0.113.9", sender="a@b.ch"))
    assert policy.subject_of(inbound, php_mail_networks=nets) is None


def test_deferral_names_address_limit_and_page():
    text = policy.deferral(sender="anna@firma.ch", limit=500, page_url="https://p.example/u/1/")
    assert text.startswith("450 4.7.1 ")
    assert "anna@firma.ch" in text and "500" in text and "https://p.example/u/1/" in text
    assert text.isascii()


def _service(counters_client, *, limit=5, clock=lambda: T0, networks=()):
    def resolve(subject):
        return ResolvedLimit(
            counter=f"{subject.channel}:{subject.sender}",
            sender=subject.sender,
            limit=limit,
            page_url="https://portal.example/usage/addresses/7/",
        )

    return PolicyService(
        counters_client, LimitCache(resolve, ttl=60), php_mail_networks=networks, clock=clock
    )


async def _ask(port, blocks):
    """One persistent connection, several requests, one answer each, in order."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answers = []
    for block in blocks:
        writer.write(block)
        await writer.drain()
        answers.append((await reader.readuntil(b"\n\n")).decode())
    writer.close()
    return answers


def run_with_server(url, prefix, scenario, **kw):
    async def main():
        client = AsyncSendingCounters.from_url(url, prefix=prefix)
        service = _service(client, **kw)
        server = await start_server(service, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            return await scenario(port)
        finally:
            server.close()
            await server.wait_closed()
            service.limits.close()
            await client.aclose()

    return asyncio.run(main())


def test_policyd_allows_up_to_the_limit_then_defers(redis_server, quota_redis, settings):
    rcpt = request_block(sasl_username="anna@firma.ch")
    eom = request_block(
        sasl_username="anna@firma.ch", protocol_state="END-OF-MESSAGE", recipient_count="5"
    )
    answers = run_with_server(
        redis_server.url, settings.QUOTAS_KEY_PREFIX, lambda port: _ask(port, [rcpt] * 6 + [eom])
    )
    assert answers[:5] == ["action=DUNNO\n\n"] * 5
    assert answers[5].startswith("action=450 4.7.1 ")
    assert "anna@firma.ch" in answers[5] and " 5 recipients" in answers[5]
    assert "https://portal.example/usage/addresses/7/" in answers[5]
    assert answers[6] == "action=DUNNO\n\n"


def test_policyd_ignores_inbound_mail_and_other_states(redis_server, quota_redis, settings):
    blocks = [
        request_block(client_address="203.0.113.5", sender="someone@else.example"),
        request_block(protocol_state="DATA", sasl_username="anna@firma.ch"),
    ]
    answers = run_with_server(
        redis_server.url, settings.QUOTAS_KEY_PREFIX, lambda port: _ask(port, blocks), limit=0
    )
    assert answers == ["action=DUNNO\n\n"] * 2
    assert list(quota_redis.scan_iter(match=f"{settings.QUOTAS_KEY_PREFIX}*")) == []


def test_policyd_many_connections_at_once(redis_server, quota_redis, settings):
    async def scenario(port):
        blocks = [request_block(sasl_username="bulk@firma.ch", instance=f"i{i}") for i in range(3)]
        results = await asyncio.gather(*[_ask(port, blocks) for _ in range(50)])
        return [a for answers in results for a in answers]

    answers = run_with_server(redis_server.url, settings.QUOTAS_KEY_PREFIX, scenario, limit=100)
    assert answers.count("action=DUNNO\n\n") == 100
    assert sum(a.startswith("action=450 ") for a in answers) == 50


def test_policyd_defers_when_redis_is_down(tmp_path, settings, caplog):
    from tests.redis_server import RedisServer

    throwaway = RedisServer(tmp_path).start()
    block = request_block(sasl_username="anna@firma.ch")

    async def scenario(port):
        first = await _ask(port, [block])
        throwaway.stop()
        second = await _ask(port, [block, block])
        return first + second

    try:
        answers = run_with_server(throwaway.url, "down:", scenario)
    finally:
        throwaway.stop()
    assert answers[0] == "action=DUNNO\n\n"
    assert all(a.startswith("action=451 4.3.0 ") for a in answers[1:])
    assert "sending counters unreachable" in caplog.text


def test_the_window_moves_on_with_the_clock(redis_server, quota_redis, settings):
    now = [T0]
    rcpt = request_block(sasl_username="anna@firma.ch")

    # the three recipients are committed, so they stay in the window for 24 hours
    eom = request_block(
        sasl_username="anna@firma.ch", protocol_state="END-OF-MESSAGE", recipient_count="3"
    )

    async def with_commit(port):
        await _ask(port, [rcpt] * 3 + [eom])
        now[0] = T0 + timedelta(hours=23, minutes=59)
        second = await _ask(port, [rcpt])
        now[0] = T0 + timedelta(hours=24, seconds=1)
        third = await _ask(port, [rcpt])
        return second, third

    second, third = run_with_server(
        redis_server.url, settings.QUOTAS_KEY_PREFIX, with_commit, limit=3, clock=lambda: now[0]
    )
    assert second[0].startswith("action=450 ")
    assert third[0] == "action=DUNNO\n\n"


def test_resolve_limit_from_the_database(db, make_service, make_address, settings):
    settings.PORTAL_BASE_URL = "https://portal.example"
    address = make_address(make_service(plan=Plan.SERVICE_MAIL, quota=8, name="bücher.ch"))
    found = resolve_limit(policy.Subject("Anna@Bücher.ch".lower(), Channel.SMTP))
    assert found.limit == 1440
    assert found.sender == "anna@xn--bcher-kva.ch"
    assert found.counter == "smtp:anna@xn--bcher-kva.ch"
    assert found.page_url == f"https://portal.example/usage/addresses/{address.pk}/"

    unknown = resolve_limit(policy.Subject("ghost@nowhere.example", Channel.SMTP))
    assert unknown.limit == 100  # never unlimited
    php = resolve_limit(policy.Subject("ghost@nowhere.example", Channel.PHP_MAIL))
    assert php.limit == 50


def test_limit_cache_serves_stale_entries_while_refreshing():
    calls = []

    def resolve(subject):
        calls.append(subject)
        return ResolvedLimit(counter="c", sender=subject.sender, limit=len(calls), page_url="u")

    async def scenario():
        cache = LimitCache(resolve, ttl=0)
        subject = policy.Subject("a@b.ch", Channel.SMTP)
        first = await asyncio.gather(*[cache.get(subject) for _ in range(5)])
        stale = await cache.get(subject)  # expired: answered at once, refresh started
        await asyncio.sleep(0.2)
        fresh = await cache.get(subject)
        cache.close()
        return first, stale, fresh

    first, stale, fresh = asyncio.run(scenario())
    assert [r.limit for r in first] == [1] * 5  # one lookup for five concurrent misses
    assert stale.limit == 1
    assert fresh.limit >= 2


def test_scripts_are_loaded_again_after_a_redis_restart(redis_server, quota_redis, settings):
    async def scenario():
        client = AsyncSendingCounters.from_url(redis_server.url, prefix=settings.QUOTAS_KEY_PREFIX)
        await client.client.script_flush()  # as after a restart of Redis
        decisions = await asyncio.gather(
            *[client.reserve("smtp:a@b.ch", instance=f"i{i}", limit=3, now=T0) for i in range(5)]
        )
        await client.aclose()
        return [d.allowed for d in decisions]

    assert sorted(asyncio.run(scenario())) == [False, False, True, True, True]
