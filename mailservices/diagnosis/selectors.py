"""Reads of the diagnosis: services and runs as the pages need them."""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings
from django.db.models import Max
from django.shortcuts import get_object_or_404

from mailservices.diagnosis.checks import CHECK_NAMES, CheckResult, ProviderFacts
from mailservices.diagnosis.models import DiagnosisRun, ZoneRecord
from mailservices.diagnosis.zone import mail_records, render_fragment, render_zone
from mailservices.models import Domain, MailService

HISTORY_LENGTH = 10


def service_for_customer(*, customer, pk: int) -> MailService:
    return get_object_or_404(
        MailService.objects.for_customer(customer).select_related("domain"), pk=pk
    )


def run_for_customer(*, customer, pk: int) -> DiagnosisRun:
    return get_object_or_404(
        DiagnosisRun.objects.for_customer(customer).select_related("service__domain"), pk=pk
    )


def service_history(*, service: MailService, limit: int = HISTORY_LENGTH) -> list[DiagnosisRun]:
    """The latest runs, newest first; results are left out (the page shows statuses)."""
    return list(
        DiagnosisRun.objects.filter(service=service)
        .defer("results", "error")
        .order_by("-created_at", "-pk")[:limit]
    )


def latest_finished_run(*, service: MailService) -> DiagnosisRun | None:
    return (
        DiagnosisRun.objects.finished()
        .filter(service=service)
        .order_by("-created_at", "-pk")
        .first()
    )


def checks_of(run: DiagnosisRun | None) -> list[CheckResult]:
    """The stored checks of a run, in the usual order, texts in the active language."""
    if run is None:
        return []
    by_name = {c["name"]: CheckResult.from_storage(c) for c in run.results}
    return [by_name[n] for n in CHECK_NAMES if n in by_name]


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
