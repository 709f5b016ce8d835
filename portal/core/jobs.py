"""Services moving a `Job` through its states; each is one conditional UPDATE (atomic).

A worker calls `job_claim` first and works only if it got True; progress, finish and fail
then apply only while the job is still running (a cancelled job stays cancelled).
"""

from __future__ import annotations

from django.db.models import F, Q
from django.utils import timezone

from portal.core.models import Job


def _claimable(model: type[Job], now) -> Q:
    """Waiting, or running in a worker that has not been heard of for `ACTIVE_FOR`."""
    stale = now - model.ACTIVE_FOR
    return Q(state=Job.State.QUEUED) | Q(state=Job.State.RUNNING) & (
        Q(started_at__isnull=True) | Q(started_at__lt=stale)
    )


def job_claim(*, job: Job) -> bool:
    """Queued (or lost while running) -> running; False when it is finished or someone has it."""
    now = timezone.now()
    model = type(job)
    claimed = model._default_manager.filter(_claimable(model, now), pk=job.pk).update(
        state=Job.State.RUNNING, started_at=now, finished_at=None
    )
    if claimed:
        job.state, job.started_at, job.finished_at = Job.State.RUNNING, now, None
    return bool(claimed)


def jobs_claim(*, model: type[Job], pks) -> list[int]:
    """`job_claim` for many jobs in one statement; returns the primary keys this caller got."""
    now = timezone.now()
    candidates = model._default_manager.filter(_claimable(model, now), pk__in=list(pks))
    pks = list(candidates.values_list("pk", flat=True))
    model._default_manager.filter(_claimable(model, now), pk__in=pks).update(
        state=Job.State.RUNNING, started_at=now, finished_at=None
    )
    return list(
        model._default_manager.filter(
            pk__in=pks, state=Job.State.RUNNING, started_at=now
        ).values_list("pk", flat=True)
    )


def job_progress(*, job: Job, done: int, total: int | None = None) -> None:
    """Records how far a running job is (`done` of `total`; total kept when not given)."""
    total = job.progress_total if total is None else total
    done = min(done, total)
    type(job)._default_manager.filter(pk=job.pk, state=Job.State.RUNNING).update(
        progress_done=done, progress_total=total
    )
    job.progress_done, job.progress_total = done, total


def job_finish(*, job: Job, **fields) -> bool:
    """Running -> done, storing the subclass's result `fields`; progress is made complete."""
    fields.setdefault("progress_done", F("progress_total"))
    finished = (
        type(job)
        ._default_manager.filter(pk=job.pk, state=Job.State.RUNNING)
        .update(state=Job.State.DONE, finished_at=timezone.now(), **fields)
    )
    job.refresh_from_db()
    return bool(finished)


def job_fail(*, job: Job, error: str) -> bool:
    """Waiting or running -> failed, with the reason shown to the customer."""
    failed = (
        type(job)
        ._default_manager.filter(pk=job.pk, state__in=Job.ACTIVE_STATES)
        .update(state=Job.State.FAILED, error=error[:2000], finished_at=timezone.now())
    )
    job.refresh_from_db()
    return bool(failed)


def job_cancel(*, job: Job) -> bool:
    """Waiting or running -> cancelled; a worker still busy with it stores nothing more."""
    cancelled = (
        type(job)
        ._default_manager.filter(pk=job.pk, state__in=Job.ACTIVE_STATES)
        .update(state=Job.State.CANCELLED, finished_at=timezone.now())
    )
    job.refresh_from_db()
    return bool(cancelled)


def job_requeue(*, job: Job) -> bool:
    """A job that is not active (finished, failed, cancelled or lost) back to queued.

    Its progress and subclass fields stay (a resumable job goes on from there); the caller
    resets what a fresh start needs. False while it is still waiting or running.
    """
    now = timezone.now()
    model = type(job)
    alive = Q(state=Job.State.QUEUED, queued_at__gt=now - model.ACTIVE_FOR) | Q(
        state=Job.State.RUNNING, started_at__gt=now - model.ACTIVE_FOR
    )
    requeued = (
        model._default_manager.filter(pk=job.pk)
        .exclude(alive)
        .update(state=Job.State.QUEUED, queued_at=now, started_at=None, finished_at=None, error="")
    )
    job.refresh_from_db()
    return bool(requeued)
