"""Celery entry points of the shop: each takes a primary key and calls a service."""

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import mail_admins, send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from portal.shop.models import Order
from portal.shop.selectors import order_line_label
from portal.shop.services.orders import order_provision


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
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


@shared_task(bind=True, max_retries=3, default_retry_delay=120)
def send_order_confirmation(self, order_id: int, language: str = "de") -> None:
    """The customer's confirmation email, in the language they ordered in."""
    order = Order.objects.select_related("customer__owner", "invoice").get(pk=order_id)
    with translation.override(language):
        context = {
            "order": order,
            "lines": [(line, order_line_label(line)) for line in order.lines.order_by("position")],
            "provider_name": settings.PORTAL_PROVIDER_NAME,
            "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
        }
        subject = _("Ihre Bestellung %(number)s") % {"number": order.number}
        body = render_to_string("shop/email/order_confirmation.txt", context)
    try:
        send_mail(subject, body, None, [order.customer.owner.email])
    except OSError as exc:
        raise self.retry(exc=exc) from exc
