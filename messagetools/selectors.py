"""Reads of the message tools."""

from mailservices.models import Address
from messagetools.models import PhishingReport


def phishing_report_list(*, customer):
    """The customer's reports, newest first, with only what the list shows."""
    return (
        PhishingReport.objects.for_customer(customer)
        .only("pk", "subject", "from_address", "status", "outcome", "created_at", "urls",
              "attachments", "customer_id")
        .order_by("-created_at", "-pk")
    )  # fmt: skip


def address_for_email(*, customer, email: str) -> Address | None:
    """The customer's address with this email (to link its sending-limit page), or None."""
    local, _sep, domain = email.strip().lower().rpartition("@")
    if not local or not domain:
        return None
    return (
        Address.objects.for_customer(customer)
        .filter(local_part__iexact=local, service__domain__name=domain)
        .first()
    )
