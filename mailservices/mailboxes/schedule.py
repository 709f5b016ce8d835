"""Periodic jobs of the mailboxes app (Celery beat format)."""

SCHEDULE = {
    "mailboxes-storage-alerts": {
        "task": "mailboxes.storage_alerts_send",
        "schedule": 300.0,
    },
    "mailboxes-imports-dispatch": {
        "task": "mailboxes.imports_dispatch",
        "schedule": 60.0,
    },
    "mailboxes-import-previews-expire": {
        "task": "mailboxes.import_previews_expire",
        "schedule": 60.0,
    },
}
