"""Reads: the limit of an address, and its usage (live counters + hourly history)."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from mailservices.models import Address
from mailservices.validators import to_a_label
from quotas import counters
from quotas.app_settings import app_settings as quota_settings
from quotas.limits import PHP_MAIL_FALLBACK, Channel, LimitRule, plan_channels, plan_rule
from quotas.models import SendingLimitOverride, UsageHour

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendingLimit:
    """The limit in force for one address and channel, and where it comes from."""

    limit: int
    channel: str
    rule: LimitRule | None = None
    override: SendingLimitOverride | None = None

    @property
    def source(self) -> str:
        if self.override is not None:
            return "override"
        return "plan" if self.rule is not None else "default"


def _from_plan(address: Address, channel: str) -> SendingLimit:
    service = address.service
    rule = plan_rule(plan=service.plan, size=service.address_quota, channel=channel)
    if rule is not None:
        return SendingLimit(rule.limit, channel, rule=rule)
    if channel == Channel.PHP_MAIL:
        return SendingLimit(PHP_MAIL_FALLBACK, channel)
    return SendingLimit(quota_settings.UNKNOWN_SENDER_LIMIT, channel)


def sending_limits(
    addresses, *, now: datetime | None = None
) -> dict[tuple[int, str], SendingLimit]:
    """Limits per (address pk, channel) for addresses loaded with their service: one query."""
    now = now or timezone.now()
    addresses = list(addresses)
    active: dict[tuple[int, str], SendingLimitOverride] = {}
    overrides = SendingLimitOverride.objects.active(now).filter(address__in=addresses)
    for override in overrides.order_by("created_at", "pk"):
        active[(override.address_id, override.channel)] = override  # the latest wins
    result = {}
    for address in addresses:
        for channel in address_channels(address):
            override = active.get((address.pk, channel))
            if override is not None and address.service.is_paid:
                result[(address.pk, channel)] = SendingLimit(
                    override.limit, channel, override=override
                )
            else:
                result[(address.pk, channel)] = _from_plan(address, channel)
    return result


def sending_limit(address: Address, *, channel: str = Channel.SMTP, now=None) -> SendingLimit:
    limits = sending_limits([address], now=now)
    return limits.get((address.pk, channel)) or _from_plan(address, channel)


def address_channels(address: Address) -> list[str]:
    return plan_channels(address.service.plan) or [Channel.SMTP]


def address_for_sender(sender: str) -> Address | None:
    """The portal's address for a login or envelope sender (`Anna@Bücher.ch` works too)."""
    local, sep, domain = sender.strip().lower().rpartition("@")
    if not sep or not local:
        return None
    try:
        domain = to_a_label(domain)
    except ValidationError:
        return None
    return (
        Address.objects.select_related("service__domain")
        .filter(local_part=local, service__domain__name=domain)
        .first()
    )


def address_email(address: Address) -> str:
    """The address as the counters know it (ASCII domain, lower case)."""
    return f"{address.local_part}@{address.service.domain.name}"


def addresses_by_email(emails) -> dict[str, Address]:
    """Portal addresses for counter senders, in a few queries whatever their number."""
    by_domain: dict[str, set[str]] = {}
    for email in emails:
        local, sep, domain = email.rpartition("@")
        if sep and local:
            by_domain.setdefault(domain, set()).add(local)
    found: dict[str, Address] = {}
    domains = sorted(by_domain)
    for start in range(0, len(domains), 200):
        query = models.Q()
        for domain in domains[start : start + 200]:
            query |= models.Q(service__domain__name=domain, local_part__in=by_domain[domain])
        for address in Address.objects.select_related("service__domain").filter(query):
            found[address_email(address)] = address
    return found


# --- usage -----------------------------------------------------------------------------------


