"""Celery entry points of the message tools: take a primary key, load, call a service."""

from celery import shared_task

from messagetools.models import PhishingReport
from messagetools.services import (
    message_check_execute,
    message_checks_delete_old,
    phishing_report_notify_abuse,
)


@shared_task(name="messagetools.run_message_check")
def run_message_check(check_pk: int) -> str:
    """Checks an uploaded message (safe to run twice: a finished check is left alone)."""
    check = message_check_execute(check_pk=check_pk)
    return check.state if check else "skipped"


@shared_task(name="messagetools.delete_old_message_checks")
def delete_old_message_checks() -> int:
    """Daily: checks older than MESSAGETOOLS_CHECK_KEEP_DAYS go, with the stored messages."""
    return message_checks_delete_old()


@shared_task(
    name="messagetools.tasks.phishing_report_notify",  # the name it always had (queued tasks)
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def phishing_report_notify(report_pk: int) -> bool:
    """Sends a report to the abuse team (once; safe to run twice)."""
    report = PhishingReport.objects.select_related("customer").filter(pk=report_pk).first()
    if report is None:
        return False
    return phishing_report_notify_abuse(report=report)
