"""Celery beat: every hour one 24th of the mail services is re-diagnosed (so each daily)."""

from celery.schedules import crontab

SCHEDULE = {
    "diagnosis-hourly-slice": {
        "task": "diagnosis.diagnose_hourly_slice",
        "schedule": crontab(minute=0),
    },
}
