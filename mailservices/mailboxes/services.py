"""Writes of the storage part: staff overrides and the 80 % / 100 % emails."""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mailservices.mailboxes.models import StorageAlert, StorageOverride
from mailservices.mailboxes.selectors import addresses_over_level, storage_of
from mailservices.models import Address
from portal.core.app_settings import app_settings as core_settings
from portal.core.overrides import staff_override_end, staff_override_save
from portal.security.services import activity_record

logger = logging.getLogger(__name__)


@transaction.atomic
def storage_override_create(
    *,
    address: Address,
    quota_mb: int,
    reason: str,
    request_reference: str,
    approved_by,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> StorageOverride:
    """Sets a staff-approved storage size for one address; the override before it ends."""
    override = staff_override_save(
        override=StorageOverride(
            address=address,
            quota_mb=quota_mb,
            reason=reason,
            request_reference=request_reference,
            approved_by=approved_by,
            starts_at=starts_at,
            ends_at=ends_at,
        ),
        replaces=StorageOverride.objects.filter(address=address),
        refused=_("Nur Mitarbeitende können den Speicherplatz anpassen."),
    )
    customer, target = address.service.domain.customer, f"{address}: {quota_mb} MB"
    activity_record(customer=customer, kind="limit_changed", target=target, user=approved_by)
    logger.info(
        "storage of address %s set to %s MB by %s, ref %s",
        address.pk,
        quota_mb,
        approved_by,
        override.request_reference,
    )
    return override


def storage_override_end(*, override: StorageOverride, ended_by) -> StorageOverride:
    """Ends an override early: the plan's size applies again. Ending twice changes nothing."""
    return staff_override_end(
        override=override,
        ended_by=ended_by,
        refused=_("Nur Mitarbeitende können den Speicherplatz anpassen."),
    )


def storage_alerts_send(*, now: datetime | None = None) -> int:
    """Emails the owner once per crossing when a mailbox reaches 80 % / 100 % of its storage.

    A crossing is a level higher than the last one recorded for the address; falling below a
    level is recorded too (without an email), so the next rise above it sends again.
    """
    now = now or timezone.now()
    addresses = list(addresses_over_level(now=now))
    latest = _latest_levels([a.pk for a in addresses])
    sent = 0
    for address in addresses:
        storage = storage_of(address)
        level = storage.level
        if level != latest.get(address.pk, 0) and _record(
            address=address, level=level, storage=storage, now=now
        ):
            sent += level > latest.get(address.pk, 0)
    return sent


def _latest_levels(address_ids: list[int]) -> dict[int, int]:
    levels: dict[int, int] = {}
    rows = (
        StorageAlert.objects.filter(address_id__in=address_ids)
        .order_by("address_id", "-sent_at", "-pk")
        .values_list("address_id", "level")
    )
    for address_id, level in rows:
        levels.setdefault(address_id, level)
    return levels


@transaction.atomic
def _record(*, address, level, storage, now) -> bool:
    # The lock on the address serialises two runs of the task; the second sees the new row.
    Address.objects.select_for_update().filter(pk=address.pk).first()
    last = (
        StorageAlert.objects.filter(address=address)
        .order_by("-sent_at", "-pk")
        .values_list("level", flat=True)
        .first()
    ) or 0
    if last == level:
        return False
    rising = level > last
    owner = address.service.domain.customer.owner
    StorageAlert.objects.create(
        address=address,
        level=level,
        used_bytes=storage.used_bytes,
        quota_bytes=storage.quota_bytes,
        recipient=owner.email if rising else "",
        sent_at=now,
    )
    if rising:
        language = getattr(owner, "language", "") or settings.LANGUAGE_CODE
        transaction.on_commit(
            lambda: _send_alert_mail(
                address=address, level=level, storage=storage, to=owner.email, language=language
            )
        )
    return True


def _send_alert_mail(*, address, level, storage, to, language):
    from django.template.defaultfilters import filesizeformat

    url = core_settings.BASE_URL + reverse("mailservices:address_detail", args=[address.pk])
    with translation.override(language):
        context = {
            "address": str(address),
            "level": level,
            "percent": storage.percent,
            "used": filesizeformat(storage.used_bytes),
            "quota": filesizeformat(storage.quota_bytes),
            "url": url,
            "guide_url": core_settings.BASE_URL + reverse("kb:guide", args=["postfach-voll"]),
            "provider_name": core_settings.PROVIDER_NAME,
        }
        if level >= 100:
            subject = _("Postfach voll: %(address)s") % context
        else:
            subject = _("Postfach zu %(percent)s %% belegt: %(address)s") % context
        body = render_to_string("mailboxes/email/storage_alert.txt", context)
    send_mail(subject, body, None, [to])
