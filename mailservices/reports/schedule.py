"""Periodic jobs of the reports (Celery beat format; discovered by portal.core)."""

from celery.schedules import crontab

SCHEDULE = {
    "reports-prune": {"task": "reports.reports_prune", "schedule": crontab(hour=3, minute=35)},
    "reports-requeue-lost-mails": {
        "task": "reports.report_mails_requeue_lost",
        "schedule": crontab(minute="*/15"),
    },
}
