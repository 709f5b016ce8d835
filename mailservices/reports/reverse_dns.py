"""Reverse names of report source IPs (the only network code of the reports)."""

import dns.exception
import dns.resolver
import dns.reversename

from mailservices.diagnosis.checks.dmarc import organizational_domain


def reverse_name(ip: str, *, timeout: float = 2.0) -> str:
    """The PTR name of an address, or "" (none, or no answer in time)."""
    try:
        answer = dns.resolver.resolve(
            dns.reversename.from_address(ip), "PTR", lifetime=timeout, raise_on_no_answer=False
        )
    except (dns.exception.DNSException, ValueError):
        return ""
    for record in answer:
        return str(record.target).rstrip(".").lower()
    return ""


def organisation_of(name: str) -> str:
    """The registrable domain of a reverse name: `mail-40.newsletter-tool.example` ->
    `newsletter-tool.example` (how the dashboard groups one sender's servers)."""
    if not name:
        return ""
    try:
        return organizational_domain(name)
    except Exception:  # noqa: BLE001 - a strange name is simply not grouped
        return name
