"""Periodic jobs of the sending limits (found through the app registry by portal.core.schedules)."""

from celery.schedules import crontab

SCHEDULE = {
    "quotas-usage-rollup": {
        "task": "quotas.usage_rollup",
        "schedule": crontab(minute="2"),
    },
    "quotas-counters-clear-expired": {
        "task": "quotas.counters_clear_expired",
        "schedule": crontab(minute="7"),
    },
    "quotas-usage-alerts": {
        "task": "quotas.usage_alerts_send",
        "schedule": 300.0,
    },
}
