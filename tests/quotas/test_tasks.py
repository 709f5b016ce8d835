"""Celery beat work: hourly roll-up, counter clean-up, usage emails; each safe to run twice."""

from datetime import UTC, datetime, timedelta

from django.core import mail

from mailservices.plans import Plan
from quotas import tasks
from quotas.counters import counter_id
from quotas.models import UsageAlert, UsageHour
from quotas.schedule import SCHEDULE as BEAT_SCHEDULE
from quotas.services import counters_clear_expired, usage_alerts_send, usage_rollup

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def commit(counters, sender, n, at, instance):
    counters.commit(
        counter_id(channel="smtp", sender=sender),
        instance=instance,
        recipients=n,
        limit=10_000,
        now=at,
    )


def test_rollup_writes_exact_hours_and_is_idempotent(counters, make_service, make_address):
    address = make_address(make_service(plan=Plan.KSUITE_PRO, name="roll.ch"), "anna")
    commit(counters, "anna@roll.ch", 3, T0 + timedelta(minutes=10), "a")
    commit(counters, "anna@roll.ch", 4, T0 + timedelta(minutes=50), "b")
    commit(counters, "anna@roll.ch", 5, T0 + timedelta(hours=1, minutes=5), "c")
    commit(counters, "nobody@elsewhere.example", 9, T0, "d")  # not a portal address: skipped
    now = T0 + timedelta(hours=1, minutes=30)
    assert usage_rollup(now=now, counters_client=counters) == 2
    assert usage_rollup(now=now, counters_client=counters) == 2
    rows = dict(UsageHour.objects.filter(address=address).values_list("hour", "recipients"))
    assert rows == {T0: 7, T0 + timedelta(hours=1): 5}

    # a day later the first hour has left the window: its row is kept, never overwritten
    later = T0 + timedelta(hours=24, minutes=20)
    usage_rollup(now=later, counters_client=counters)
    assert UsageHour.objects.get(address=address, hour=T0).recipients == 7


def test_rollup_keeps_90_days(counters, make_service, make_address):
    address = make_address(make_service(plan=Plan.KSUITE_PRO, name="alt.ch"), "anna")
    UsageHour.objects.create(address=address, hour=T0 - timedelta(days=91), recipients=1)
    UsageHour.objects.create(address=address, hour=T0 - timedelta(days=89), recipients=1)
    usage_rollup(now=T0, counters_client=counters)
    assert UsageHour.objects.count() == 1


def test_clear_expired_counters(counters, quota_redis):
    commit(counters, "anna@x.ch", 3, T0, "a")
    counters.reserve(counter_id(channel="smtp", sender="bob@x.ch"), instance="q", limit=5, now=T0)
    assert counters_clear_expired(now=T0 + timedelta(minutes=1), counters_client=counters) == 0
    assert counters_clear_expired(now=T0 + timedelta(days=1), counters_client=counters) == 2
    assert counters.counter_ids() == []
    assert counters_clear_expired(now=T0 + timedelta(days=1), counters_client=counters) == 0


def test_alerts_at_80_and_100_percent_once_per_window(
    counters, make_service, make_address, customer, django_capture_on_commit_callbacks
):
    address = make_address(make_service(plan=Plan.MY_KSUITE, name="warn.ch"), "anna")  # limit 500
    commit(counters, "anna@warn.ch", 390, T0, "a")
    assert (
        send_alerts(django_capture_on_commit_callbacks, now=T0, counters_client=counters) == 0
    )  # 78 %

    commit(counters, "anna@warn.ch", 20, T0 + timedelta(minutes=1), "b")  # 82 %
    now = T0 + timedelta(minutes=2)
    assert send_alerts(django_capture_on_commit_callbacks, now=now, counters_client=counters) == 1
    assert (
        send_alerts(django_capture_on_commit_callbacks, now=now, counters_client=counters) == 0
    )  # run twice: one email
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [customer.owner.email]
    assert "80 %" in mail.outbox[0].subject and "anna@warn.ch" in mail.outbox[0].subject
    assert "410 von 500" in mail.outbox[0].body
    assert f"/usage/addresses/{address.pk}/" in mail.outbox[0].body

    commit(counters, "anna@warn.ch", 90, T0 + timedelta(minutes=3), "c")  # 100 %
    assert (
        send_alerts(
            django_capture_on_commit_callbacks,
            now=T0 + timedelta(minutes=4),
            counters_client=counters,
        )
        == 1
    )
    assert "Versandlimit erreicht" in mail.outbox[1].subject
    assert (
        send_alerts(
            django_capture_on_commit_callbacks,
            now=T0 + timedelta(hours=5),
            counters_client=counters,
        )
        == 0
    )
    assert sorted(UsageAlert.objects.values_list("level", flat=True)) == [80, 100]

    # the next window: the counter fell back and rose again -> a new email
    commit(counters, "anna@warn.ch", 450, T0 + timedelta(hours=25), "d")
    assert (
        send_alerts(
            django_capture_on_commit_callbacks,
            now=T0 + timedelta(hours=25),
            counters_client=counters,
        )
        == 1
    )
    assert len(mail.outbox) == 3


def send_alerts(capture, **kw):
    with capture(execute=True):
        return usage_alerts_send(**kw)


def test_tasks_run_through_celery_and_are_scheduled(counters, make_service, make_address):
    make_address(make_service(plan=Plan.KSUITE_PRO, name="celery.ch"), "anna")
    for name in ("usage_rollup", "counters_clear_expired", "usage_alerts_send"):
        result = getattr(tasks, name).delay()
        assert result.successful()
    assert {e["task"] for e in BEAT_SCHEDULE.values()} == {
        "quotas.usage_rollup",
        "quotas.counters_clear_expired",
        "quotas.usage_alerts_send",
    }
