"""Demo data: a week of sending for the demo customer's mailboxes (history + live counters).

Idempotent: addresses that already have history are left alone. Without Redis only the
history is written; the pages then say that live figures are unavailable.
"""

import random
from collections import defaultdict
from datetime import timedelta

from django.utils import timezone

from mailservices.models import Address
from quotas import counters
from quotas.app_settings import app_settings as quota_settings
from quotas.limits import Channel
from quotas.models import UsageHour
from quotas.selectors import address_email, sending_limits

# Recipients in the last 24 hours per local part, so the demo shows calm and busy addresses.
LAST_DAY_TARGETS = {"anna.muster": 312, "buchhaltung": 1210}


def _messages(rng, *, now, last_day_total):
    """(time, recipients) of a plausible week: office hours, a few larger mailings."""
    result = []
    window = timedelta(seconds=quota_settings.WINDOW_SECONDS)
    for day in range(7, 0, -1):
        for _ in range(rng.randint(8, 30)):
            at = now - timedelta(days=day, hours=rng.randint(-10, 10), minutes=rng.randint(0, 59))
            if at < now - window:
                result.append((at, rng.choice([1, 1, 1, 2, 3, 5, 12, 40])))
    remaining = last_day_total
    while remaining > 0:
        n = min(remaining, rng.choice([1, 1, 2, 3, 8, 25, 60]))
        at = now - timedelta(minutes=rng.randint(5, 23 * 60))
        result.append((at, n))
        remaining -= n
    return sorted(result)


def seed(*, customer, stdout):
    addresses = list(
        Address.objects.for_customer(customer)
        .filter(kind=Address.Kind.MAILBOX)
        .select_related("service__domain")
    )
    fresh = [a for a in addresses if not UsageHour.objects.filter(address=a).exists()]
    if not fresh:
        stdout.write("  Versandlimits: demo usage exists")
        return
    now = timezone.now()
    window_start = now - timedelta(seconds=quota_settings.WINDOW_SECONDS)
    limits = sending_limits(fresh, now=now)
    try:
        live = counters.SendingCounters.from_settings()
        live.client.ping()
    except counters.RedisError:
        live = None
    for address in fresh:
        rng = random.Random(address.pk)  # noqa: S311 - demo figures, not secrets
        target = LAST_DAY_TARGETS.get(address.local_part, rng.randint(5, 60))
        hours = defaultdict(int)
        cid = counters.counter_id(channel=Channel.SMTP, sender=address_email(address))
        limit = limits[(address.pk, Channel.SMTP)].limit
        if live is not None:
            # The live counter must match the fresh history: a Redis that outlived an earlier
            # demo database would otherwise add this week on top of the last one.
            live.delete(cid)
        for i, (at, n) in enumerate(_messages(rng, now=now, last_day_total=target)):
            hours[at.replace(minute=0, second=0, microsecond=0)] += n
            if live is not None and at > window_start:
                live.commit(cid, instance=f"demo.{i}", recipients=n, limit=limit, now=at)
        UsageHour.objects.bulk_create(
            UsageHour(address=address, channel=Channel.SMTP, hour=h, recipients=c)
            for h, c in hours.items()
        )
    where = "history and live counters" if live is not None else "history only (no Redis)"
    stdout.write(f"  Versandlimits: demo usage for {len(fresh)} addresses ({where})")
