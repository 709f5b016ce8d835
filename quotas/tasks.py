"""Celery entry points; each calls one service and is safe to run twice."""

from celery import shared_task

from quotas import services


@shared_task(name="quotas.usage_rollup")
def usage_rollup() -> int:
    return services.usage_rollup()


@shared_task(name="quotas.counters_clear_expired")
def counters_clear_expired() -> int:
    return services.counters_clear_expired()


@shared_task(name="quotas.usage_alerts_send")
def usage_alerts_send() -> int:
    return services.usage_alerts_send()
