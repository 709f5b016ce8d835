"""Celery beat: the daily clean-up of old message checks and their stored messages."""

from celery.schedules import crontab

SCHEDULE = {
    "messagetools-delete-old-checks": {
        "task": "messagetools.delete_old_message_checks",
        "schedule": crontab(hour=3, minute=40),
    },
}
