"""Celery entry points of the delivery log."""

from celery import shared_task

from mailservices.maillog.services import deliveries_prune


@shared_task(name="maillog.deliveries_prune")
def deliveries_prune_task() -> int:
    """Deletes deliveries older than the retention (safe to run twice)."""
    return deliveries_prune()
