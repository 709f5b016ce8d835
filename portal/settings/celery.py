"""Celery: Redis when REDIS_URL is set, else a kombu transport that needs no server.

Without Redis the broker is kombu's filesystem transport (messages are files under
var/celery) and results go to the database (django-celery-results), so `make run` can start
a real worker with embedded beat and nothing else installed.
"""

from pathlib import Path

from portal.settings.base import BASE_DIR, REDIS_URL, env

if REDIS_URL:
    from portal.core.redisconn import celery_urls

    CELERY_BROKER_URL, CELERY_RESULT_BACKEND, _sentinel = celery_urls(REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, **_sentinel}
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = dict(_sentinel)
else:
    _celery_dir = Path(env.str("CELERY_FILESYSTEM_DIR", default=str(BASE_DIR / "var" / "celery")))
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = "django-db"

CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_RESULT_EXTENDED = True
CELERY_TIMEZONE = "Europe/Zurich"
# One beat at a time (a lease in the cache; a second beat stops at once): portal/core/beat.py.
CELERY_BEAT_SCHEDULER = "portal.core.beat:SingleBeatScheduler"

# Periodic jobs: each app declares its own in `<app>/schedule.py` as a plain dict named
# SCHEDULE (no Django imports there). `portal.core.schedules` finds them through the app
# registry once it is ready and merges them in here; DatabaseScheduler copies them into the
# django-celery-beat tables at start-up, where staff can see and pause them in the admin.
CELERY_BEAT_SCHEDULE: dict = {}
