"""Writes of the hosted DNS: the zone defaults the name server reads, DNSSEC keys."""

from __future__ import annotations

from django.db import transaction

from mailservices.hosteddns import dnssec
from mailservices.hosteddns.app_settings import app_settings
from mailservices.hosteddns.models import CryptoKey, ZoneDefaults, ZoneMetadata
from mailservices.models import Domain


def _absolute(name: str) -> str:
    return name.strip().rstrip(".").lower() + "."


def zone_defaults_sync(*, using: str = "default") -> ZoneDefaults:
    """Writes the SOA/NS facts of the settings into the row PowerDNS reads (idempotent)."""
    nameservers = " ".join(_absolute(ns) for ns in app_settings.DNS_NAMESERVERS)
    local, _at, host = app_settings.DNS_HOSTMASTER.partition("@")
    hostmaster = _absolute(f"{local.replace('.', chr(92) + '.')}.{host}" if host else local)
    with transaction.atomic(using=using):
        row = ZoneDefaults.objects.using(using).select_for_update().filter(pk=1).first()
        if row and (row.nameservers, row.hostmaster) == (nameservers, hostmaster):
            return row
        row = row or ZoneDefaults(pk=1)
        row.nameservers, row.hostmaster = nameservers, hostmaster
        row.full_clean()
        row.save(using=using)
        return row


@transaction.atomic
def zone_secure(*, domain: Domain) -> CryptoKey | None:
    """Signs a hosted zone: one ECDSA P-256 key (CSK) and narrow NSEC3 for PowerDNS's live
    signing. Safe to call twice; nothing for external domains or with DNSSEC switched off."""
    if not app_settings.DNS_DNSSEC or domain.source != Domain.Source.REGISTERED:
        return None
    Domain.objects.select_for_update().filter(pk=domain.pk).first()
    existing = CryptoKey.objects.filter(domain=domain, active=True).first()
    if existing:
        return existing
    key = CryptoKey(domain=domain, flags=dnssec.CSK_FLAGS, content=dnssec.generate_key_content())
    key.full_clean()
    key.save()
    ZoneMetadata.objects.filter(domain=domain, kind__in=["NSEC3PARAM", "NSEC3NARROW"]).delete()
    ZoneMetadata.objects.bulk_create(
        [
            ZoneMetadata(domain=domain, kind="NSEC3PARAM", content=dnssec.NSEC3PARAM),
            ZoneMetadata(domain=domain, kind="NSEC3NARROW", content="1"),
        ]
    )
    return key
