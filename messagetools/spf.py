"""The sender-domain SPF check, delegated to the diagnosis module (issue 6)."""


def sender_spf(domain: str, *, resolver=None):
    """`mailservices.diagnosis.checks.check_spf(domain, resolver=...)` → CheckResult.

    Imported lazily: the diagnosis module is optional for the engine, which reports SPF as
    "not available" when the import fails.
    """
    from mailservices.diagnosis.checks import check_spf

    return check_spf(domain, resolver=resolver)
