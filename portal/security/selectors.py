"""Reads of the security app."""

from portal.security.models import Activity


def activities_for_customer(*, customer):
    """The customer's activity log, newest first (one query per page, no joins)."""
    return Activity.objects.filter(customer=customer).only(
        "kind", "target", "actor", "by_staff", "ip", "device", "new_device", "created_at"
    )
