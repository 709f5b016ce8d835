"""Celery entry points of the shop: each takes a primary key and calls a service.

The explicit task names are the ones Celery derived from this module until now, so messages
already in the queue still find their task.
"""

from celery import shared_task
from django.core.exceptions import ValidationError
from django.core.mail import mail_admins

from portal.shop.services.confirmations import order_confirmation_send
from portal.shop.services.orders import order_provision


@shared_task(
    name="portal.shop.tasks.provision_order", bind=True, max_retries=5, default_retry_delay=60
)
def provision_order(self, order_id: int) -> str:
    """Delivers a paid order. A rule broken (ValidationError) waits for staff; anything else
    (database busy, a worker lost) is retried with a growing delay."""
    try:
        order = order_provision(order_id=order_id)
    except ValidationError as exc:
        mail_admins(
            f"Bereitstellung von Bestellung {order_id} fehlgeschlagen",
            "; ".join(exc.messages) + "\nAdmin: Shop › Bestellungen (Spalte Fehler).",
        )
        return "failed"
    except Exception as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    return order.status


@shared_task(
    name="portal.shop.tasks.send_order_confirmation",
    bind=True,
    max_retries=3,
    default_retry_delay=120,
)
def send_order_confirmation(self, order_id: int, language: str = "de") -> bool:
    """The customer's confirmation email (once: a second delivery of the task sends nothing)."""
    try:
        return order_confirmation_send(order_id=order_id, language=language)
    except OSError as exc:
        raise self.retry(exc=exc) from exc
