"""Celery entry points; each takes primary keys, calls one service and is safe to run twice."""

from celery import shared_task

from mailservices.mailboxes import services


@shared_task(name="mailboxes.storage_alerts_send")
def storage_alerts_send() -> int:
    return services.storage_alerts_send()


# An import may take hours: its own limits instead of the global 5 minutes. The task gets
# only the job's primary key (never the password, which is encrypted in the job row).
@shared_task(name="mailboxes.import_run", time_limit=12 * 3600, soft_time_limit=12 * 3600 - 60)
def import_run_task(job_pk: int) -> None:
    from mailservices.mailboxes.importer import import_execute
    from mailservices.mailboxes.models import MailImport

    job = MailImport.objects.filter(pk=job_pk).first()
    if job is not None:
        import_execute(job=job)


@shared_task(name="mailboxes.imports_dispatch")
def imports_dispatch() -> int:
    """Starts waiting imports whose customer has none running (also after a lost worker)."""
    from mailservices.mailboxes.importer import imports_dispatch as dispatch

    return dispatch()


# The preview runs under the global limits (5 min, soft 4 min: the job fails with a clear
# message); like the import it gets the primary key only, never the password.
@shared_task(name="mailboxes.import_preview")
def import_preview_task(job_pk: int) -> str:
    from mailservices.mailboxes.previews import import_preview_execute

    job = import_preview_execute(job_pk=job_pk)
    return job.state if job else "skipped"


@shared_task(name="mailboxes.import_previews_expire")
def import_previews_expire() -> int:
    """Forgets the passwords of previews not started in time; fails lost previews."""
    from mailservices.mailboxes.previews import import_previews_expire as expire

    return expire()
