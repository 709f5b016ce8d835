"""Celery beat: DKIM rotations move on every hour (start, visible, switch, retire)."""

from celery.schedules import crontab

SCHEDULE = {
    "provisioning-dkim-rotations": {
        "task": "provisioning.advance_dkim_rotations",
        "schedule": crontab(minute=20),
    },
}
