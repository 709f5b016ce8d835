"""Writes of the message tools: phishing reports and their triage."""

import hashlib
import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from messagetools.app_settings import app_settings
from messagetools.engine.report import extract_report
from messagetools.models import PhishingReport, PhishingReportNote

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

    Safe to run twice: a report already sent is not sent again. Returns True when sent.
    """
    if report.abuse_notified_at is not None:
        return False
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
    updated = PhishingReport.objects.filter(pk=report.pk, abuse_notified_at__isnull=True).update(
        abuse_notified_at=timezone.now()
    )
    return bool(updated)
