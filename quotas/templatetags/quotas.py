"""`{% sending_usage address=... service=... as usage %}` for the badge other pages include."""

from django import template
from django.urls import reverse

from quotas.selectors import usage_for_addresses

register = template.Library()


@register.simple_tag
def sending_usage(address=None, service=None):
    """Live usage of one address, or of a service's addresses (its busiest one); no history."""
    if address:  # a missing template variable arrives as ""
        items, _live = usage_for_addresses([address], days=0)
        return {
            "url": reverse("quotas:address_usage", args=[address.pk]),
            "item": max(items, key=lambda i: i.percent, default=None),
        }
    if service:
        addresses = list(service.addresses.filter(kind="mailbox"))
        for a in addresses:
            a.service = service
        items, _live = usage_for_addresses(addresses, days=0)
        return {
            "url": reverse("quotas:service_usage", args=[service.pk]),
            "count": len(addresses),
            "busiest": max(items, key=lambda i: i.percent, default=None),
        }
    return {}
