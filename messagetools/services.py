"""Writes of the message tools: message checks (run by Celery), phishing reports, triage."""

import hashlib
import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from messagetools.app_settings import app_settings
from messagetools.engine import CheckReport, NotAMessage, check_message
from messagetools.engine.parsing import parse_message
from messagetools.engine.report import extract_report
from messagetools.models import MessageCheck, PhishingReport, PhishingReportNote
from messagetools.spf import sender_spf
from portal.core.jobs import job_claim, job_fail, job_finish, job_progress, job_requeue

logger = logging.getLogger(__name__)


def phishing_report_create(*, customer, reported_by, raw: bytes, note: str = "") -> PhishingReport:
    """Stores a report with the evidence parsed from `raw` and queues the abuse-team email.

    Raises `NotAMessage` before anything is written. The original is written to storage only
    with the row; if saving the row fails, the file is removed again.
    """
    data = extract_report(raw)
    report = PhishingReport(
        customer=customer,
        reported_by=reported_by,
        customer_note=note.strip(),
        subject=data.subject,
        from_header=data.from_header,
        from_address=data.from_address[:320],
        reply_to=data.reply_to,
        return_path=data.return_path,
        message_id=data.message_id,
        sent_date=data.date,
        headers=data.headers,
        received=data.received,
        urls=data.urls,
        attachments=data.attachments,
        signals=data.signals,
        original_sha256=hashlib.sha256(raw).hexdigest(),
        original_size=len(raw),
    )
    report.full_clean(exclude=["original"])
    with transaction.atomic():
        report.original.save("original.eml", ContentFile(raw), save=False)
        try:
            report.save()
        except Exception:
            report.original.delete(save=False)
            raise
        from messagetools.tasks import phishing_report_notify

        transaction.on_commit(lambda: phishing_report_notify.delay(report.pk))
    return report


@transaction.atomic
def phishing_report_triage(*, report: PhishingReport, status: str, note: str, by) -> PhishingReport:
    """Moves a report along new → confirmed | false positive → closed, keeping a note.

    `status` equal to the current one only adds the note. Raises ValidationError for a step
    the workflow does not allow.
    """
    report = PhishingReport.objects.select_for_update().get(pk=report.pk)
    current = report.status
    note = (note or "").strip()
    if status != current and status not in report.allowed_statuses():
        raise ValidationError(
            _("Von „%(current)s“ geht es nicht zu „%(target)s“.")
            % {
                "current": PhishingReport.Status(current).label,
                "target": PhishingReport.Status(status).label
                if status in PhishingReport.Status.values
                else status,
            }
        )
    if status == current and not note:
        return report
    if status != current:
        report.status = status
        if status in (PhishingReport.Status.CONFIRMED, PhishingReport.Status.FALSE_POSITIVE):
            report.outcome = status
        report.full_clean(exclude=["original"])
        report.save(update_fields=["status", "outcome", "updated_at"])
    note_obj = PhishingReportNote(
        report=report, author=by, status_from=current, status_to=status, text=note
    )
    note_obj.full_clean(exclude=["report", "author"])
    note_obj.save()
    return report


