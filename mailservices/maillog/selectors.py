"""Reads of the delivery log: a customer's deliveries per address or service, newest first."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from mailservices.maillog.app_settings import app_settings
from mailservices.maillog.models import Delivery

OUT = "out"
IN = "in"
PAGE_SIZE = 50
PROBLEMS = "problems"  # every status but sent
LIMIT = PAGE_SIZE + 1  # rows a page reads (one more tells whether there is a next page)


@dataclass(frozen=True)
class DeliveryFilter:
    direction: str = OUT
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None
    counterpart: str = ""
    before: tuple[datetime, int] | None = None  # keyset: rows older than (time, id)


def _apply(qs: QuerySet, f: DeliveryFilter, *, now: datetime) -> QuerySet:
    since = now - timedelta(days=app_settings.RETENTION_DAYS)
    tz = timezone.get_current_timezone()
    if f.date_from:
        since = max(since, datetime.combine(f.date_from, time.min, tzinfo=tz))
    qs = qs.filter(time__gte=since)
    if f.date_to:
        qs = qs.filter(time__lt=datetime.combine(f.date_to + timedelta(days=1), time.min, tz))
    if f.status and f.status != PROBLEMS:
        qs = qs.filter(status=f.status)
        if f.status != "sent":
            qs = qs.exclude(status="sent")  # lets PostgreSQL use the small status indexes
    if f.counterpart:
        field = "recipient" if f.direction == OUT else "sender"
        wanted = f.counterpart.strip().lower()
        if "@" in wanted and not wanted.startswith("@"):
            qs = qs.filter(**{field: wanted})  # a whole address: its own index
        else:
            qs = qs.filter(**{f"{field}__contains": wanted})  # stored lower-case
    if f.before:
        at, pk = f.before
        qs = qs.filter(Q(time__lt=at) | Q(time=at, pk__lt=pk))
    if f.status == PROBLEMS:
        problems = [s for s in Delivery.Status.values if s != "sent"]
        if connection.features.supports_slicing_ordering_in_compound:
            # One short index range per status, merged: no scan over all problem rows.
            parts = [
                qs.filter(status=s).exclude(status="sent").order_by("-time", "-pk")[:LIMIT]
                for s in problems
            ]
            return parts[0].union(*parts[1:], all=True).order_by("-time", "-pk")
        qs = qs.filter(status__in=problems)
    return qs.order_by("-time", "-pk")


def deliveries_for_address(*, address_id: int, f: DeliveryFilter, now=None) -> QuerySet:
    """One address's sent (out) or received (in) deliveries of the retention period."""
    column = "sender_address_id" if f.direction == OUT else "recipient_address_id"
    qs = Delivery.objects.filter(**{column: address_id})
    return _apply(qs, f, now=now or timezone.now())


def deliveries_for_service(*, service_id: int, f: DeliveryFilter, now=None) -> QuerySet:
    """All addresses of one mail service, sent (out) or received (in)."""
    column = "sender_service_id" if f.direction == OUT else "recipient_service_id"
    qs = Delivery.objects.filter(**{column: service_id})
    return _apply(qs, f, now=now or timezone.now())


def page_of(qs: QuerySet, *, size: int = PAGE_SIZE) -> tuple[list[Delivery], tuple | None]:
    """One page (keyset: no COUNT over millions of rows) and the cursor of the next one."""
    rows = list(qs[: size + 1])
    if len(rows) > size:
        last = rows[size - 1]
        return rows[:size], (last.time, last.pk)
    return rows, None
