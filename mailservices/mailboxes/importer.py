"""Services of the mail import: preview, run (command and Celery jobs share them), the job's
life cycle (start, fair dispatch, cancel, resume) and the password kept only while it runs.
The preview as a background job (what the portal's pages use) is in `previews.py`."""

import logging
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from mailservices.mailboxes import sealing
from mailservices.mailboxes.app_settings import app_settings
from mailservices.mailboxes.imap import connection, engine
from mailservices.mailboxes.imap.connection import Endpoint, ImapError
from mailservices.mailboxes.models import (
    ImportFailure,
    ImportFolderState,
    ImportPreview,
    MailImport,
)
from mailservices.mailboxes.selectors import address_storage
from mailservices.models import Address
from portal.core import jobs

logger = logging.getLogger(__name__)


class ImportRefused(Exception):
    """The import cannot start (another one runs for the address, bad input)."""


def source_endpoint(*, host: str, port: int, security: str, login: str, password: str):
    return Endpoint(
        host=host.strip(),
        port=int(port),
        security=security,
        login=login.strip(),
        password=password,
        ca_file=app_settings.SOURCE_CA_FILE,
        timeout=app_settings.IMPORT_TIMEOUT_SECONDS,
    )


def address_email(address: Address) -> str:
    return f"{address.local_part}@{address.service.domain.name}"


def target_endpoint(address: Address) -> Endpoint:
    """Our Dovecot, logged in as the address through the import's master user."""
    return Endpoint(
        host=app_settings.IMAP_HOST,
        port=app_settings.IMAP_PORT,
        security="ssl",
        login=f"{address_email(address)}*{app_settings.MASTER_USER}",
        password=app_settings.MASTER_PASSWORD,
        ca_file=app_settings.IMAP_CA_FILE,
        timeout=app_settings.IMPORT_TIMEOUT_SECONDS,
    )


# --- preview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    folders: list[dict]  # {"name", "target", "messages", "bytes"}
    messages: int
    bytes: int
    free_bytes: int

    @property
    def fits(self) -> bool:
        return self.bytes <= self.free_bytes

    def as_json(self) -> dict:
        return {
            "folders": [
                {"name": f["name"], "messages": f["messages"], "bytes": f["bytes"]}
                for f in self.folders
            ],
            "messages": self.messages,
            "bytes": self.bytes,
        }


def import_preview(*, address: Address, source: Endpoint, progress=None) -> Preview:
    """Connects to the old provider and lists folders, counts and sizes; raises ImapError.

    The portal runs it in the preview job (`previews.py`), the command directly;
    `progress(done, total)` gets the folders counted so far.
    """
    client = connection.connect(source)
    try:
        folders = engine.preview(client, progress=progress)
    except (OSError, EOFError) as exc:
        raise ImapError("connection", _("Die Verbindung wurde unterbrochen.")) from exc
    finally:
        connection.close(client)
    rows = [
        {
            "name": f.display,
            "target": f.target_display,
            "messages": f.messages,
            "bytes": f.bytes,
            "special": f.special,
        }
        for f in folders
        if f.selectable
    ]
    return Preview(
        folders=rows,
        messages=sum(r["messages"] for r in rows),
        bytes=sum(r["bytes"] for r in rows),
        free_bytes=address_storage(address).free_bytes,
    )


# --- running -----------------------------------------------------------------------------------


