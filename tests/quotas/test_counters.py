"""The Redis counters: exact rolling window, reservations, commits, concurrency."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from quotas.counters import SendingCounters, counter_id

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
CID = counter_id(channel="smtp", sender="anna@firma.ch")


def send(counters, n, *, at, instance, limit=10):
    """A transaction: n RCPTs, then END-OF-MESSAGE with the accepted count."""
    accepted = 0
    for _ in range(n):
        if counters.reserve(CID, instance=instance, limit=limit, now=at).allowed:
            accepted += 1
    counters.commit(CID, instance=instance, recipients=accepted, limit=limit, now=at)
    return accepted


def test_exactly_the_limit_is_accepted(counters):
    assert send(counters, 7, at=T0, instance="a") == 7
    assert send(counters, 7, at=T0 + timedelta(minutes=1), instance="b") == 3
    usage = counters.usage_many([CID], now=T0 + timedelta(minutes=2))[CID]
    assert (usage.used, usage.reserved) == (10, 0)


def test_the_window_rolls_message_by_message(counters):
    send(counters, 4, at=T0, instance="a")
    send(counters, 6, at=T0 + timedelta(hours=5), instance="b")
    just_before = T0 + timedelta(hours=24, milliseconds=-1)  # still inside the 24 h
    assert send(counters, 1, at=just_before, instance="c") == 0
    after = T0 + timedelta(hours=24)  # 24 h later the first message no longer counts: 4 free
    assert send(counters, 9, at=after, instance="d") == 4
    assert counters.usage_many([CID], now=after)[CID].used == 10


def test_reservations_of_open_transactions_count(counters):
    for _ in range(6):
        assert counters.reserve(CID, instance="open", limit=10, now=T0).allowed
    assert send(counters, 6, at=T0, instance="other") == 4


def test_abandoned_reservation_is_released_after_its_expiry(counters):
    for _ in range(10):
        counters.reserve(CID, instance="quit", limit=10, now=T0)
    assert not counters.reserve(CID, instance="x", limit=10, now=T0).allowed
    later = T0 + timedelta(seconds=counters.reservation_ms / 1000 + 1)
    assert counters.reserve(CID, instance="x", limit=10, now=later).allowed
    assert counters.usage_many([CID], now=later)[CID].used == 0


def test_commit_counts_only_accepted_recipients(counters):
    for _ in range(5):
        counters.reserve(CID, instance="m", limit=10, now=T0)
    # two recipients were rejected later by another restriction: Postfix reports 3
    decision = counters.commit(CID, instance="m", recipients=3, limit=10, now=T0)
    assert decision.allowed and (decision.used, decision.reserved) == (3, 0)


def test_commit_after_expired_reservation_is_checked_again(counters):
    for _ in range(8):
        counters.reserve(CID, instance="slow", limit=10, now=T0)
    late = T0 + timedelta(seconds=counters.reservation_ms / 1000 + 1)
    assert send(counters, 5, at=late, instance="fast") == 5  # the expired 8 no longer block
    decision = counters.commit(CID, instance="slow", recipients=8, limit=10, now=late)
    assert not decision.allowed  # 5 + 8 > 10: the slow message is deferred at end of data
    assert counters.usage_many([CID], now=late)[CID].used == 5


def test_counters_expire_in_redis(counters, quota_redis):
    send(counters, 2, at=T0, instance="a")
    ttl = quota_redis.pttl(counters.keys(CID)[0])
    assert counters.window_ms < ttl <= counters.keep_ms


def test_hourly_figures(counters):
    send(counters, 2, at=T0 + timedelta(minutes=5), instance="a")
    send(counters, 3, at=T0 + timedelta(minutes=55), instance="b")
    send(counters, 4, at=T0 + timedelta(hours=2, minutes=1), instance="c")
    hours = counters.hourly_many([CID], now=T0 + timedelta(hours=3))[CID]
    assert hours == {T0: 5, T0 + timedelta(hours=2): 4}


def test_counter_ids_and_cleanup(counters):
    other = counter_id(channel="php_mail", sender="shop@firma.ch")
    send(counters, 1, at=T0, instance="a")
    counters.reserve(other, instance="b", limit=5, now=T0)
    assert counters.counter_ids() == sorted([CID, other])
    counters.usage_many([CID, other], now=T0 + timedelta(days=2))
    assert counters.counter_ids() == []


def test_parallel_sessions_never_exceed_the_limit(counters, redis_server):
    limit = 50
    accepted = []
    barrier = threading.Barrier(20)

    def session(i):
        own = SendingCounters.from_settings()
        barrier.wait()
        for m in range(3):
            n = 0
            for _ in range(4):
                if own.reserve(CID, instance=f"s{i}.{m}", limit=limit, now=T0).allowed:
                    n += 1
            own.commit(CID, instance=f"s{i}.{m}", recipients=n, limit=limit, now=T0)
            accepted.append(n)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(accepted) == limit  # 240 asked for, exactly 50 granted
    assert counters.usage_many([CID], now=T0)[CID].used == limit


@pytest.mark.parametrize("n", [0, 1])
def test_empty_commit_is_harmless(counters, n):
    decision = counters.commit(CID, instance="none", recipients=0, limit=n or 1, now=T0)
    assert decision.allowed and decision.used == 0