def phishing_report_notify_abuse(*, report: PhishingReport) -> bool:
    """Emails the abuse team everything staff need, with the original attached.

    The report is marked as sent before the email leaves, in one conditional UPDATE, so a
    second run (a task delivered again) sends nothing; a failed send takes the mark back and
    raises (the task retries). Returns True when this call sent it.
    """
    claimed = PhishingReport.objects.filter(pk=report.pk, abuse_notified_at__isnull=True).update(
        abuse_notified_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        with translation.override("de"):
            context = {"report": report, "customer": report.customer}
            subject = _("[Phishing-Meldung #%(pk)s] %(subject)s") % {
                "pk": report.pk,
                "subject": (report.subject or _("(ohne Betreff)"))[:150],
            }
            body = render_to_string("messagetools/email/abuse_report.txt", context)
        email = EmailMessage(
            subject=" ".join(subject.split()),
            body=body,
            to=[app_settings.ABUSE_EMAIL],
        )
        with report.original.open("rb") as original:
            email.attach(
                f"phishing-meldung-{report.pk}.eml", original.read(), "application/octet-stream"
            )
        email.send()
    except BaseException:
        PhishingReport.objects.filter(pk=report.pk).update(abuse_notified_at=None)
        raise
    return True


# -- message checks ----------------------------------------------------------------------------
DELETE_BATCH = 500


def message_check_create(*, customer, raw: bytes, language: str) -> MessageCheck:
    """Stores the message and queues its check for Celery once the transaction commits.

    Raises `NotAMessage` before anything is written. If saving the row fails, the stored
    file is removed again.
    """
    parse_message(raw)
    check = MessageCheck(customer=customer, original_size=len(raw), language=language[:10])
    check.full_clean(exclude=["original"])
    with transaction.atomic():
        check.original.save("original.eml", ContentFile(raw), save=False)
        try:
            check.save()
        except Exception:
            check.original.delete(save=False)
            raise
        _queue(check)
    return check


def _queue(check: MessageCheck) -> None:
    from messagetools.tasks import run_message_check

    transaction.on_commit(lambda: run_message_check.delay(check.pk))


@transaction.atomic
def message_check_requeue(*, check: MessageCheck, language: str) -> MessageCheck:
    """ "Erneut prüfen": runs the stored message through the check again (DNS may answer now).

    A check that is still waiting or running is returned as it is.
    """
    check = MessageCheck.objects.select_for_update().get(pk=check.pk)
    if not job_requeue(job=check):
        return check
    check.language = language[:10]
    check.progress_done = 0
    check.verdict = ""
    check.result = {}
    check.full_clean(exclude=["original"])
    check.save(update_fields=["language", "progress_done", "verdict", "result"])
    _queue(check)
    return check


def _claim(check_pk: int) -> MessageCheck | None:
    """The check, marked running; None when it is gone, finished, or another worker has it."""
    check = MessageCheck.objects.filter(pk=check_pk).first()
    if check is None or not job_claim(job=check):
        return None
    return check


def _report_data(report: CheckReport) -> dict:
    return {**report.as_dict(), "subject": report.subject, "sender": report.sender,
            "size": report.size}  # fmt: skip


def message_check_execute(*, check_pk: int) -> MessageCheck | None:
    """Runs the rule engine on a queued check and stores the findings (safe to run twice).

    The work (archives, DNS) happens outside any transaction; progress is saved after each
    step. Returns None when there was nothing to do.
    """
    check = _claim(check_pk)
    if check is None:
        return None

    def progress(done: int, total: int) -> None:
        job_progress(job=check, done=done, total=total)

    with translation.override(check.language or "de"):
        try:
            with check.original.open("rb") as handle:
                raw = handle.read()
            report = check_message(raw, spf_checker=sender_spf, progress=progress)
        except NotAMessage as error:
            return _fail(check, str(error))
        except OSError:
            logger.exception("message check %s: original not readable", check.pk)
            return _fail(check, _("Die gespeicherte Nachricht ist nicht mehr lesbar."))
        except Exception:
            logger.exception("message check %s failed", check.pk)
            return _fail(check, _("Bei der Prüfung ist ein interner Fehler aufgetreten."))
    job_finish(
        job=check,
        verdict=str(report.verdict),
        subject=report.subject[:300],
        result=_report_data(report),
    )
    return check


def _fail(check: MessageCheck, error: str) -> MessageCheck:
    job_fail(job=check, error=error)
    return check


def _delete_files(names: list[str]) -> None:
    storage = MessageCheck._meta.get_field("original").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("message check file %s could not be deleted", name, exc_info=True)


def message_check_delete(*, check: MessageCheck) -> None:
    """Deletes a check and, once that is committed, the stored message."""
    name = check.original.name
    with transaction.atomic():
        MessageCheck.objects.filter(pk=check.pk).delete()
        if name:
            transaction.on_commit(lambda: _delete_files([name]))


def message_checks_delete_old(*, now: datetime | None = None, days: int | None = None) -> int:
    """Deletes checks older than `days` (default: the keep setting) with their files.

    Works in batches, so a large backlog never holds a long transaction. Returns the count.
    """
    days = app_settings.CHECK_KEEP_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted = 0
    while True:
        batch = list(
            MessageCheck.objects.filter(created_at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", "original")[:DELETE_BATCH]
        )
        if not batch:
            _delete_orphans(cutoff)
            return deleted
        with transaction.atomic():
            MessageCheck.objects.filter(pk__in=[pk for pk, _name in batch]).delete()
            names = [name for _pk, name in batch if name]
            transaction.on_commit(lambda names=names: _delete_files(names))
        deleted += len(batch)


def _delete_orphans(cutoff: datetime) -> int:
    """Stored messages without a check (a rolled-back upload, a deleted customer) go too."""
    storage = MessageCheck._meta.get_field("original").storage
    try:
        _dirs, files = storage.listdir("checks")
    except (FileNotFoundError, NotImplementedError):
        return 0
    orphans = []
    names = [f"checks/{name}" for name in files]
    for start in range(0, len(names), DELETE_BATCH):
        chunk = names[start : start + DELETE_BATCH]
        known = set(
            MessageCheck.objects.filter(original__in=chunk).values_list("original", flat=True)
        )
        for name in chunk:
            if name in known:
                continue
            try:
                if storage.get_modified_time(name) >= cutoff:
                    continue
            except (FileNotFoundError, NotImplementedError):
                continue
            orphans.append(name)
    _delete_files(orphans)
    return len(orphans)
