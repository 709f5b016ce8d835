"""Periodic jobs of the delivery log (Celery beat format; discovered by portal.core)."""

from celery.schedules import crontab

SCHEDULE = {
    "maillog-deliveries-prune": {
        "task": "maillog.deliveries_prune",
        "schedule": crontab(hour=3, minute=25),
    },
}
