"""Periodic jobs of the DAV app (Celery beat format, discovered by core)."""

from celery.schedules import crontab

SCHEDULE = {
    "dav-purge-deleted-address-data": {
        "task": "dav.purge_deleted_address_data",
        "schedule": crontab(hour=3, minute=40),
    },
}
