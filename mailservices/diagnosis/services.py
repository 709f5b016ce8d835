"""Writes of the diagnosis: DKIM keys, the hosted zone's mail records, diagnosis runs."""

from __future__ import annotations

import logging
from dataclasses import replace

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from mailservices.diagnosis.checks import CHECK_NAMES, ERROR, OK, WARNING, ProviderFacts
from mailservices.diagnosis.keys import generate_key_pair
from mailservices.diagnosis.models import ACTIVE_FOR, DiagnosisRun, DkimKey, ZoneRecord
from mailservices.diagnosis.runner import diagnose
from mailservices.diagnosis.zone import mail_records, relative_name
from mailservices.models import Domain, MailService

logger = logging.getLogger(__name__)


@transaction.atomic
def dkim_key_ensure(*, service: MailService) -> DkimKey:
    """The service's DKIM key, made on first use (safe to call twice)."""
    MailService.objects.select_for_update().filter(pk=service.pk).first()
    existing = DkimKey.objects.filter(service=service).first()
    if existing:
        return existing
    private_pem, public_b64 = generate_key_pair()
    key = DkimKey(
        service=service,
        selector=settings.PORTAL_DKIM_SELECTOR,
        private_key_pem=private_pem,
        public_key=public_b64,
    )
    key.full_clean()
    key.save()
    return key


@transaction.atomic
def zone_add_mail_records(*, domain: Domain) -> list[ZoneRecord]:
    """Adds the records mail needs to the zone of a domain registered through us.

    Existing records stay; an SPF record of the customer's is merged with ours rather than
    duplicated. External domains keep their zone elsewhere: nothing to do.
    """
    if domain.source != Domain.Source.REGISTERED:
        return []
    service = MailService.objects.filter(domain=domain).select_related("dkim_key").first()
    key = getattr(service, "dkim_key", None) if service else None
    existing = list(ZoneRecord.objects.select_for_update().filter(domain=domain))
    spf_rows = [r for r in existing if r.name == "@" and r.type == "TXT" and _is_spf_value(r.value)]
    added = []
    provider = ProviderFacts.from_settings()
    if key:
        provider = replace(provider, dkim_selector=key.selector)
    for record in mail_records(
        domain.name,
        provider,
        key.public_key if key else None,
        [r.value for r in spf_rows],
    ):
        name = relative_name(record.name, domain.name)
        if record.type == "TXT" and name == "@" and _is_spf_value(record.value):
            for row in spf_rows:
                if row.value != record.value:
                    row.delete()
        elif _occupied(existing, name, record.type):
            continue  # the customer has their own record there (CNAME/DMARC/DKIM): keep it
        row, created = ZoneRecord.objects.get_or_create(
            domain=domain,
            name=name,
            type=record.type,
            value=record.value,
            defaults={"ttl": record.ttl, "managed": True},
        )
        if created:
            row.full_clean()
            added.append(row)
    return added


def _is_spf_value(value: str) -> bool:
    text = value.strip().lower()
    return text == "v=spf1" or text.startswith("v=spf1 ")


def _occupied(existing: list[ZoneRecord], name: str, rdtype: str) -> bool:
    """A single-valued place (CNAME host, _dmarc, DKIM selector) already holds a record."""
    if rdtype in ("MX", "SRV"):
        return False
    return any(r.name == name and (r.type == rdtype or r.type == "CNAME") for r in existing)


def mailservice_provision_dns(*, service: MailService) -> DkimKey:
    """What a new service needs before its first diagnosis: a key, and zone records."""
    key = dkim_key_ensure(service=service)
    zone_add_mail_records(domain=service.domain)
    return key


@transaction.atomic
def diagnosis_queue(*, service: MailService, trigger: str = DiagnosisRun.Trigger.MANUAL):
    """Creates a run and hands it to Celery once the transaction commits.

    A run already waiting or running for the service is returned instead of a second one.
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
        return active
    run = DiagnosisRun(service=service, trigger=trigger, checks_total=len(CHECK_NAMES))
    run.full_clean()
    run.save()
    from mailservices.diagnosis.tasks import run_diagnosis

    transaction.on_commit(lambda: run_diagnosis.delay(run.pk))
    return run


def _claim(run_pk: int) -> DiagnosisRun | None:
    """Marks a run as running; None when it is finished or another worker has it."""
    with transaction.atomic():
        run = (
            DiagnosisRun.objects.select_for_update()
            .select_related("service__domain")
            .get(pk=run_pk)
        )
        if run.state in (DiagnosisRun.State.DONE, DiagnosisRun.State.FAILED):
            return None
        now = timezone.now()
        if run.state == DiagnosisRun.State.RUNNING and now - run.started_at < ACTIVE_FOR:
            return None
        run.state = DiagnosisRun.State.RUNNING
        run.started_at = now
        run.checks_done = 0
        run.save(update_fields=["state", "started_at", "checks_done"])
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
        DiagnosisRun.objects.filter(pk=run.pk).update(checks_done=done, checks_total=total)

    try:
        result = diagnose(
            service.domain.name,
            # The key's own selector: a key made before a selector change stays checkable.
            provider=replace(ProviderFacts.from_settings(), dkim_selector=key.selector),
            nameserver=nameserver or settings.PORTAL_DIAGNOSIS_NAMESERVER or None,
            dkim_public_key=key.public_key,
            progress=progress,
        )
    except Exception as exc:
        logger.exception("diagnosis of %s failed", service.domain.name)
        DiagnosisRun.objects.filter(pk=run.pk).update(
            state=DiagnosisRun.State.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        run.refresh_from_db()
        return run
    with transaction.atomic():
        run = DiagnosisRun.objects.select_for_update().get(pk=run.pk)
        run.results = [c.to_storage() for c in result.checks]
        run.status = result.status
        run.state = DiagnosisRun.State.DONE
        run.checks_done = run.checks_total = len(result.checks)
        run.finished_at = timezone.now()
        run.save()
    diagnosis_notify_if_broken(run=run)
    return run


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
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "diagnosis:service_diagnosis", args=[service.pk]
    )
    from mailservices.diagnosis.selectors import checks_of

    with translation.override(getattr(owner, "language", None) or settings.LANGUAGE_CODE):
        context = {
            "service": service,
            "checks": [c for c in checks_of(run) if c.status == ERROR],
            "url": url,
            "provider": settings.PORTAL_PROVIDER_NAME,
        }
        subject = render_to_string("diagnosis/email/error_subject.txt", context).strip()
        body = render_to_string("diagnosis/email/error_body.txt", context)
    send_mail(subject, body, None, [owner.email])
    DiagnosisRun.objects.filter(pk=run.pk).update(customer_notified=True)
    run.customer_notified = True
    return True
