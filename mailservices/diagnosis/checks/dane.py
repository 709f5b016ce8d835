"""DANE for SMTP (RFC 7672): the TLSA records of the MX hosts, where published.

Their form is checked (usage, selector, matching type, digest length; PKIX usages 0/1 do
not apply to SMTP), that either all MX hosts or none publish them, and, where the host can
be reached, that a DANE-EE record (usage 3) matches the certificate it shows after STARTTLS
(an `SMTP_CERT` question). Part of the `mta_sts` check.
"""

from __future__ import annotations

import hashlib
import re

from django.utils.translation import gettext_noop as _  # msgids are translated on display

from mailservices.diagnosis.checks.base import ERROR, OK, WARNING, Finding, Record, Text
from mailservices.diagnosis.dns import ANSWER, SMTP_CERT

# RFC 6698: matching types 1 and 2 are SHA-256 and SHA-512 (hex lengths).
DIGEST_HEX = {"1": 64, "2": 128}
# Why an MX certificate could not be read: the technical reason, the same in every language.
CERT_REASONS = {
    "timeout": "port 25: timeout",
    "refused": "port 25: connection refused",
    "connect": "port 25: no route",
    "no-address": "no A/AAAA",
    "no-starttls": "no STARTTLS",
    "smtp": "SMTP",
    "tls": "TLS",
}


def tlsa_problem(value: str) -> str | None:
    """None for a usable TLSA record for SMTP; else why not: "syntax" or "usage"."""
    parts = value.split(maxsplit=3)
    if (
        len(parts) != 4
        or parts[0] not in ("0", "1", "2", "3")
        or parts[1] not in ("0", "1")
        or parts[2] not in ("0", "1", "2")
    ):
        return "syntax"
    data = parts[3].replace(" ", "")
    if not re.fullmatch(r"[0-9A-Fa-f]+", data) or len(data) % 2:
        return "syntax"
    if parts[2] in DIGEST_HEX and len(data) != DIGEST_HEX[parts[2]]:
        return "syntax"
    if parts[0] in ("0", "1"):  # PKIX usages: SMTP senders ignore them (RFC 7672 3.1.3)
        return "usage"
    return None


def _digest(blob: bytes, matching: str) -> str:
    if matching == "1":
        return hashlib.sha256(blob).hexdigest()
    if matching == "2":
        return hashlib.sha512(blob).hexdigest()
    return blob.hex()


def certificate_matches(tlsa_records, cert_records) -> bool | None:
    """Whether a DANE-EE record matches the certificate (`SMTP_CERT` records); None when
    nothing can be said (no usage-3 record, or a usage-2 record that may match the chain,
    which is not read)."""
    blobs = {line.split()[0]: bytes.fromhex(line.split()[1]) for line in cert_records}
    checked = False
    for value in tlsa_records:
        usage, selector, matching, data = value.split(maxsplit=3)
        if usage != "3" or selector not in blobs:
            continue
        checked = True
        if _digest(blobs[selector], matching) == data.replace(" ", "").lower():
            return True
    if not checked or any(value.split()[0] == "2" for value in tlsa_records):
        return None
    return False


def evaluate_tlsa(hosts, source) -> tuple[list[Finding], list[str], list[Record]]:
    """(findings, what DNS holds, TLSA records to publish) for the MX `hosts`."""
    if not hosts:
        return [], [], []
    names = [f"_25._tcp.{h}" for h in hosts]
    lookups = source.lookup_many([(n, "TLSA") for n in names])
    findings, found, published, matched, records = [], [], [], [], []
    for host, name, lookup in zip(hosts, names, lookups, strict=True):
        if lookup.outcome != ANSWER:
            continue
        published.append(host)
        found += [f"{name} TLSA {r}" for r in lookup.records]
        problems = {tlsa_problem(r) for r in lookup.records}
        if "syntax" in problems:
            findings.append(
                Finding(
                    ERROR,
                    Text(
                        _(
                            "Ein TLSA-Eintrag unter %(name)s ist fehlerhaft. Server mit DANE "
                            "stellen an %(host)s dann nicht zu; korrigieren oder entfernen Sie "
                            "ihn."
                        ),
                        {"name": name, "host": host},
                    ),
                )
            )
            continue
        if problems == {"usage"}:
            findings.append(
                Finding(
                    WARNING,
                    Text(
                        _(
                            "Die TLSA-Einträge unter %(name)s nutzen nur die Verwendung 0 oder "
                            "1, die für E-Mail nicht gilt (RFC 7672). Nutzen Sie 3 1 1 oder "
                            "2 1 1."
                        ),
                        {"name": name},
                    ),
                )
            )
            continue
        verdict, finding, fix = _against_certificate(host, name, lookup.records, source)
        if verdict:
            matched.append(host)
        if finding is not None:
            findings.append(finding)
        records += fix
    if published and len(published) < len(hosts):
        findings.append(
            Finding(
                WARNING,
                Text(
                    _(
                        "Nur einige MX-Server haben TLSA-Einträge (DANE): %(published)s, "
                        "nicht aber %(missing)s. Veröffentlichen Sie sie für alle oder keinen."
                    ),
                    {
                        "published": ", ".join(published),
                        "missing": ", ".join(h for h in hosts if h not in published),
                    },
                ),
            )
        )
    if published and not any(f.status != OK for f in findings):
        findings.insert(
            0,
            Finding(
                OK,
                Text(
                    _("DANE: Die TLSA-Einträge der MX-Server %(hosts)s sind gültig."),
                    {"hosts": ", ".join(published)},
                ),
            ),
        )
    if matched:
        findings.append(
            Finding(
                OK,
                Text(
                    _("DANE: Die Zertifikate von %(hosts)s passen zu ihren TLSA-Einträgen."),
                    {"hosts": ", ".join(matched)},
                ),
            )
        )
    return findings, found, records


def _against_certificate(host, name, tlsa_records, source):
    """(matched, finding or None, records to publish) for one host's usable records."""
    addresses = source.lookup_many([(host, "A"), (host, "AAAA")])
    if any(lookup.failed for lookup in addresses):
        return False, None, []
    cert = source.lookup(host, SMTP_CERT)
    if cert.outcome != ANSWER:
        if cert.error == "no-time":
            return False, None, []
        return (
            False,
            Finding(
                OK,
                Text(
                    _(
                        "Hinweis: Das Zertifikat von %(host)s konnte nicht abgerufen werden "
                        "(%(reason)s); die TLSA-Einträge sind nur auf ihre Form geprüft."
                    ),
                    {"host": host, "reason": CERT_REASONS.get(cert.error, cert.error)},
                ),
            ),
            [],
        )
    verdict = certificate_matches(tlsa_records, cert.records)
    if verdict is not False:
        return bool(verdict), None, []
    spki = next(line.split()[1] for line in cert.records if line.startswith("1 "))
    fix = [Record(name, "TLSA", f"3 1 1 {_digest(bytes.fromhex(spki), '1')}")]
    fix += [Record(name, "TLSA", value, action="remove") for value in tlsa_records]
    return (
        False,
        Finding(
            ERROR,
            Text(
                _(
                    "Kein TLSA-Eintrag unter %(name)s passt zum Zertifikat, das %(host)s "
                    "zeigt. Server mit DANE stellen an %(host)s dann nicht zu; veröffentlichen "
                    "Sie den Eintrag für das aktuelle Zertifikat."
                ),
                {"name": name, "host": host},
            ),
        ),
        fix,
    )
