"""Storage figures for the partials other pages include (one query per tag)."""

from django import template

from mailservices.mailboxes.selectors import address_storage, service_storage

register = template.Library()


@register.simple_tag
def mailbox_storage(address):
    """The Storage of one mailbox (None for a redirect or a missing address)."""
    if not address or address.kind != "mailbox":
        return None
    return address_storage(address)


# The service page lists the fullest mailboxes only: a service may have hundreds.
SHOWN_MAILBOXES = 10


@register.simple_tag
def mailboxes_storage(service):
    """{"items": [(address, Storage)] of the fullest mailboxes, "more": how many others,
    "total": Storage of all} for a service's mailboxes."""
    if not service:
        return None
    items, total = service_storage(service)
    items.sort(key=lambda pair: (-pair[1].percent, pair[0].local_part))
    return {
        "items": items[:SHOWN_MAILBOXES],
        "more": max(0, len(items) - SHOWN_MAILBOXES),
        "total": total,
    }


@register.filter
def gauge_class(storage):
    level = getattr(storage, "level", 0)
    if level >= 100:
        return "gauge full"
    if level > 0:
        return "gauge warn"
    return "gauge"
