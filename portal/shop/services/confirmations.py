"""The order confirmation email: sent once per order, and recorded on the order."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.core.app_settings import app_settings as portal_settings
from portal.shop.models import Order
from portal.shop.selectors import order_line_label


def order_confirmation_send(*, order_id: int, language: str = "de") -> bool:
    """Emails the customer the confirmation of an order, in the language they ordered in.

    The order is marked as confirmed before the email leaves, in one conditional UPDATE, so
    a second run (a task delivered again under `acks_late`) sends nothing. If sending fails
    the mark is taken back and the error raised: the caller may retry. Returns whether this
    call sent the email.
    """
    claimed = Order.objects.filter(pk=order_id, confirmation_sent_at__isnull=True).update(
        confirmation_sent_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        order = Order.objects.select_related("customer__owner", "invoice").get(pk=order_id)
        with translation.override(language):
            context = {
                "order": order,
                "lines": [
                    (line, order_line_label(line)) for line in order.lines.order_by("position")
                ],
                "provider_name": portal_settings.PROVIDER_NAME,
                "base_url": portal_settings.BASE_URL,
            }
            subject = _("Ihre Bestellung %(number)s") % {"number": order.number}
            body = render_to_string("shop/email/order_confirmation.txt", context)
        send_mail(subject, body, None, [order.customer.owner.email])
    except BaseException:
        Order.objects.filter(pk=order_id).update(confirmation_sent_at=None)
        raise
    return True
