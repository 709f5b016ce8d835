"""Celery entry points of the message tools."""

from celery import shared_task

from messagetools.models import PhishingReport
from messagetools.services import phishing_report_notify_abuse


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def phishing_report_notify(report_pk: int) -> bool:
    """Sends a report to the abuse team (once; safe to run twice)."""
    report = PhishingReport.objects.select_related("customer").filter(pk=report_pk).first()
    if report is None:
        return False
    return phishing_report_notify_abuse(report=report)
