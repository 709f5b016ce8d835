"""Writes of the DNS provisioning: a service's DKIM key, the mail records of a hosted zone,
and the customer's own edits of it (with their history)."""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mailservices.diagnosis.checks import ProviderFacts
from mailservices.hosteddns.records import CleanRecord, clean_record, rrset_conflicts
from mailservices.hosteddns.services import zone_secure
from mailservices.models import Domain, MailService
from mailservices.provisioning.keys import generate_key_pair
from mailservices.provisioning.models import DkimKey, ZoneChange, ZoneRecord
from mailservices.provisioning.zone import mail_records, relative_name
from portal.core.app_settings import app_settings as portal_settings


@transaction.atomic
def dkim_key_ensure(*, service: MailService) -> DkimKey:
    """The service's DKIM key, made on first use (safe to call twice)."""
    MailService.objects.select_for_update().filter(pk=service.pk).first()
    existing = DkimKey.objects.filter(service=service).first()
    if existing:
        return existing
    private_pem, public_b64 = generate_key_pair()
    key = DkimKey(
        service=service,
        selector=portal_settings.DKIM_SELECTOR,
        private_key_pem=private_pem,
        public_key=public_b64,
    )
    key.full_clean()
    key.save()
    return key


@transaction.atomic
def zone_add_mail_records(*, domain: Domain) -> list[ZoneRecord]:
    """Adds the records mail needs to the zone of a domain registered through us.

    Existing records stay; an SPF record of the customer's is merged with ours rather than
    duplicated. External domains keep their zone elsewhere: nothing to do.
    """
    if domain.source != Domain.Source.REGISTERED:
        return []
    service = MailService.objects.filter(domain=domain).select_related("dkim_key").first()
    key = getattr(service, "dkim_key", None) if service else None
    existing = list(ZoneRecord.objects.select_for_update().filter(domain=domain))
    spf_rows = [r for r in existing if r.name == "@" and r.type == "TXT" and _is_spf_value(r.value)]
    added = []
    provider = ProviderFacts.from_settings()
    if key:
        provider = replace(provider, dkim_selector=key.selector)
    for record in mail_records(
        domain.name,
        provider,
        key.public_key if key else None,
        [r.value for r in spf_rows],
        dkim_ed25519_key=key.ed25519_public_key if key else None,
    ):
        name = relative_name(record.name, domain.name)
        if record.type == "TXT" and name == "@" and _is_spf_value(record.value):
            for row in spf_rows:
                if row.value != record.value:
                    row.delete()
        elif _occupied(existing, name, record.type):
            continue  # the customer has their own record there (CNAME/DMARC/DKIM): keep it
        row, created = ZoneRecord.objects.get_or_create(
            domain=domain,
            name=name,
            type=record.type,
            value=record.value,
            defaults={"ttl": record.ttl, "managed": True},
        )
        if created:
            row.full_clean()
            added.append(row)
    return added


def _is_spf_value(value: str) -> bool:
    text = value.strip().lower()
    return text == "v=spf1" or text.startswith("v=spf1 ")


def _occupied(existing: list[ZoneRecord], name: str, rdtype: str) -> bool:
    """A single-valued place (CNAME host, _dmarc, DKIM selector) already holds a record."""
    if rdtype in ("MX", "SRV"):
        return False
    return any(r.name == name and (r.type == rdtype or r.type == "CNAME") for r in existing)


def mailservice_provision_dns(*, service: MailService) -> DkimKey:
    """What a new service needs before its first diagnosis: a key, and zone records."""
    key = dkim_key_ensure(service=service)
    zone_add_mail_records(domain=service.domain)
    zone_secure(domain=service.domain)
    return key


# --- The DNS editor: every change of a hosted zone goes through these, with its history ---


def _snapshot(record: ZoneRecord) -> dict:
    return {
        "name": record.name,
        "type": record.type,
        "ttl": record.ttl,
        "value": record.value,
        "managed": record.managed,
    }


def _clean(domain: Domain, *, name, rtype, ttl, value, exclude_pk=None) -> CleanRecord:
    """Per-type validation, then the record against the rest of the zone."""
    clean = clean_record(zone=domain.name, name=name, rtype=rtype, ttl=ttl, value=value)
    others = [
        CleanRecord(name=r.name, type=r.type, ttl=r.ttl, value=r.value)
        for r in ZoneRecord.objects.filter(domain=domain).exclude(pk=exclude_pk)
    ]
    errors = rrset_conflicts(clean, others)
    if any((o.name, o.type, o.value) == (clean.name, clean.type, clean.value) for o in others):
        errors.setdefault("value", []).append(_("Diesen Eintrag gibt es bereits."))
    if errors:
        raise ValidationError(errors)
    return clean


def _require_hosted(domain: Domain) -> None:
    if domain.source != Domain.Source.REGISTERED:
        raise ValidationError(_("Die Zone dieser Domain wird nicht bei uns geführt."))