class _Hooks(engine.Hooks):
    """Resume points in ImportFolderState; progress, heartbeat and cancel through the job."""

    def __init__(self, *, address: Address, source: Endpoint, job: MailImport | None):
        self.address, self.source, self.job = address, source, job
        self._checked = 0.0
        self._stop = False

    def _state(self, folder: str):
        return ImportFolderState.objects.filter(
            address=self.address, host=self.source.host, login=self.source.login, folder=folder
        )

    def resume_point(self, folder: str, uidvalidity: int) -> int:
        row = self._state(folder).values_list("uidvalidity", "last_uid").first()
        return row[1] if row and row[0] == uidvalidity else 0

    def checkpoint(self, folder: str, uidvalidity: int, last_uid: int) -> None:
        ImportFolderState.objects.update_or_create(
            address=self.address,
            host=self.source.host,
            login=self.source.login,
            folder=folder,
            defaults={"uidvalidity": uidvalidity, "last_uid": last_uid},
        )

    def progress(self, done: int, total: int, result: engine.Result) -> None:
        if self.job is None:
            return
        jobs.job_progress(job=self.job, done=done, total=total)
        MailImport.objects.filter(pk=self.job.pk, state=MailImport.State.RUNNING).update(
            heartbeat_at=timezone.now(),
            folders=result.folders,
            copied=result.copied,
            skipped=result.skipped,
            failed=result.failed,
        )

    def should_stop(self) -> bool:
        if self.job is None or self._stop:
            return self._stop
        now = time.monotonic()
        if now - self._checked >= 1.0:
            self._checked = now
            state = MailImport.objects.filter(pk=self.job.pk).values_list("state", flat=True)
            self._stop = state.first() != MailImport.State.RUNNING
        return self._stop


def import_run(*, address: Address, source: Endpoint, job: MailImport | None = None):
    """Copies the old mailbox into `address`; returns engine.Result (never raises ImapError)."""
    result = engine.Result()
    try:
        source_client = connection.connect(source)
    except ImapError as exc:
        result.status, result.error, result.error_code = "failed", str(exc), exc.code
        return result
    try:
        try:
            target_client = connection.connect(target_endpoint(address))
        except ImapError as exc:
            logger.error("import target for address %s unavailable: %s", address.pk, exc)
            result.status, result.error_code = "failed", "target"
            result.error = _(
                "Ihr Postfach bei uns ist gerade nicht erreichbar; bitte versuchen Sie es später."
            )
            return result
        try:
            result = engine.run_import(
                source_client,
                target_client,
                hooks=_Hooks(address=address, source=source, job=job),
                max_message_bytes=app_settings.MAX_MESSAGE_BYTES,
                batch_messages=app_settings.IMPORT_BATCH_MESSAGES,
            )
        finally:
            connection.close(target_client)
    finally:
        connection.close(source_client)
    return result


# --- the job -----------------------------------------------------------------------------------


def import_start(
    *, address: Address, source: Endpoint, preview: Preview | None = None
) -> MailImport:
    """Queues an import (one waiting or running per address) and dispatches it fairly."""
    job = MailImport(
        address=address,
        host=source.host,
        port=source.port,
        security=source.security,
        login=source.login,
        secret=sealing.seal({"password": source.password}),
        preview=preview.folders if preview else [],
        preview_bytes=preview.bytes if preview else 0,
    )
    _end_lost(address)
    try:
        job.full_clean(exclude=["secret"], validate_constraints=False)
    except ValidationError as exc:
        raise ImportRefused("; ".join(exc.messages)) from None
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        raise ImportRefused(_("Für diese Adresse läuft bereits ein Import.")) from None
    transaction.on_commit(lambda: imports_dispatch(customer_id=_customer_id(address)))
    return job


def _customer_id(address: Address) -> int:
    return address.service.domain.customer_id


def _end_lost(address: Address) -> None:
    """An import whose worker vanished no longer blocks the address: it fails (resumable)."""
    for job in MailImport.objects.filter(address=address, state__in=MailImport.ACTIVE_STATES):
        if job.is_lost:
            forget_secret(job)
            jobs.job_fail(job=job, error=_("Der Import wurde unterbrochen."))


