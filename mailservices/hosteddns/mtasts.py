"""MTA-STS (RFC 8461) and TLS-RPT (RFC 8460), pure: the policy text, its id, the records.
The check of a domain's set-up is the diagnosis' (`diagnosis.checks.mta_sts`).

The policy lists the MX host names mail for the domain may go to; its `id` is derived
from the policy text, so it changes exactly when the policy changes (and senders then
fetch the new one). `max_age` is far above the MX records' TTL (3600 s): senders keep a
policy for a week, and a change of MX is announced by the new id at once.
"""

from __future__ import annotations

import hashlib

MODES = ("enforce", "testing", "none")
MAX_AGE_MAX = 31557600  # RFC 8461: at most a year


def policy_text(mx_hosts, *, mode: str = "enforce", max_age: int = 604800) -> str:
    """The policy file served at https://mta-sts.<domain>/.well-known/mta-sts.txt."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}")
    if not 0 < max_age <= MAX_AGE_MAX:
        raise ValueError(f"max_age {max_age}")
    lines = ["version: STSv1", f"mode: {mode}"]
    lines += [f"mx: {host.rstrip('.').lower()}" for host in sorted(set(mx_hosts), key=str.lower)]
    lines.append(f"max_age: {max_age}")
    return "\r\n".join(lines) + "\r\n"


def policy_id(text: str) -> str:
    """1-32 letters/digits; a new one for every different policy."""
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def sts_record_value(text: str) -> str:
    return f"v=STSv1; id={policy_id(text)}"


def tlsrpt_record_value(rua: str) -> str:
    return f"v=TLSRPTv1; rua={rua}"
