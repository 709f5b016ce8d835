"""Periodic jobs of the security app (found through the app registry by portal.core.schedules)."""

from celery.schedules import crontab

SCHEDULE = {
    "security-activities-prune": {
        "task": "security.activities_prune",
        "schedule": crontab(hour="3", minute="17"),
    },
}
