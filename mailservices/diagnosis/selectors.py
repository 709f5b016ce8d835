"""Reads of the diagnosis: services and runs as the pages need them."""

from __future__ import annotations

from django.db.models import F
from django.shortcuts import get_object_or_404

from mailservices.diagnosis.app_settings import app_settings
from mailservices.diagnosis.checks import CHECK_NAMES, CheckResult, ZoneFacts, for_hosted_zone
from mailservices.diagnosis.models import DiagnosisRun
from mailservices.models import MailService

HISTORY_LENGTH = 10
SLICES = 24  # the hourly beat job diagnoses one slice, so every service once a day


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


def checks_of(run: DiagnosisRun | None, *, hosted_zone: bool = False) -> list[CheckResult]:
    """The stored checks of a run, in the usual order, texts in the active language.

    `hosted_zone`: the domain is registered through us, so the texts say that we fix what
    is wrong rather than ask the customer to publish records elsewhere.
    """
    if run is None:
        return []
    by_name = {c["name"]: CheckResult.from_storage(c) for c in run.results}
    checks = [by_name[n] for n in CHECK_NAMES if n in by_name]
    return [for_hosted_zone(c) for c in checks] if hosted_zone else checks


def zone_facts(*, domain) -> ZoneFacts | None:
    """What the portal publishes for `domain` if we host its zone (the DS records it shows,
    the MTA-STS policy it serves); None for an external domain."""
    if not domain.is_hosted_zone:
        return None
    from mailservices.hosteddns.selectors import zone_ds_records
    from mailservices.provisioning.selectors import mta_sts_policy

    return ZoneFacts(
        ds_records=tuple(ds.text for ds in zone_ds_records(domain=domain)),
        mta_sts_policy=mta_sts_policy(domain=domain),
    )


def nameserver_for(*, domain, pinned: str | None = None) -> str | None:
    """Where the diagnosis of `domain` (a `Domain`, or None for one not in the portal) asks,
    the same on the single run, in the batch and in `manage.py diagnose`: `pinned` if
    given, our own name server for a zone we host (PORTAL_DNS_SERVER, so an edit is seen at
    once), else PORTAL_DIAGNOSIS_NAMESERVER (None: the system's resolvers)."""
    from mailservices.provisioning.selectors import hosted_zone_nameserver

    hosted = hosted_zone_nameserver(domain) if domain is not None else None
    return pinned or hosted or app_settings.NAMESERVER or None


def services_in_slice(*, hour: int):
    """The primary keys of one hour's slice of the services (not suspended): primary key
    modulo 24, so slices stay even and every service is in one slice a day."""
    return (
        MailService.objects.exclude(status=MailService.Status.SUSPENDED)
        .alias(slot=F("pk") % SLICES)
        .filter(slot=hour % SLICES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