@dataclass
class ChannelUsage:
    """How much of its limit one address used on one channel within the last 24 hours."""

    address: Address
    channel: str
    limit: SendingLimit
    used: int
    reserved: int = 0
    live: bool = True
    frees_at: datetime | None = None
    hourly: dict[datetime, int] = field(default_factory=dict)  # the last `days` days
    window_hourly: dict[datetime, int] = field(default_factory=dict)  # exactly the 24 h

    @property
    def channel_label(self) -> str:
        return Channel(self.channel).label

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used / self.limit.limit)) if self.limit.limit else 100

    @property
    def remaining(self) -> int:
        return max(0, self.limit.limit - self.used)

    @property
    def level(self) -> str:
        if self.used >= self.limit.limit:
            return "full"
        return "warn" if self.percent >= 80 else "ok"


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _history(addresses, *, since: datetime) -> dict[tuple[int, str], dict[datetime, int]]:
    rows = UsageHour.objects.filter(address__in=addresses, hour__gte=since).values_list(
        "address_id", "channel", "hour", "recipients"
    )
    history: dict[tuple[int, str], dict[datetime, int]] = {}
    for address_id, channel, hour, recipients in rows:
        history.setdefault((address_id, channel), {})[hour] = recipients
    return history


def usage_for_addresses(
    addresses, *, now: datetime | None = None, days: int = 7, counters_client=None
) -> tuple[list[ChannelUsage], bool]:
    """Usage of each address and channel, with hourly figures for the last `days` days.

    Live figures come from Redis; history from the hourly roll-up. The hours still inside
    the 24-hour window are taken from Redis (exact); older hours from the database. If
    Redis cannot be reached the page still works from the roll-up and says so (live=False).
    Queries: one for overrides, one for history, whatever the number of addresses; with
    `days` <= 1 and Redis answering, Redis knows every hour asked for and the history
    query is left out.
    """
    now = now or timezone.now()
    addresses = list(addresses)
    limits = sending_limits(addresses, now=now)
    window_start = now - timedelta(seconds=quota_settings.WINDOW_SECONDS)
    since = _hour(now - timedelta(days=days))
    items = [
        ChannelUsage(address, channel, limits[(address.pk, channel)], used=0)
        for address in addresses
        for channel in address_channels(address)
    ]
    cids = [counters.counter_id(channel=u.channel, sender=address_email(u.address)) for u in items]
    live, hourly = {}, {}
    try:
        client = counters_client or counters.SendingCounters.from_settings()
        live = client.usage_many(cids, now=now)
        hourly = client.hourly_many(cids, now=now) if days else {}
        is_live = True
    except counters.RedisError:
        logger.warning("sending counters unreachable; showing the hourly roll-up", exc_info=True)
        is_live = False
    history = _history(addresses, since=since) if days > 1 or (days and not is_live) else {}
    for item, cid in zip(items, cids, strict=True):
        hours = dict(history.get((item.address.pk, item.channel), {}))
        if is_live:
            for hour in [h for h in hours if h > window_start]:
                del hours[hour]  # fully inside the window: Redis knows it exactly
            for hour, count in hourly.get(cid, {}).items():
                if hour > window_start:
                    hours[hour] = count
            item.window_hourly = dict(hourly.get(cid, {}))
            usage = live[cid]
            item.used, item.reserved = usage.used, usage.reserved
            if usage.oldest is not None and item.used >= item.limit.limit:
                item.frees_at = usage.oldest + timedelta(seconds=quota_settings.WINDOW_SECONDS)
        else:
            item.live = False
            item.window_hourly = {h: c for h, c in hours.items() if h >= _hour(window_start)}
            item.used = sum(item.window_hourly.values())
        item.hourly = hours
    return items, is_live


def usage_hourly_totals(addresses, *, since: datetime) -> dict[datetime, int]:
    """Recipients per hour summed over `addresses`, from the roll-up: one grouped query, so
    a week of a 500-mailbox service is 168 rows, not 84,000."""
    rows = (
        UsageHour.objects.filter(address__in=addresses, hour__gte=since)
        .values("hour")
        .annotate(recipients_sum=models.Sum("recipients"))
        .values_list("hour", "recipients_sum")
    )
    return dict(rows)


def usage_totals_by_hour(items: list[ChannelUsage], *, attr: str = "hourly") -> dict[datetime, int]:
    total: dict[datetime, int] = {}
    for item in items:
        for hour, count in getattr(item, attr).items():
            total[hour] = total.get(hour, 0) + count
    return total
