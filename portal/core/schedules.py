"""Periodic jobs: each app's `<app>/schedule.py` exposes `SCHEDULE` (Celery beat format).

They are found through the app registry once it is ready (`CoreConfig.ready`) and merged
into `settings.CELERY_BEAT_SCHEDULE`, which django-celery-beat's DatabaseScheduler copies
into its tables at start-up (staff see and pause them in the admin).
"""

import importlib
import importlib.util

from django.apps import apps
from django.conf import settings

_conflicts: list[tuple[str, str, str]] = []


def app_schedules() -> dict[str, dict]:
    """{app module: its SCHEDULE} for every installed app that has a schedule.py."""
    found = {}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.schedule"
        try:
            spec = importlib.util.find_spec(module_name)
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            continue
        found[config.name] = dict(getattr(importlib.import_module(module_name), "SCHEDULE", {}))
    return found


def install_schedules() -> dict:
    """Merges every app's SCHEDULE into `settings.CELERY_BEAT_SCHEDULE` (in place)."""
    beat = settings.CELERY_BEAT_SCHEDULE
    owner = dict.fromkeys(beat, "settings")
    _conflicts.clear()
    for app_name, schedule in app_schedules().items():
        for name, entry in schedule.items():
            if name in owner and owner[name] != app_name:
                _conflicts.append((name, owner[name], app_name))
                continue
            owner[name] = app_name
            beat[name] = entry
    return beat


def schedule_conflicts() -> list[tuple[str, str, str]]:
    """Entries two apps declared under the same name (reported by a system check)."""
    return list(_conflicts)
