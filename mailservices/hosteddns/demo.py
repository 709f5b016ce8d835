"""Demo data of the hosted DNS: the provider's own zone as a hosted zone.

The diagnosis of a registered domain asks our name server (`PORTAL_DNS_SERVER`, set by
`make run`) for everything, also for the provider's names a customer zone points at: the
SPF include, the MX and mail hosts, the MTA-STS host. So the demo's PowerDNS serves the
provider's zone too (as a provider running its zones on the same PowerDNS would), owned by
a provider account of the staff user. Addresses are from the documentation ranges.
Idempotent. The demo customer's zones are signed when their services are provisioned.
"""

from __future__ import annotations

import ipaddress

from django.contrib.auth import get_user_model

from mailservices.diagnosis.checks.base import ProviderFacts
from mailservices.hosteddns.app_settings import app_settings
from mailservices.models import Domain
from mailservices.provisioning.models import ZoneRecord
from portal.accounts.models import Customer
from portal.accounts.services import customer_create
from portal.core.app_settings import app_settings as portal_settings

PROVIDER_ACCOUNT = "Betreiber (Demo-Zone des Anbieters)"
STAFF_EMAIL = "staff@example.com"


def _relative(host: str, zone: str) -> str | None:
    """`host` relative to `zone` ("@" for the apex), None when outside it."""
    host = host.rstrip(".").lower()
    if host == zone:
        return "@"
    if host.endswith("." + zone):
        return host[: -len(zone) - 1]
    return None


def provider_zone_records(zone: str) -> list[tuple[str, str, str]]:
    """(name, type, value) of the provider's own zone that customer zones depend on."""
    facts = ProviderFacts.from_settings()
    spf = ["v=spf1"]
    for network in facts.outbound_networks:
        spf.append(f"ip{network.version}:{network}")
    spf.append("-all")
    records = []
    if (name := _relative(facts.spf_include, zone)) is not None:
        records.append((name, "TXT", " ".join(spf)))
    hosts = [*facts.mx_hosts, facts.mail_host, facts.mta_sts_host, *app_settings.DNS_NAMESERVERS]
    address = ipaddress.ip_address("192.0.2.1")
    for host in dict.fromkeys(h for h in hosts if h):
        if (name := _relative(host, zone)) is not None:
            records.append((name, "A", str(address)))
            address += 1
    return records


def seed(*, customer, stdout):
    zone = portal_settings.PROVIDER_DOMAIN.rstrip(".").lower()
    domain = Domain.objects.filter(name=zone).first()
    if domain is None:
        staff = get_user_model().objects.filter(email=STAFF_EMAIL).first()
        if staff is None:
            return
        account = Customer.objects.filter(owner=staff).first() or customer_create(
            owner=staff, name=PROVIDER_ACCOUNT
        )
        domain = Domain(customer=account, name=zone, source=Domain.Source.REGISTERED)
        domain.full_clean()
        domain.save()
    elif domain.source != Domain.Source.REGISTERED:
        stdout.write(f"  DNS: {zone} exists and is not hosted here; left as it is")
        return
    added = 0
    for name, rtype, value in provider_zone_records(zone):
        _record, created = ZoneRecord.objects.get_or_create(
            domain=domain, name=name, type=rtype, value=value
        )
        added += created
    stdout.write(f"  DNS: provider zone {zone} ({added} record(s) added)")
