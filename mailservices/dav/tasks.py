from celery import shared_task

from mailservices.dav.services import dav_data_purge


@shared_task(name="dav.purge_deleted_address_data")
def purge_deleted_address_data() -> dict:
    """Daily: calendars and contacts of addresses deleted more than the grace period ago."""
    report = dav_data_purge()
    return {"noticed": report.noticed, "restored": report.restored, "removed": report.removed}
