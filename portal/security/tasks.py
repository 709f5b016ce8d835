"""Celery entry points; each calls one service and is safe to run twice."""

from celery import shared_task

from portal.security import services


@shared_task(name="security.activity_notify")
def activity_notify(activity_id: int) -> bool:
    return services.activity_notify_send(activity_id=activity_id)


@shared_task(name="security.activities_prune")
def activities_prune() -> int:
    return services.activities_prune()
