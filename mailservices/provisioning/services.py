"""Writes of the DNS provisioning: a service's DKIM key, the mail records of a hosted zone."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.db import transaction

from mailservices.diagnosis.checks import ProviderFacts
from mailservices.models import Domain, MailService
from mailservices.provisioning.keys import generate_key_pair
from mailservices.provisioning.models import DkimKey, ZoneRecord
from mailservices.provisioning.zone import mail_records, relative_name


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
        selector=settings.PORTAL_DKIM_SELECTOR,
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
    return key
