"""Celery entry points of the provisioning (safe to run twice)."""

from celery import shared_task

from mailservices.provisioning.rotation import dkim_rotations_advance


@shared_task(name="provisioning.advance_dkim_rotations")
def advance_dkim_rotations() -> int:
    return dkim_rotations_advance()
