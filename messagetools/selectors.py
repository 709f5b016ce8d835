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


def address_for_emails(*, customer, emails: list[str]) -> Address | None:
    """The first of these emails that is one of the customer's addresses, or None (1 query)."""
    pairs = []
    for email in emails:
        local, _sep, domain = email.strip().lower().rpartition("@")
        if local and domain:
            pairs.append((local, domain))
    if not pairs:
        return None
    candidates = (
        Address.objects.for_customer(customer)
        .filter(service__domain__name__in={domain for _local, domain in pairs})
        .select_related("service__domain")
    )
    by_email = {(a.local_part.lower(), a.service.domain.name): a for a in candidates}
    for pair in pairs:
        if pair in by_email:
            return by_email[pair]
    return None