def imports_dispatch(*, customer_id: int | None = None) -> int:
    """Queues the Celery task of the oldest waiting import of each customer that has none
    running (one import at a time per customer, so one customer cannot fill the workers),
    and of running imports whose worker was lost."""
    from mailservices.mailboxes.tasks import import_run_task

    running = MailImport.objects.filter(
        state=MailImport.State.RUNNING,
        address__service__domain__customer=OuterRef("address__service__domain__customer"),
    )
    waiting = MailImport.objects.filter(state=MailImport.State.QUEUED).annotate(
        busy=Exists(running)
    )
    if customer_id is not None:
        waiting = waiting.filter(address__service__domain__customer_id=customer_id)
    first: dict[int, int] = {}
    for pk, customer, busy in waiting.order_by("queued_at", "pk").values_list(
        "pk", "address__service__domain__customer_id", "busy"
    ):
        if not busy and customer not in first:
            first[customer] = pk
    # Running imports whose worker died (no heartbeat for LOST_AFTER): a new task takes the
    # job over (`_claim`) and resumes it from its checkpoints.
    lost = MailImport.objects.filter(
        state=MailImport.State.RUNNING, heartbeat_at__lt=timezone.now() - MailImport.LOST_AFTER
    )
    if customer_id is not None:
        lost = lost.filter(address__service__domain__customer_id=customer_id)
    resumed = list(lost.values_list("pk", flat=True))
    for pk in [*first.values(), *resumed]:
        import_run_task.delay(pk)
    return len(first) + len(resumed)


def forget_secret(job: MailImport | ImportPreview) -> None:
    """Deletes the sealed old-provider password of an import or a preview, in the row and
    in the object."""
    type(job)._default_manager.filter(pk=job.pk).update(secret="")
    job.secret = ""


def import_execute(*, job: MailImport) -> None:
    """The task's work: claim, copy, store the report, forget the password, dispatch next."""
    job = MailImport.objects.select_related("address__service__domain").get(pk=job.pk)
    if not _claim(job):
        return
    try:
        data = sealing.unseal(job.secret)
        if not data:
            forget_secret(job)
            jobs.job_fail(job=job, error=_("Das Passwort ist nicht mehr vorhanden."))
            return
        source = source_endpoint(
            host=job.host,
            port=job.port,
            security=job.security,
            login=job.login,
            password=data["password"],
        )
        result = import_run(address=job.address, source=source, job=job)
        _store(job, result)
    except Exception:
        forget_secret(job)
        jobs.job_fail(job=job, error=_("Interner Fehler beim Import."))
        logger.exception("import %s crashed", job.pk)  # no password: it is not in the job
        raise
    finally:
        forget_secret(job)
        imports_dispatch(customer_id=_customer_id(job.address))


def _claim(job: MailImport) -> bool:
    if jobs.job_claim(job=job):
        MailImport.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        return True
    # A running job whose worker died (no heartbeat): the redelivered task takes it over.
    stale = timezone.now() - MailImport.LOST_AFTER
    taken = MailImport.objects.filter(
        pk=job.pk, state=MailImport.State.RUNNING, heartbeat_at__lt=stale
    ).update(heartbeat_at=timezone.now())
    if taken:
        job.refresh_from_db()
    return bool(taken)


def _store(job: MailImport, result: engine.Result) -> None:
    ImportFailure.objects.bulk_create(
        ImportFailure(
            job=job,
            folder=f.folder[:500],
            uid=f.uid,
            subject=f.subject[:200],
            reason=f.reason[:300],
        )
        for f in result.failures
    )
    counts = {
        "folders": result.folders,
        "copied": result.copied,
        "skipped": result.skipped,
        "failed": result.failed,
    }
    MailImport.objects.filter(pk=job.pk).update(**counts)
    if result.status == "done":
        jobs.job_finish(job=job, **counts)
    elif result.status == "failed":
        jobs.job_fail(job=job, error=result.error or _("Der Import ist fehlgeschlagen."))
    # cancelled: job_cancel already moved it; the counters above are its report


def import_cancel(*, job: MailImport) -> bool:
    """Cancels a waiting or running import; the password is deleted at once."""
    cancelled = jobs.job_cancel(job=job)
    forget_secret(job)
    if cancelled:
        transaction.on_commit(lambda: imports_dispatch(customer_id=_customer_id(job.address)))
    return cancelled
