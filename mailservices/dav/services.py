"""Writes of the DAV app: removing the calendars and contacts of deleted addresses."""

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from mailservices.dav.app_settings import app_settings
from mailservices.dav.login import normalize_login
from mailservices.dav.models import DeletedAddressData
from mailservices.dav.selectors import existing_logins


@dataclass(frozen=True)
class PurgeReport:
    noticed: int  # newly found without an address
    restored: int  # address exists again: data kept
    removed: int  # grace period over: data deleted


def _collection_root(storage_dir: str | None) -> Path:
    return Path(storage_dir or app_settings.STORAGE_DIR) / "collection-root"


@transaction.atomic
def dav_data_purge(*, now: datetime | None = None, storage_dir: str | None = None) -> PurgeReport:
    """Notes data whose address is gone, forgets that note if the address came back, and
    deletes data whose address has been gone for the grace period. Safe to run twice."""
    now = now or timezone.now()
    root = _collection_root(storage_dir)
    on_disk = set()
    if root.is_dir():
        on_disk = {p.name for p in root.iterdir() if p.is_dir() and normalize_login(p.name)}
    alive = existing_logins()
    orphans = on_disk - alive
    known = {d.login: d for d in DeletedAddressData.objects.select_for_update()}
    restored = [login for login in known if login not in orphans]
    DeletedAddressData.objects.filter(login__in=restored).delete()
    noticed = [login for login in orphans if login not in known]
    DeletedAddressData.objects.bulk_create(
        [DeletedAddressData(login=login, noticed_at=now) for login in noticed]
    )
    deadline = now - timedelta(days=app_settings.DELETED_GRACE_DAYS)
    removed = 0
    for login, record in known.items():
        if login in orphans and record.noticed_at <= deadline:
            shutil.rmtree(root / login, ignore_errors=True)
            record.delete()
            removed += 1
    return PurgeReport(noticed=len(noticed), restored=len(restored), removed=removed)