def _require_confirmation(record: ZoneRecord, confirmed: bool) -> None:
    if record.managed and not confirmed:
        raise ValidationError(
            {
                "confirm": _(
                    "Dieser Eintrag gehört zum E-Mail-Dienst. Ändern Sie ihn nur, wenn Sie "
                    "wissen, was Sie tun, und bestätigen Sie das."
                )
            }
        )


@transaction.atomic
def zone_record_create(
    *, domain: Domain, name: str, type: str, ttl, value: str, user=None
) -> ZoneRecord:
    """Adds a record to a hosted zone (validated per type and against the zone)."""
    _require_hosted(domain)
    Domain.objects.select_for_update().filter(pk=domain.pk).first()
    clean = _clean(domain, name=name, rtype=type, ttl=ttl, value=value)
    record = ZoneRecord(
        domain=domain, name=clean.name, type=clean.type, ttl=clean.ttl, value=clean.value
    )
    record.full_clean()
    record.save()
    ZoneChange.objects.create(
        domain=domain,
        action=ZoneChange.Action.ADD,
        after=_snapshot(record),
        record=record,
        user=user,
    )
    zone_mta_sts_sync(domain=domain)
    return record


@transaction.atomic
def zone_record_update(
    *, record: ZoneRecord, name: str, type: str, ttl, value: str, user=None, confirmed=False
) -> ZoneRecord:
    """Changes a record; one of the mail service's needs `confirmed` and becomes the
    customer's own (the diagnosis then checks it like any other)."""
    domain = record.domain
    _require_hosted(domain)
    Domain.objects.select_for_update().filter(pk=domain.pk).first()
    _require_confirmation(record, confirmed)
    clean = _clean(domain, name=name, rtype=type, ttl=ttl, value=value, exclude_pk=record.pk)
    before = _snapshot(record)
    record.name, record.type, record.ttl, record.value = (
        clean.name,
        clean.type,
        clean.ttl,
        clean.value,
    )
    record.managed = False
    if _snapshot(record) | {"managed": before["managed"]} == before:
        return record  # nothing changed
    record.full_clean()
    record.save()
    ZoneChange.objects.create(
        domain=domain,
        action=ZoneChange.Action.CHANGE,
        before=before,
        after=_snapshot(record),
        record=record,
        user=user,
    )
    zone_mta_sts_sync(domain=domain)
    return record


@transaction.atomic
def zone_record_delete(*, record: ZoneRecord, user=None, confirmed=False) -> None:
    domain = record.domain
    _require_hosted(domain)
    Domain.objects.select_for_update().filter(pk=domain.pk).first()
    _require_confirmation(record, confirmed)
    ZoneChange.objects.create(
        domain=domain, action=ZoneChange.Action.DELETE, before=_snapshot(record), user=user
    )
    record.delete()
    zone_mta_sts_sync(domain=domain)


@transaction.atomic
def zone_change_rollback(*, change: ZoneChange, user=None) -> ZoneChange:
    """Undoes one change (as a new change in the history); refused if the zone has moved
    on so that the undo would not be what the customer saw."""
    domain = change.domain
    _require_hosted(domain)
    Domain.objects.select_for_update().filter(pk=domain.pk).first()
    if ZoneChange.objects.filter(rollback_of=change).exists():
        raise ValidationError(_("Diese Änderung wurde bereits rückgängig gemacht."))
    current = None
    if change.action != ZoneChange.Action.DELETE:
        after = change.after
        current = ZoneRecord.objects.filter(
            domain=domain, name=after["name"], type=after["type"], value=after["value"]
        ).first()
        if current is None:
            raise ValidationError(
                _("Der Eintrag wurde seither geändert oder gelöscht; nichts zurückzunehmen.")
            )
    if change.action == ZoneChange.Action.ADD:
        before, new_after = _snapshot(current), None
        current.delete()
        current = None
    else:
        target = change.before
        clean = _clean(
            domain,
            name=target["name"],
            rtype=target["type"],
            ttl=target["ttl"],
            value=target["value"],
            exclude_pk=current.pk if current else None,
        )
        before = _snapshot(current) if current else None
        current = current or ZoneRecord(domain=domain)
        current.name, current.type, current.ttl, current.value = (
            clean.name,
            clean.type,
            clean.ttl,
            clean.value,
        )
        current.managed = target.get("managed", False)
        current.full_clean()
        current.save()
        new_after = _snapshot(current)
    action = {
        ZoneChange.Action.ADD: ZoneChange.Action.DELETE,
        ZoneChange.Action.DELETE: ZoneChange.Action.ADD,
        ZoneChange.Action.CHANGE: ZoneChange.Action.CHANGE,
    }[change.action]
    undo = ZoneChange.objects.create(
        domain=domain,
        action=action,
        before=before,
        after=new_after,
        record=current,
        user=user,
        rollback_of=change,
    )
    zone_mta_sts_sync(domain=domain)
    return undo


