"""Writes: staff overrides, the hourly roll-up, the counter clean-up and the usage emails."""

import logging
from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mailservices.models import Address
from portal.accounts.services import user_language
from portal.core.app_settings import app_settings as portal_settings
from portal.core.overrides import staff_override_end, staff_override_save
from portal.security.services import activity_record
from quotas import counters
from quotas.app_settings import app_settings as quota_settings
from quotas.limits import Channel
from quotas.models import SendingLimitOverride, UsageAlert, UsageHour
from quotas.selectors import addresses_by_email, sending_limits

logger = logging.getLogger(__name__)


# --- overrides -------------------------------------------------------------------------------


@transaction.atomic
def sending_limit_override_create(
    *,
    address: Address,
    limit: int,
    reason: str,
    request_reference: str,
    approved_by,
    channel: str = Channel.SMTP,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> SendingLimitOverride:
    """Sets a staff-approved limit for one paid address; the override before it ends."""
    override = staff_override_save(
        override=SendingLimitOverride(
            address=address,
            channel=channel,
            limit=limit,
            reason=reason,
            request_reference=request_reference,
            approved_by=approved_by,
            starts_at=starts_at,
            ends_at=ends_at,
        ),
        replaces=SendingLimitOverride.objects.filter(address=address, channel=channel),
        refused=_("Nur Mitarbeitende können ein Versandlimit anpassen."),
        end_note=_("Ersetzt durch neue Anpassung"),
    )
    customer, target = address.service.domain.customer, f"{address}: {channel} {limit}"
    activity_record(customer=customer, kind="limit_changed", target=target, user=approved_by)
    logger.info(
        "sending limit of address %s (%s) set to %s by %s, ref %s",
        address.pk,
        channel,
        limit,
        approved_by,
        override.request_reference,
    )
    return override


def sending_limit_override_end(
    *, override: SendingLimitOverride, ended_by, note: str = ""
) -> SendingLimitOverride:
    """Ends an override early; the plan's limit applies again. Ending twice changes nothing."""
    return staff_override_end(
        override=override,
        ended_by=ended_by,
        refused=_("Nur Mitarbeitende können ein Versandlimit anpassen."),
        end_note=note.strip()[:200] or _("Von Mitarbeitenden beendet"),
    )


# --- counters -> database --------------------------------------------------------------------


def _counter_addresses(client) -> list[tuple[str, str, Address]]:
    cids = client.counter_ids()
    parsed = [(cid, *counters.parse_counter_id(cid)) for cid in cids]
    addresses = addresses_by_email({sender for _cid, _ch, sender in parsed})
    result = []
    for cid, channel, sender in parsed:
        if sender in addresses and channel in Channel.values:
            result.append((cid, channel, addresses[sender]))
    return result


def usage_rollup(*, now: datetime | None = None, counters_client=None) -> int:
    """Writes recipients per address and hour into the database; prunes history > 90 days.

    Only hours that lie wholly inside the 24-hour window are written, because Redis still
    holds every message of them: the value written is the exact total, so running the
    roll-up again (or twice at once) writes the same numbers.
    """
    now = now or timezone.now()
    client = counters_client or counters.SendingCounters.from_settings()
    window_start = now - timedelta(seconds=quota_settings.WINDOW_SECONDS)
    known = _counter_addresses(client)
    hourly = client.hourly_many([cid for cid, _ch, _a in known], now=now)
    rows = [
        UsageHour(address=address, channel=channel, hour=hour, recipients=count)
        for cid, channel, address in known
        for hour, count in hourly.get(cid, {}).items()
        if hour > window_start
    ]
    if rows:
        UsageHour.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["address", "channel", "hour"],
            update_fields=["recipients"],
            batch_size=500,
        )
    cutoff = now - timedelta(days=quota_settings.HISTORY_DAYS)
    UsageHour.objects.filter(hour__lt=cutoff).delete()
    return len(rows)


def counters_clear_expired(*, now: datetime | None = None, counters_client=None) -> int:
    """The quota reset: drops messages older than the window and abandoned reservations.

    The scripts prune on every use too; this pass cleans counters nobody uses any more.
    Returns how many counters are empty now (and were removed).
    """
    now = now or timezone.now()
    client = counters_client or counters.SendingCounters.from_settings()
    usage = client.usage_many(client.counter_ids(), now=now)
    return sum(1 for u in usage.values() if u.used == 0 and u.reserved == 0)


# --- emails at 80 % and 100 % ----------------------------------------------------------------


def usage_alerts_send(*, now: datetime | None = None, counters_client=None) -> int:
    """Emails the customer once per 24-hour window when an address reaches 80 % / 100 %."""
    now = now or timezone.now()
    client = counters_client or counters.SendingCounters.from_settings()
    known = _counter_addresses(client)
    if not known:
        return 0
    usage = client.usage_many([cid for cid, _ch, _a in known], now=now)
    limits = sending_limits({a.pk: a for _c, _ch, a in known}.values(), now=now)
    sent = 0
    for cid, channel, address in known:
        limit = limits.get((address.pk, channel))
        if limit is None:
            continue
        used = usage[cid].used
        reached = [lv for lv in quota_settings.ALERT_LEVELS if used * 100 >= lv * limit.limit]
        if reached and _alert(
            address=address, channel=channel, levels=reached, used=used, limit=limit.limit, now=now
        ):
            sent += 1
    return sent


@transaction.atomic
def _alert(*, address, channel, levels, used, limit, now) -> bool:
    # The lock on the address serialises two runs of the task; the second finds the rows.
    locked = (
        Address.objects.select_for_update()
        .select_related("service__domain__customer__owner")
        .get(pk=address.pk)
    )
    since = now - timedelta(seconds=quota_settings.WINDOW_SECONDS)
    done = set(
        UsageAlert.objects.filter(
            address=locked, channel=channel, level__in=levels, sent_at__gt=since
        ).values_list("level", flat=True)
    )
    new = [lv for lv in levels if lv not in done]
    if not new:
        return False
    owner = locked.service.domain.customer.owner
    UsageAlert.objects.bulk_create(
        UsageAlert(
            address=locked,
            channel=channel,
            level=lv,
            used=used,
            limit=limit,
            recipient=owner.email,
            sent_at=now,
        )
        for lv in new
    )
    level = max(new)
    transaction.on_commit(
        lambda: _send_alert_mail(
            address=locked, channel=channel, level=level, used=used, limit=limit, to=owner.email
        )
    )
    return True


def _send_alert_mail(*, address, channel, level, used, limit, to):
    url = portal_settings.BASE_URL + reverse("quotas:address_usage", args=[address.pk])
    # In the language of the customer (the account owner's), like every mail we send them.
    with translation.override(user_language(address.service.domain.customer.owner)):
        context = {
            "address": str(address),
            "channel": Channel(channel).label,
            "level": level,
            "used": used,
            "limit": limit,
            "url": url,
            "newsletter_url": portal_settings.NEWSLETTER_URL,
            "provider_name": portal_settings.PROVIDER_NAME,
        }
        if level >= 100:
            subject = _("Versandlimit erreicht: %(address)s") % context
        else:
            subject = _("Versandlimit zu %(level)s %% ausgeschöpft: %(address)s") % context
        body = render_to_string("quotas/email/usage_alert.txt", context)
    send_mail(subject, body, None, [to])
