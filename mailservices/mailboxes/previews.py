"""The import preview as a background job: request (password sealed), the worker's run,
cancel, start of the import from it, and the clean-up that forgets passwords in time.

Connecting to the old provider can take up to the timeout and listing a big mailbox longer,
so the portal never does it inside a request (the command `import_mailbox --dry-run` calls
`importer.import_preview` directly).
"""

import logging
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mailservices.mailboxes import sealing
from mailservices.mailboxes.imap.connection import ImapError
from mailservices.mailboxes.importer import (
    ImportRefused,
    Preview,
    forget_secret,
    import_preview,
    import_start,
    source_endpoint,
)
from mailservices.mailboxes.models import ImportPreview, MailImport
from mailservices.mailboxes.selectors import address_storage
from mailservices.models import Address
from portal.core import jobs

logger = logging.getLogger(__name__)


class _Cancelled(Exception):
    """The customer cancelled the preview while the worker counted."""


@transaction.atomic
def import_preview_request(
    *,
    address: Address,
    user,
    host: str,
    port: int,
    security: str,
    login: str,
    password: str,
    language: str = "de",
) -> ImportPreview:
    """Stores the request with the password sealed and queues the preview task on commit.

    A preview of the same user for the same address still waiting or running is cancelled:
    the new request replaces it (one worker per customer and address at most).
    """
    for earlier in ImportPreview.objects.filter(
        address=address, requested_by=user, state__in=ImportPreview.ACTIVE_STATES
    ):
        import_preview_cancel(job=earlier)
    job = ImportPreview(
        address=address,
        requested_by=user,
        host=host.strip(),
        port=int(port),
        security=security,
        login=login.strip(),
        secret=sealing.seal({"password": password}),
        language=(language or "de")[:10],
    )
    job.full_clean(exclude=["secret"])
    job.save()
    _queue(job)
    return job


def _queue(job: ImportPreview) -> None:
    from mailservices.mailboxes.tasks import import_preview_task

    transaction.on_commit(lambda: import_preview_task.delay(job.pk))


def import_preview_execute(*, job_pk: int) -> ImportPreview | None:
    """The task's work: claim, connect, count the folders, store the preview.

    Safe to run twice (a job another worker has, or one that is over, is left alone). On
    success the password stays sealed for the start; on any failure it is deleted.
    """
    job = ImportPreview.objects.select_related("address").filter(pk=job_pk).first()
    if job is None or not jobs.job_claim(job=job):
        return None
    with translation.override(job.language or "de"):
        return _execute(job)


def _execute(job: ImportPreview) -> ImportPreview:
    data = sealing.unseal(job.secret)
    if not data:
        forget_secret(job)
        jobs.job_fail(job=job, error=_("Das Passwort ist nicht mehr vorhanden."))
        return job

    def progress(done: int, total: int) -> None:
        jobs.job_progress(job=job, done=done, total=total)
        if not ImportPreview.objects.filter(pk=job.pk, state=job.State.RUNNING).exists():
            raise _Cancelled

    source = source_endpoint(
        host=job.host,
        port=job.port,
        security=job.security,
        login=job.login,
        password=data["password"],
    )
    try:
        preview = import_preview(address=job.address, source=source, progress=progress)
    except _Cancelled:
        forget_secret(job)
        return job
    except ImapError as exc:
        return _fail(job, str(exc))
    except SoftTimeLimitExceeded:
        return _fail(
            job,
            _("%s antwortet zu langsam: die Vorschau wurde nach einigen Minuten abgebrochen.")
            % job.host,
        )
    except Exception:
        logger.exception("import preview %s crashed", job.pk)  # no password: not in the job
        return _fail(job, _("Interner Fehler bei der Vorschau; bitte versuchen Sie es erneut."))
    finished = jobs.job_finish(
        job=job, folders=preview.folders, messages=preview.messages, size_bytes=preview.bytes
    )
    if not finished:  # cancelled meanwhile
        forget_secret(job)
    return job


def _fail(job: ImportPreview, error: str) -> ImportPreview:
    forget_secret(job)
    jobs.job_fail(job=job, error=" ".join(error.split()))
    return job


def import_preview_cancel(*, job: ImportPreview) -> bool:
    """Cancels a waiting or running preview; the password is deleted at once."""
    cancelled = jobs.job_cancel(job=job)
    forget_secret(job)
    return cancelled


def import_preview_result(job: ImportPreview) -> Preview:
    """What the preview found, with the space free in the mailbox now."""
    return Preview(
        folders=job.folders,
        messages=job.messages,
        bytes=job.size_bytes,
        free_bytes=address_storage(job.address).free_bytes,
    )


def import_start_from_preview(*, job: ImportPreview, user) -> MailImport:
    """ "Import starten": queues the import with the preview's password and forgets it there.

    Pressing twice returns the import already started. Raises ImportRefused when the
    preview is not the user's, is not finished or is too old (the password is gone).
    """
    with transaction.atomic():
        job = ImportPreview.objects.select_for_update().select_related("address").get(pk=job.pk)
        if job.mail_import_id is not None and job.requested_by_id == user.pk:
            return MailImport.objects.get(pk=job.mail_import_id)
        data = sealing.unseal(job.secret) if job.is_startable else None
        if not data or job.requested_by_id != user.pk:
            raise ImportRefused(
                _("Die Vorschau ist abgelaufen; bitte geben Sie die Angaben erneut ein.")
            )
        source = source_endpoint(
            host=job.host,
            port=job.port,
            security=job.security,
            login=job.login,
            password=data["password"],
        )
        preview = Preview(
            folders=job.folders, messages=job.messages, bytes=job.size_bytes, free_bytes=0
        )
        started = import_start(address=job.address, source=source, preview=preview)
        ImportPreview.objects.filter(pk=job.pk).update(secret="", mail_import=started)
    return started


def import_previews_expire(*, now: datetime | None = None) -> int:
    """Forgets the passwords of previews nobody started in time and fails the lost ones;
    previews finished longer than `KEEP_FOR` ago go. Returns how many passwords were deleted."""
    now = now or timezone.now()
    lost = ImportPreview.objects.filter(
        Q(state=ImportPreview.State.QUEUED, queued_at__lt=now - ImportPreview.ACTIVE_FOR)
        | Q(state=ImportPreview.State.RUNNING, started_at__lt=now - ImportPreview.ACTIVE_FOR)
    )
    for job in lost:
        forget_secret(job)
        with translation.override(job.language or "de"):
            jobs.job_fail(job=job, error=_("Die Vorschau wurde unterbrochen."))
    forgotten = (
        ImportPreview.objects.exclude(secret="")
        .exclude(state__in=ImportPreview.ACTIVE_STATES)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__lt=now - ImportPreview.VALID_FOR))
        .update(secret="")
    )
    ImportPreview.objects.filter(finished_at__lt=now - ImportPreview.KEEP_FOR).delete()
    return forgotten + len(lost)
