"""Writes of the diagnosis: its runs (queued, executed, the customer told when it breaks)."""

from __future__ import annotations

import logging
from dataclasses import replace

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from mailservices.diagnosis.app_settings import app_settings
from mailservices.diagnosis.checks import CHECK_NAMES, ERROR, OK, WARNING, ProviderFacts
from mailservices.diagnosis.models import DiagnosisRun
from mailservices.diagnosis.runner import diagnose, diagnose_many, run_coroutine
from mailservices.diagnosis.selectors import nameserver_for, zone_facts
from mailservices.models import MailService
from mailservices.provisioning.models import DkimKey
from mailservices.provisioning.services import dkim_key_ensure, mailservice_provision_dns
from portal.core.app_settings import app_settings as portal_settings
from portal.core.jobs import job_claim, job_fail, job_finish, job_progress, jobs_claim

logger = logging.getLogger(__name__)

BATCH = 500  # runs per batch task: one asyncio batch, bounded in time and memory


def _run_create(*, service: MailService, trigger: str) -> tuple[DiagnosisRun, bool]:
    """The one way a run is made: (run, True), or (the run already waiting or running, False).

    Call inside a transaction: the service row is locked so two callers make one run.
    """
    MailService.objects.select_for_update().filter(pk=service.pk).first()
    active = (
        DiagnosisRun.objects.filter(
            service=service, state__in=[DiagnosisRun.State.QUEUED, DiagnosisRun.State.RUNNING]
        )
        .order_by("-created_at")
        .first()
    )
    if active and active.is_active:
        return active, False
    run = DiagnosisRun(service=service, trigger=trigger, progress_total=len(CHECK_NAMES))
    run.full_clean()
    run.save()
    return run, True


@transaction.atomic
def diagnosis_queue(*, service: MailService, trigger: str = DiagnosisRun.Trigger.MANUAL):
    """Creates a run and hands it to Celery once the transaction commits.

    A run already waiting or running for the service is returned instead of a second one.
    """
    run, created = _run_create(service=service, trigger=trigger)
    if created:
        from mailservices.diagnosis.tasks import run_diagnosis

        transaction.on_commit(lambda: run_diagnosis.delay(run.pk))
    return run


def diagnosis_prepare_new_service(*, service: MailService) -> DiagnosisRun | None:
    """A service was just created: its DKIM key and zone records, then (unless switched off
    by PORTAL_DIAGNOSIS_ON_CREATE) a first diagnosis at once. Safe to call twice."""
    mailservice_provision_dns(service=service)
    if not app_settings.ON_CREATE:
        return None
    return diagnosis_queue(service=service, trigger=DiagnosisRun.Trigger.PROVISIONED)


def diagnosis_queue_slice(*, hour: int) -> int:
    """Scheduled runs for each service of `hour`'s slice (`selectors.services_in_slice`),
    handed to Celery in batches of `BATCH` runs (the asyncio path). Returns the runs made."""
    from mailservices.diagnosis.selectors import services_in_slice
    from mailservices.diagnosis.tasks import diagnose_batch

    services = MailService.objects.filter(pk__in=services_in_slice(hour=hour)).order_by("pk")
    run_pks = diagnosis_create_scheduled(services=services)
    for start in range(0, len(run_pks), BATCH):
        chunk = run_pks[start : start + BATCH]
        transaction.on_commit(lambda chunk=chunk: diagnose_batch.delay(chunk))
    return len(run_pks)


def diagnosis_create_scheduled(*, services) -> list[int]:
    """Scheduled runs for `services`, left for `diagnosis_execute_many` (no task per run).

    Returns the primary keys of the runs made; a service with a run already waiting or
    running gets none (that run diagnoses it anyway).
    """
    made = []
    for service in services:
        with transaction.atomic():
            run, created = _run_create(service=service, trigger=DiagnosisRun.Trigger.SCHEDULED)
        if created:
            made.append(run.pk)
    return made


def _claim(run_pk: int) -> DiagnosisRun | None:
    """The run, marked running; None when it is gone, finished, or another worker has it."""
    run = DiagnosisRun.objects.select_related("service__domain").filter(pk=run_pk).first()
    if run is None or not job_claim(job=run):
        return None
    return run


def _claim_many(run_pks) -> list[DiagnosisRun]:
    """`_claim` for many runs at once: the ones this caller may run, marked running."""
    pks = jobs_claim(model=DiagnosisRun, pks=run_pks)
    return list(
        DiagnosisRun.objects.filter(pk__in=pks)
        .select_related("service__domain", "service__dkim_key")
        .order_by("pk")
    )


def _provider_for(key: DkimKey) -> ProviderFacts:
    # The key's own selector: a key made before a selector change stays checkable.
    return replace(ProviderFacts.from_settings(), dkim_selector=key.selector)


def _store_failure(run: DiagnosisRun, exc: BaseException) -> DiagnosisRun:
    job_fail(job=run, error=str(exc))
    return run


