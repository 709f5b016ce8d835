"""MTA-STS (RFC 8461) and TLS-RPT (RFC 8460), pure: the policy text, its id, the records.

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


def parse_policy(text: str) -> dict:
    """A served policy as {'version', 'mode', 'mx': [...], 'max_age'} (for the diagnosis)."""
    out: dict = {"mx": []}
    for line in text.splitlines():
        key, _sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "mx":
            out["mx"].append(value)
        elif key == "max_age":
            out["max_age"] = int(value) if value.isdigit() else None
        elif key:
            out[key] = value
    return out


def mx_matches(pattern: str, host: str) -> bool:
    """RFC 8461 3.2: `*.example.net` matches one label left of example.net."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if pattern.startswith("*."):
        return host.count(".") >= 1 and host.split(".", 1)[1] == pattern[2:]
    return pattern == host


# --- Checking a domain (pure: DNS answers and the fetched policy in, findings out) ---

OK, WARNING, ERROR, UNKNOWN = "ok", "warning", "error", "unknown"


def evaluate(domain: str, source, fetch_policy) -> list[tuple[str, str]]:
    """MTA-STS, TLS-RPT and DANE of `domain`: [(status, finding)], English keys for code.

    `source` is a diagnosis `AnswerSource`; `fetch_policy(domain)` returns the policy text
    from https://mta-sts.<domain>/.well-known/mta-sts.txt, or None when it cannot be had.
    The policy must list every MX host; `max_age` must be at least a day (RFC 8461 advises
    weeks) and above the MX TTL; TLSA records of MX hosts, where published, must parse.
    """
    domain = domain.rstrip(".").lower()
    found: list[tuple[str, str]] = []
    sts, tlsrpt, mx = source.lookup_many(
        [(f"_mta-sts.{domain}", "TXT"), (f"_smtp._tls.{domain}", "TXT"), (domain, "MX")]
    )
    if sts.failed or tlsrpt.failed or mx.failed:
        return [(UNKNOWN, "dns-failure")]
    records = [r for r in sts.records if r.startswith("v=STSv1")]
    if not records:
        found.append((WARNING, "sts-missing"))
    elif len(records) > 1:
        found.append((ERROR, "sts-several"))
    elif "id=" not in records[0]:
        found.append((ERROR, "sts-no-id"))
    reports = [r for r in tlsrpt.records if r.startswith("v=TLSRPTv1")]
    if not reports:
        found.append((WARNING, "tlsrpt-missing"))
    elif len(reports) > 1 or "rua=" not in reports[0]:
        found.append((ERROR, "tlsrpt-invalid"))
    hosts = [r.split()[-1].rstrip(".").lower() for r in mx.records if r.split()[-1] != "."]
    if len(records) == 1:
        text = fetch_policy(domain)
        if text is None:
            found.append((ERROR, "policy-unreachable"))
        else:
            policy = parse_policy(text)
            if policy.get("version") != "STSv1" or policy.get("mode") not in MODES:
                found.append((ERROR, "policy-invalid"))
            elif not policy.get("max_age") or policy["max_age"] < 86400:
                found.append((WARNING, "policy-max-age-short"))
            uncovered = [h for h in hosts if not any(mx_matches(p, h) for p in policy["mx"])]
            if uncovered and policy.get("mode") == "enforce":
                found.append((ERROR, "policy-mx-uncovered:" + ",".join(uncovered)))
            elif uncovered:
                found.append((WARNING, "policy-mx-uncovered:" + ",".join(uncovered)))
    for host, lookup in zip(
        hosts, source.lookup_many([(f"_25._tcp.{h}", "TLSA") for h in hosts]), strict=True
    ):
        if lookup.failed:
            found.append((UNKNOWN, f"tlsa-failure:{host}"))
            continue
        for value in lookup.records:
            parts = value.split()
            valid = (
                len(parts) == 4
                and parts[0] in "0123"
                and parts[1] in "01"
                and parts[2] in "012"
                and all(c in "0123456789abcdefABCDEF" for c in parts[3])
            )
            if not valid:
                found.append((ERROR, f"tlsa-invalid:{host}"))
    return found or [(OK, "ok")]
