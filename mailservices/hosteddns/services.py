"""Writes of the hosted DNS: the zone defaults the name server reads, DNSSEC keys."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from mailservices.hosteddns.models import ZoneDefaults


def _absolute(name: str) -> str:
    return name.strip().rstrip(".").lower() + "."


def zone_defaults_sync(*, using: str = "default") -> ZoneDefaults:
    """Writes the SOA/NS facts of the settings into the row PowerDNS reads (idempotent)."""
    nameservers = " ".join(_absolute(ns) for ns in settings.PORTAL_DNS_NAMESERVERS)
    local, _at, host = settings.PORTAL_DNS_HOSTMASTER.partition("@")
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
