"""Celery entry points: take a primary key, load, call a service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from mailservices.diagnosis.app_settings import app_settings
from mailservices.diagnosis.models import DiagnosisRun
from mailservices.diagnosis.services import (
    diagnosis_create_scheduled,
    diagnosis_execute,
    diagnosis_execute_many,
    diagnosis_queue,
)
from mailservices.models import MailService
from mailservices.provisioning.services import mailservice_provision_dns

SLICES = 24  # the hourly beat job diagnoses one slice, so every service once a day
BATCH = 500  # runs per batch task: one asyncio batch, bounded in time and memory


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
    if app_settings.ON_CREATE:
        diagnosis_queue(service=service, trigger=DiagnosisRun.Trigger.PROVISIONED)


@shared_task(name="diagnosis.diagnose_batch")
def diagnose_batch(run_pks: list[int]) -> int:
    """Scheduled runs on the asyncio batch path; returns how many this call finished."""
    return len(diagnosis_execute_many(run_pks=run_pks))


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
    """Makes a scheduled run for each service of this hour's slice and queues them in
    batches of `BATCH` runs (`diagnose_batch`, the asyncio path). Returns the runs made."""
    hour = timezone.localtime().hour if hour is None else hour
    services = MailService.objects.filter(pk__in=services_in_slice(hour)).order_by("pk")
    run_pks = diagnosis_create_scheduled(services=services)
    for start in range(0, len(run_pks), BATCH):
        chunk = run_pks[start : start + BATCH]
        transaction.on_commit(lambda chunk=chunk: diagnose_batch.delay(chunk))
    return len(run_pks)
