"""Periodic jobs of the sending limits (picked up by portal/settings/celery.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
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