def _store_result(run: DiagnosisRun, result) -> DiagnosisRun:
    """Saves a finished diagnosis on its run and tells the customer if it just broke."""
    job_finish(
        job=run,
        results=[c.to_storage() for c in result.checks],
        status=result.status,
        progress_done=len(result.checks),
        progress_total=len(result.checks),
    )
    diagnosis_notify_if_broken(run=run)
    return run


def diagnosis_execute(*, run_pk: int, nameserver: str | None = None) -> DiagnosisRun | None:
    """Runs the checks of a queued run and stores the results (safe to run twice).

    The DNS work happens outside any transaction; progress is saved after each check.
    """
    run = _claim(run_pk)
    if run is None:
        return None
    service = run.service
    key = dkim_key_ensure(service=service)

    def progress(done, total):
        job_progress(job=run, done=done, total=total)

    try:
        result = diagnose(
            service.domain.name,
            provider=_provider_for(key),
            nameserver=nameserver_for(domain=service.domain, pinned=nameserver),
            dkim_public_key=key.public_key,
            progress=progress,
            zone=zone_facts(domain=service.domain),
        )
    except Exception as exc:
        logger.exception("diagnosis of %s failed", service.domain.name)
        return _store_failure(run, exc)
    return _store_result(run, result)


def diagnosis_execute_many(*, run_pks, nameserver: str | None = None) -> list[DiagnosisRun]:
    """Runs many queued runs at once on the asyncio batch path (`runner.diagnose_many`).

    The daily re-diagnosis uses this; "Jetzt prüfen" and new services keep `diagnosis_execute`
    (it saves progress per check). Each domain is asked where its single run asks
    (`selectors.nameserver_for`: a hosted zone at our own name server, in the same pass).
    Same claim as there, so safe to run twice: finished runs and runs another worker holds
    are skipped. The DNS work happens outside any transaction; each result is stored as
    `diagnosis_execute` stores it. A domain whose diagnosis raises
    fails alone; if the batch itself cannot run, every claimed run is marked failed.
    Returns the runs this call finished or failed.
    """
    runs = _claim_many(run_pks)
    if not runs:
        return []
    by_selector: dict[str, list[tuple[DiagnosisRun, DkimKey]]] = {}
    for run in runs:
        key = getattr(run.service, "dkim_key", None) or dkim_key_ensure(service=run.service)
        by_selector.setdefault(key.selector, []).append((run, key))
    groups = list(by_selector.values())
    zones = {
        run.service.domain.name: zone_facts(domain=run.service.domain)
        for run in runs
        if run.service.domain.is_hosted_zone
    }
    # Each domain where its single run asks (a hosted zone: our own name server).
    servers = {
        run.service.domain.name: nameserver_for(domain=run.service.domain, pinned=nameserver)
        for run in runs
    }

    async def diagnose_groups():
        outcomes = []
        for group in groups:  # one provider (DKIM selector) per call
            outcomes += await diagnose_many(
                [run.service.domain.name for run, _key in group],
                provider=_provider_for(group[0][1]),
                nameservers=servers,
                keys={run.service.domain.name: key.public_key for run, key in group},
                zones=zones,
                return_exceptions=True,
            )
        return outcomes

    ordered = [run for group in groups for run, _key in group]
    try:
        outcomes = run_coroutine(diagnose_groups)
    except Exception as exc:
        logger.exception("batch diagnosis of %d runs failed", len(ordered))
        return [_store_failure(run, exc) for run in ordered]
    done = []
    for run, outcome in zip(ordered, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            logger.error("diagnosis of %s failed", run.service.domain.name, exc_info=outcome)
            done.append(_store_failure(run, outcome))
        else:
            done.append(_store_result(run, outcome))
    return done


def diagnosis_notify_if_broken(*, run: DiagnosisRun) -> bool:
    """Emails the customer once when the result turns from good to error."""
    if run.status != ERROR or run.customer_notified:
        return False
    previous = (
        DiagnosisRun.objects.finished()
        .filter(service_id=run.service_id, status__in=[OK, WARNING, ERROR])
        .exclude(pk=run.pk)
        .filter(created_at__lte=run.created_at)
        .order_by("-created_at", "-pk")
        .first()
    )
    if previous is None or previous.status == ERROR:
        return False
    service = MailService.objects.select_related("domain__customer__owner").get(pk=run.service_id)
    owner = service.domain.customer.owner
    url = portal_settings.BASE_URL + reverse("diagnosis:service_diagnosis", args=[service.pk])
    from mailservices.diagnosis.selectors import checks_of

    with translation.override(getattr(owner, "language", None) or settings.LANGUAGE_CODE):
        context = {
            "service": service,
            "checks": [
                c
                for c in checks_of(run, hosted_zone=service.domain.is_hosted_zone)
                if c.status == ERROR
            ],
            "url": url,
            "provider": portal_settings.PROVIDER_NAME,
        }
        subject = render_to_string("diagnosis/email/error_subject.txt", context).strip()
        body = render_to_string("diagnosis/email/error_body.txt", context)
    send_mail(subject, body, None, [owner.email])
    DiagnosisRun.objects.filter(pk=run.pk).update(customer_notified=True)
    run.customer_notified = True
    return True
