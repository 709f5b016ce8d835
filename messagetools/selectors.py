"""Reads of the message tools."""

import json

from django.shortcuts import get_object_or_404

from mailservices.models import Address
from messagetools.guides import FINDING_GUIDES, guide_url
from messagetools.models import MessageCheck, PhishingReport


def message_check_list(*, customer):
    """The customer's checks, newest first, with only what the list shows."""
    return (
        MessageCheck.objects.for_customer(customer)
        .only("pk", "customer_id", "state", "verdict", "subject", "original_size",
              "created_at", "queued_at", "started_at")
        .order_by("-created_at", "-pk")
    )  # fmt: skip


def message_check_for_customer(*, customer, pk: int) -> MessageCheck:
    """One of the customer's checks; 404 for anyone else's."""
    return get_object_or_404(MessageCheck.objects.for_customer(customer), pk=pk)


def message_check_result(check: MessageCheck) -> dict | None:
    """A finished check's findings as the page shows them (guide links, JSON output)."""
    if check.state != MessageCheck.State.DONE or not check.result:
        return None
    stored = check.result
    findings = []
    for finding in stored.get("findings", []):
        slug = FINDING_GUIDES.get(finding.get("code", ""))
        findings.append({**finding, "guide_url": guide_url(slug) if slug else ""})
    output = {"verdict": stored.get("verdict", ""), "findings": stored.get("findings", [])}
    return {
        "verdict": stored.get("verdict", ""),
        "findings": findings,
        "subject": stored.get("subject", ""),
        "sender": stored.get("sender", ""),
        "size": stored.get("size", check.original_size),
        "guide_url": guide_url("spam-abgelehnt"),
        "spf_unknown": any(f.get("code") == "spf_unknown" for f in findings),
        "json_text": json.dumps(output, ensure_ascii=False, indent=2),
    }


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
