"""The sender-domain SPF check of "Nachricht prüfen": the diagnosis's SPF check, with a
resolver short enough for a page that waits for it."""

from mailservices.diagnosis import checks
from mailservices.diagnosis.resolver import make_resolver

# A page waits for this lookup: each DNS question gets at most this long.
PAGE_DNS_LIFETIME = 2.0


def sender_spf(domain: str, *, resolver=None):
    """`mailservices.diagnosis.checks.check_spf(domain, resolver=...)` → CheckResult.

    Without a resolver, a fresh one with a short per-question lifetime is used.
    """
    if resolver is None:
        resolver = make_resolver(None)
        resolver.lifetime = min(resolver.lifetime, PAGE_DNS_LIFETIME)
        resolver.timeout = min(resolver.timeout, PAGE_DNS_LIFETIME / 2)
    return checks.check_spf(domain, resolver=resolver)
