"""Reads of the DNS provisioning: a service's zone as text."""

from __future__ import annotations

from dataclasses import replace

from django.db.models import Exists, Max, OuterRef

from mailservices.diagnosis.checks import ProviderFacts
from mailservices.hosteddns import mtasts
from mailservices.hosteddns.app_settings import app_settings
from mailservices.models import Domain, MailService
from mailservices.provisioning.models import ZoneChange, ZoneRecord
from mailservices.provisioning.zone import mail_records, render_fragment, render_zone
from portal.core.app_settings import app_settings as portal_settings


def zone_text(*, service: MailService) -> str:
    """The whole zone (registered domains) or the mail records to add (external ones)."""
    domain = service.domain
    provider = ProviderFacts.from_settings()
    key = getattr(service, "dkim_key", None)
    if key:
        provider = replace(provider, dkim_selector=key.selector)
    if domain.source != Domain.Source.REGISTERED:
        return render_fragment(
            domain.name,
            mail_records(
                domain.name,
                provider,
                key.public_key if key else None,
                dkim_ed25519_key=key.ed25519_public_key if key else None,
            ),
        )
    rows = ZoneRecord.objects.filter(domain=domain).order_by("name", "type", "value")
    last_change = rows.aggregate(last=Max("updated_at"))["last"]
    serial = int(last_change.timestamp()) if last_change else int(domain.created_at.timestamp())
    return render_zone(
        domain.name,
        [(r.name, r.type, r.ttl, r.value) for r in rows],
        nameservers=app_settings.DNS_NAMESERVERS,
        serial=serial,
        hostmaster=f"hostmaster@{portal_settings.PROVIDER_DOMAIN}",
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


# --- MTA-STS ---


def _zone_mx_hosts(domain) -> list[str]:
    hosts = []
    for value in ZoneRecord.objects.filter(domain=domain, name="@", type="MX").values_list(
        "value", flat=True
    ):
        _pref, _sep, host = value.strip().partition(" ")
        if host.strip(".") and host.strip() != ".":
            hosts.append(host.strip().rstrip(".").lower())
    return hosts


def mta_sts_policy(*, domain) -> str | None:
    """The MTA-STS policy of a mail domain: the hosted zone's own MX (mode `testing` as soon
    as one of them is not ours), or our MX hosts for an external domain; None without a
    mail service or without MX."""
    if not MailService.objects.filter(domain=domain).exists():
        return None
    provider = ProviderFacts.from_settings()
    if domain.source == Domain.Source.REGISTERED:
        hosts = _zone_mx_hosts(domain)
    else:
        hosts = list(provider.mx_hosts)
    if not hosts:
        return None
    mode = app_settings.MTA_STS_MODE
    if any(h not in provider.mx_hosts for h in hosts):
        mode = "testing"
    return mtasts.policy_text(hosts, mode=mode, max_age=app_settings.MTA_STS_MAX_AGE)


def mta_sts_domain_for_host(host: str):
    """The domain whose policy host `mta-sts.<domain>` was asked for, or None."""
    host = host.split(":", 1)[0].strip().rstrip(".").lower()
    if not host.startswith("mta-sts."):
        return None
    return Domain.objects.filter(name=host[len("mta-sts.") :]).first()


def hosted_zone_nameserver(domain) -> str | None:
    """Where the diagnosis of a domain asks: our own name server (PORTAL_DNS_SERVER) for a
    hosted zone, so it sees an edit at once; None (the usual resolvers) otherwise. That
    server must also answer for the provider's own zone (SPF include, MX hosts)."""
    if domain.source == Domain.Source.REGISTERED and app_settings.DNS_SERVER:
        return app_settings.DNS_SERVER
    return None


def dkim_record_lines(domain, rotation) -> dict:
    """The new selector's record (name and value) a rotation publishes."""
    from mailservices.diagnosis.checks.dkim import dkim_name, dkim_value

    return {
        "name": dkim_name(domain.name, rotation.new_selector),
        "value": dkim_value(rotation.new_public_key),
    }


def dkim_signing_keys() -> list:
    """What the signer signs with: the active key of every active mail service (RSA, and
    Ed25519 under `<selector>e` where chosen), private keys opened. The same rows as the
    view `provisioning_dkim_signing`; a rotation's switch shows here at once."""
    from mailservices.provisioning.models import DkimKey
    from mailservices.provisioning.signing import SigningKey

    keys = []
    for key in (
        DkimKey.objects.filter(service__status=MailService.Status.ACTIVE)
        .select_related("service__domain")
        .order_by("service__domain__name")
    ):
        domain = key.service.domain.name
        keys.append(SigningKey(domain, key.selector, "rsa", key.private_key_pem))
        if key.ed25519_private_pem:
            keys.append(
                SigningKey(domain, key.ed25519_selector, "ed25519", key.ed25519_private_pem)
            )
    return keys
