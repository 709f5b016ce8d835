"""One Celery beat at a time: the scheduler holds a lease in the shared cache.

Two beats started by mistake would send every periodic job twice. `SingleBeatScheduler` (the
django-celery-beat scheduler with its schedule in the database) takes a lease in the cache
(Redis in production) before it schedules anything and renews it on every tick; a second beat
finds the lease taken and stops at once with a clear message. A beat that dies loses the
lease after `LEASE_SECONDS`, so its replacement can start.
"""

import os
import socket
import uuid

from django.core.cache import cache
from django_celery_beat.schedulers import DatabaseScheduler

LEASE_KEY = "portal:celery-beat:lease"
LEASE_SECONDS = 60


class BeatAlreadyRunning(SystemExit):
    """Raised (exit status 1) when another beat holds the lease."""


class BeatLease:
    """The lease itself, on Django's cache: `acquire` once, `renew` on every tick."""

    def __init__(self, *, key: str = LEASE_KEY, seconds: int = LEASE_SECONDS):
        self.key = key
        self.seconds = seconds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def acquire(self) -> None:
        if cache.add(self.key, self.holder, timeout=self.seconds):
            return
        other = cache.get(self.key)
        if other == self.holder:
            return
        raise BeatAlreadyRunning(
            f"Another Celery beat is running ({other}); only one may run at a time. "
            f"If it died, this one can start after {self.seconds} s."
        )

    def renew(self) -> None:
        holder = cache.get(self.key)
        if holder is None:
            self.acquire()  # expired (e.g. a long pause): take it again if it is free
        elif holder == self.holder:
            cache.touch(self.key, self.seconds)
        else:
            raise BeatAlreadyRunning(f"Celery beat lease taken over by {holder}; stopping.")

    def release(self) -> None:
        if cache.get(self.key) == self.holder:
            cache.delete(self.key)


class SingleBeatScheduler(DatabaseScheduler):
    """django-celery-beat's DatabaseScheduler that refuses to run beside another beat."""

    def __init__(self, *args, **kwargs):
        self.lease = BeatLease()
        self.lease.acquire()
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        self.lease.renew()
        return min(super().tick(*args, **kwargs), self.lease.seconds / 3)

    def close(self):
        try:
            super().close()
        finally:
            self.lease.release()
