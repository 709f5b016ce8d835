"""The sender-domain SPF check, delegated to the diagnosis module (issue 6)."""

# A page waits for this lookup: each DNS question gets at most this long.
PAGE_DNS_LIFETIME = 2.0


def sender_spf(domain: str, *, resolver=None):
    """`mailservices.diagnosis.checks.check_spf(domain, resolver=...)` → CheckResult.

    Imported lazily: the engine reports SPF as "not available" when the import fails.
    Without a resolver, a fresh one with a short per-question lifetime is used.
    """
    from mailservices.diagnosis.checks import check_spf

    if resolver is None:
        from mailservices.diagnosis.resolver import make_resolver

        resolver = make_resolver(None)
        resolver.lifetime = min(resolver.lifetime, PAGE_DNS_LIFETIME)
        resolver.timeout = min(resolver.timeout, PAGE_DNS_LIFETIME / 2)
    return check_spf(domain, resolver=resolver)
