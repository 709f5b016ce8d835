"""Reads of the DNS provisioning: a service's zone as text."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.db.models import Exists, Max, OuterRef

from mailservices.diagnosis.checks import ProviderFacts
from mailservices.models import Domain, MailService
from mailservices.provisioning.models import ZoneChange, ZoneRecord
from mailservices.provisioning.zone import mail_records, render_fragment, render_zone


def zone_text(*, service: MailService) -> str:
    """The whole zone (registered domains) or the mail records to add (external ones)."""
    domain = service.domain
    provider = ProviderFacts.from_settings()
    key = getattr(service, "dkim_key", None)
    if key:
        provider = replace(provider, dkim_selector=key.selector)
    if domain.source != Domain.Source.REGISTERED:
        return render_fragment(
            domain.name, mail_records(domain.name, provider, key.public_key if key else None)
        )
    rows = ZoneRecord.objects.filter(domain=domain).order_by("name", "type", "value")
    last_change = rows.aggregate(last=Max("updated_at"))["last"]
    serial = int(last_change.timestamp()) if last_change else int(domain.created_at.timestamp())
    return render_zone(
        domain.name,
        [(r.name, r.type, r.ttl, r.value) for r in rows],
        nameservers=settings.PORTAL_DNS_NAMESERVERS,
        serial=serial,
        hostmaster=f"hostmaster@{settings.PORTAL_PROVIDER_DOMAIN}",
    )


# --- The DNS editor ---


def hosted_domains(*, customer):
    """The customer's domains whose zone we serve (everything else answers 404)."""
    return Domain.objects.for_customer(customer).filter(source=Domain.Source.REGISTERED)


def zone_record_get(*, customer):
    return ZoneRecord.objects.filter(
        domain__customer=customer, domain__source=Domain.Source.REGISTERED
    ).select_related("domain")


def zone_change_get(*, customer):
    return ZoneChange.objects.filter(
        domain__customer=customer, domain__source=Domain.Source.REGISTERED
    ).select_related("domain")


def zone_records(*, domain):
    return ZoneRecord.objects.filter(domain=domain).order_by("-managed", "name", "type", "value")


def zone_history(*, domain, limit: int = 20):
    """The zone's latest changes, newest first, each knowing whether it was undone."""
    undone = ZoneChange.objects.filter(rollback_of=OuterRef("pk"))
    return (
        ZoneChange.objects.filter(domain=domain)
        .select_related("user")
        .annotate(undone=Exists(undone))
        .order_by("-created_at", "-pk")[:limit]
    )
