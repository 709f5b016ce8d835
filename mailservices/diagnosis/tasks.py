"""Celery entry points: take a primary key, load, call a service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from mailservices.diagnosis.models import DiagnosisRun
from mailservices.diagnosis.services import (
    diagnosis_execute,
    diagnosis_queue,
    mailservice_provision_dns,
)
from mailservices.models import MailService

SLICES = 24  # the hourly beat job diagnoses one slice, so every service once a day


@shared_task(name="diagnosis.run_diagnosis")
def run_diagnosis(run_pk: int) -> None:
    diagnosis_execute(run_pk=run_pk)


@shared_task(name="diagnosis.diagnose_new_service")
def diagnose_new_service(service_pk: int) -> None:
    """A service was just created: key, zone records, then a first diagnosis at once."""
    service = MailService.objects.select_related("domain").filter(pk=service_pk).first()
    if service is None:
        return
    mailservice_provision_dns(service=service)
    if settings.PORTAL_DIAGNOSIS_ON_CREATE:
        diagnosis_queue(service=service, trigger=DiagnosisRun.Trigger.PROVISIONED)


@shared_task(name="diagnosis.diagnose_scheduled")
def diagnose_scheduled(service_pk: int) -> None:
    service = MailService.objects.filter(pk=service_pk).first()
    if service is not None and service.status != MailService.Status.SUSPENDED:
        diagnosis_queue(service=service, trigger=DiagnosisRun.Trigger.SCHEDULED)


def services_in_slice(hour: int):
    """The services of one hour's slice: primary key modulo 24, so slices stay even."""
    return (
        MailService.objects.exclude(status=MailService.Status.SUSPENDED)
        .alias(slot=F("pk") % SLICES)
        .filter(slot=hour % SLICES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@shared_task(name="diagnosis.diagnose_hourly_slice")
def diagnose_hourly_slice(hour: int | None = None) -> int:
    """Queues this hour's slice, spread evenly over the hour by countdown."""
    hour = timezone.localtime().hour if hour is None else hour
    pks = list(services_in_slice(hour))
    for index, pk in enumerate(pks):
        diagnose_scheduled.apply_async((pk,), countdown=index * 3600 // max(len(pks), 1))
    return len(pks)