def zone_mta_sts_sync(*, domain: Domain) -> None:
    """Keeps the managed `_mta-sts` id in step with the policy (the zone's MX): senders
    fetch a policy again only when its id changes."""
    from mailservices.hosteddns import mtasts
    from mailservices.provisioning.selectors import mta_sts_policy

    record = ZoneRecord.objects.filter(
        domain=domain, name="_mta-sts", type="TXT", managed=True
    ).first()
    policy = mta_sts_policy(domain=domain)
    if record is None or policy is None:
        return
    value = mtasts.sts_record_value(policy)
    if record.value != value:
        record.value = value
        record.save(update_fields=["value", "updated_at"])


def _expected_mail_records(domain: Domain) -> list[tuple[str, str, str]]:
    """(relative name, type, value) of every record mail needs in this zone, now."""
    service = MailService.objects.filter(domain=domain).select_related("dkim_key").first()
    key = getattr(service, "dkim_key", None) if service else None
    provider = ProviderFacts.from_settings()
    if key:
        provider = replace(provider, dkim_selector=key.selector)
    spf_existing = [
        r.value
        for r in ZoneRecord.objects.filter(domain=domain, name="@", type="TXT")
        if _is_spf_value(r.value)
    ]
    return [
        (relative_name(r.name, domain.name), r.type, r.value)
        for r in mail_records(
            domain.name,
            provider,
            key.public_key if key else None,
            spf_existing,
            dkim_ed25519_key=key.ed25519_public_key if key else None,
        )
    ]


@transaction.atomic
def zone_correct_mail_records(*, domain: Domain, user=None) -> int:
    """\"Einträge automatisch korrigieren": puts the mail records of a hosted zone back the
    way mail needs them (ours replace what stands in their place; other MX at the apex go),
    each step in the history so it can be rolled back. Returns how many changes it made."""
    _require_hosted(domain)
    Domain.objects.select_for_update().filter(pk=domain.pk).first()
    expected = _expected_mail_records(domain)
    rows = list(ZoneRecord.objects.filter(domain=domain))
    changes = 0

    def remove(row):
        nonlocal changes
        ZoneChange.objects.create(
            domain=domain, action=ZoneChange.Action.DELETE, before=_snapshot(row), user=user
        )
        row.delete()
        rows.remove(row)
        changes += 1

    wanted = {(n, t, v) for n, t, v in expected}
    for row in list(rows):
        if row.name == "@" and row.type == "MX" and (row.name, row.type, row.value) not in wanted:
            remove(row)
    for name, rtype, value in expected:
        same = [r for r in rows if r.name == name and r.type == rtype and r.value == value]
        if same:
            if not same[0].managed:
                same[0].managed = True
                same[0].save(update_fields=["managed", "updated_at"])
            continue
        for row in list(rows):
            if row.name != name:
                continue
            single = rtype not in ("MX", "SRV")
            spf_slot = name == "@" and rtype == "TXT" and _is_spf_value(value)
            if rtype == "CNAME" or row.type == "CNAME":
                remove(row)  # a CNAME stands alone, and nothing stands beside one
            elif (
                single
                and row.type == rtype
                and (name != "@" or (spf_slot and _is_spf_value(row.value)))
            ):
                remove(row)  # the one place (SPF, _dmarc, DKIM selector...) holds ours
        record = ZoneRecord(domain=domain, name=name, type=rtype, value=value, managed=True)
        record.full_clean()
        record.save()
        rows.append(record)
        ZoneChange.objects.create(
            domain=domain,
            action=ZoneChange.Action.ADD,
            after=_snapshot(record),
            record=record,
            user=user,
        )
        changes += 1
    zone_mta_sts_sync(domain=domain)
    return changes


@transaction.atomic
def dkim_ed25519_enable(*, service: MailService) -> DkimKey:
    """Signs with Ed25519 beside RSA: a second key under `<selector>e`, published in a
    hosted zone at once (external zones: the diagnosis export lists the record)."""
    from mailservices.provisioning.keys import generate_ed25519_key_pair

    key = DkimKey.objects.select_for_update().get(service=service)
    if not key.ed25519_public_key:
        key.ed25519_private_pem, key.ed25519_public_key = generate_ed25519_key_pair()
        key.full_clean()
        key.save()
        zone_add_mail_records(domain=service.domain)
    return key


@transaction.atomic
def dkim_keys_reseal() -> int:
    """Seals every DKIM private key again with the first sealing key (after a new one was
    put in front of PORTAL_DKIM_SEAL_KEYS or SECRET_KEY changed): opened with whichever
    key sealed it, sealed anew on save. Returns how many rows were written."""
    from mailservices.provisioning.models import DkimRotation

    count = 0
    for key in DkimKey.objects.select_for_update():
        key.save(update_fields=["private_key_pem", "ed25519_private_pem"])
        count += 1
    for rotation in DkimRotation.objects.select_for_update().exclude(new_private_key_pem=""):
        rotation.save(update_fields=["new_private_key_pem"])
        count += 1
    return count
