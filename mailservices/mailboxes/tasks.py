"""Celery entry points; each takes primary keys, calls one service and is safe to run twice."""

from celery import shared_task

from mailservices.mailboxes import services


@shared_task(name="mailboxes.storage_alerts_send")
def storage_alerts_send() -> int:
    return services.storage_alerts_send()
