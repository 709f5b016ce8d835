"""Celery entry points: take a primary key, load, call a service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from mailservices.diagnosis.services import (
    diagnosis_execute,
    diagnosis_execute_many,
    diagnosis_prepare_new_service,
    diagnosis_queue_slice,
)
from mailservices.models import MailService


@shared_task(name="diagnosis.run_diagnosis")
def run_diagnosis(run_pk: int) -> None:
    diagnosis_execute(run_pk=run_pk)


@shared_task(name="diagnosis.diagnose_new_service")
def diagnose_new_service(service_pk: int) -> None:
    """A service was just created: key, zone records, then a first diagnosis at once."""
    service = MailService.objects.select_related("domain").filter(pk=service_pk).first()
    if service is not None:
        diagnosis_prepare_new_service(service=service)


@shared_task(name="diagnosis.diagnose_batch")
def diagnose_batch(run_pks: list[int]) -> int:
    """Scheduled runs on the asyncio batch path; returns how many this call finished."""
    return len(diagnosis_execute_many(run_pks=run_pks))


@shared_task(name="diagnosis.diagnose_hourly_slice")
def diagnose_hourly_slice(hour: int | None = None) -> int:
    """Hourly: scheduled runs for this hour's slice of the services, queued in batches."""
    hour = timezone.localtime().hour if hour is None else hour
    return diagnosis_queue_slice(hour=hour)
