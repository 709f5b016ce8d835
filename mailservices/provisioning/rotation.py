"""Guided DKIM rotation (services): publish a second selector, switch signing once it is
visible in the DNS, retire the old record after a grace period.

Every step takes `now` (tests drive a controllable clock) and, to see the DNS, a `lookup`
(name -> TXT strings; default: the diagnosis resolver, our own name server for hosted
zones). `dkim_rotations_advance()` is what the hourly task runs: it starts rotations of
hosted zones whose key is old, and moves every open rotation on as far as it can.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailservices.diagnosis.checks.dkim import dkim_name, dkim_value
from mailservices.hosteddns.app_settings import app_settings
from mailservices.models import Domain, MailService
from mailservices.provisioning.keys import generate_key_pair
from mailservices.provisioning.models import DkimKey, DkimRotation, ZoneRecord

logger = logging.getLogger(__name__)


def _selector_for(now, current: str) -> str:
    selector = f"s{now:%Y%m%d}"
    return selector if selector != current else f"s{now:%Y%m%d%H%M}"


def _dns_lookup(domain: Domain):
    from mailservices.diagnosis.resolver import make_resolver
    from mailservices.provisioning.selectors import hosted_zone_nameserver

    resolver = make_resolver(hosted_zone_nameserver(domain))

    def lookup(name: str) -> list[str]:
        try:
            answer = resolver.resolve(name, "TXT")
        except Exception:  # noqa: BLE001 (not visible, whatever the reason)
            return []
        return [b"".join(r.strings).decode(errors="replace") for r in answer]

    return lookup


def _publish(domain: Domain, selector: str, public_key: str) -> None:
    _publish_value(domain, selector, dkim_value(public_key))


def _publish_value(domain: Domain, selector: str, value: str) -> None:
    if domain.source != Domain.Source.REGISTERED:
        return  # external zones: the customer publishes it (the page shows the record)
    name = dkim_name(domain.name, selector).removesuffix("." + domain.name)
    ZoneRecord.objects.get_or_create(
        domain=domain, name=name, type="TXT", value=value, defaults={"managed": True}
    )


def _unpublish(domain: Domain, selector: str) -> None:
    name = dkim_name(domain.name, selector).removesuffix("." + domain.name)
    ZoneRecord.objects.filter(domain=domain, name=name, type="TXT", managed=True).delete()


@transaction.atomic
def dkim_rotation_start(*, service: MailService, now=None, automatic: bool = False) -> DkimRotation:
    """Step 1: a new key under a new selector, published beside the current one."""
    now = now or timezone.now()
    MailService.objects.select_for_update().filter(pk=service.pk).first()
    if DkimRotation.objects.filter(service=service).exclude(step=DkimRotation.Step.DONE).exists():
        raise ValidationError(_("Für diesen Dienst läuft bereits ein Schlüsselwechsel."))
    key = DkimKey.objects.get(service=service)
    private_pem, public_b64 = generate_key_pair()
    rotation = DkimRotation(
        service=service,
        automatic=automatic,
        old_selector=key.selector,
        old_public_key=key.public_key,
        new_selector=_selector_for(now, key.selector),
        new_private_key_pem=private_pem,
        new_public_key=public_b64,
        started_at=now,
    )
    rotation.full_clean()
    rotation.save()
    _publish(service.domain, rotation.new_selector, public_b64)
    if key.ed25519_public_key:  # the Ed25519 key moves to the new selector as it is
        _publish_value(
            service.domain,
            rotation.new_selector + "e",
            f"v=DKIM1; k=ed25519; p={key.ed25519_public_key}",
        )
    return rotation


@transaction.atomic
def dkim_rotation_advance(*, rotation: DkimRotation, now=None, lookup=None) -> DkimRotation:
    """Moves one rotation on as far as the DNS and the clock allow (safe to run twice)."""
    now = now or timezone.now()
    rotation = DkimRotation.objects.select_for_update().get(pk=rotation.pk)
    service = MailService.objects.select_related("domain").get(pk=rotation.service_id)
    domain = service.domain
    if rotation.step == DkimRotation.Step.PUBLISHED:
        lookup = lookup or _dns_lookup(domain)
        published = lookup(dkim_name(domain.name, rotation.new_selector))
        if dkim_value(rotation.new_public_key) not in published:
            return rotation  # not visible yet: signing stays on the old key
        # Step 2: the signer (it reads the active selector from the portal) switches.
        key = DkimKey.objects.select_for_update().get(service=service)
        key.selector = rotation.new_selector
        key.private_key_pem = rotation.new_private_key_pem
        key.public_key = rotation.new_public_key
        key.full_clean()
        key.save()
        rotation.step = DkimRotation.Step.ACTIVE
        rotation.visible_at = now
        rotation.retire_after = now + timedelta(days=app_settings.DKIM_ROTATION_GRACE_DAYS)
        rotation.save()
    if rotation.step == DkimRotation.Step.ACTIVE and now >= rotation.retire_after:
        # Step 3: mail signed with the old key has been verified by now.
        _unpublish(domain, rotation.old_selector)
        _unpublish(domain, rotation.old_selector + "e")
        rotation.step = DkimRotation.Step.DONE
        rotation.finished_at = now
        rotation.new_private_key_pem = ""  # lives on in DkimKey only
        rotation.save()
    return rotation


def dkim_rotations_advance(*, now=None, lookup=None) -> int:
    """The hourly job: start rotations of hosted zones with an old key, advance every open
    rotation. Returns how many rotations moved a step."""
    now = now or timezone.now()
    due = now - timedelta(days=app_settings.DKIM_ROTATE_AFTER_DAYS)
    open_services = DkimRotation.objects.exclude(step=DkimRotation.Step.DONE).values("service")
    last_rotation = DkimRotation.objects.filter(started_at__gte=due).values("service")
    for key in (
        DkimKey.objects.filter(
            created_at__lte=due,
            service__domain__source=Domain.Source.REGISTERED,
            service__status=MailService.Status.ACTIVE,
        )
        .exclude(service__in=open_services)
        .exclude(service__in=last_rotation)
        .select_related("service")
    ):
        dkim_rotation_start(service=key.service, now=now, automatic=True)
    moved = 0
    for rotation in DkimRotation.objects.exclude(step=DkimRotation.Step.DONE):
        step = rotation.step
        try:
            if dkim_rotation_advance(rotation=rotation, now=now, lookup=lookup).step != step:
                moved += 1
        except Exception:
            logger.exception("DKIM rotation %s could not advance", rotation.pk)
    return moved
