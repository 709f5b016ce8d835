"""Celery entry points of the reports (each safe to run twice)."""

from celery import shared_task

from mailservices.reports.models import ReportMail
from mailservices.reports.services import report_mail_process, reports_prune


@shared_task(name="reports.report_mail_process")
def report_mail_process_task(mail_pk: int) -> None:
    mail = ReportMail.objects.filter(pk=mail_pk).first()
    if mail is not None:
        report_mail_process(mail=mail)


@shared_task(name="reports.reports_prune")
def reports_prune_task() -> int:
    return reports_prune()


@shared_task(name="reports.report_mails_requeue_lost")
def report_mails_requeue_lost_task() -> int:
    """Mails whose job never ran (worker down at the time): process them now."""
    from datetime import timedelta

    from django.utils import timezone

    before = timezone.now() - timedelta(minutes=5)
    lost = list(
        ReportMail.objects.filter(state=ReportMail.State.QUEUED, queued_at__lt=before)[:500]
    )
    for mail in lost:
        report_mail_process(mail=mail)
    return len(lost)
