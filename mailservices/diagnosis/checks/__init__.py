"""The diagnosis checks: DNS answers in, `CheckResult` dataclasses out, no ORM.

Each `evaluate_*` function reads answers from an `AnswerSource` and decides. `check_spf`
is the entry point other apps use (the message check): it brings its own fresh resolver.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_noop as _  # msgids are translated on display

from mailservices.diagnosis.checks import dmarc, mx, spf
from mailservices.diagnosis.checks.autoconfig import evaluate_autoconfig
from mailservices.diagnosis.checks.base import (
    ERROR,
    OK,
    REMOVE,
    UNKNOWN,
    WARNING,
    CheckResult,
    Finding,
    ProviderFacts,
    Record,
    Text,
    ZoneFacts,
    worst,
)
from mailservices.diagnosis.checks.dav import evaluate_dav
from mailservices.diagnosis.checks.dkim import evaluate_dkim
from mailservices.diagnosis.checks.dmarc import evaluate_dmarc, organizational_domain
from mailservices.diagnosis.checks.dnssec import evaluate_dnssec
from mailservices.diagnosis.checks.mta_sts import evaluate_mta_sts
from mailservices.diagnosis.checks.mx import evaluate_mx
from mailservices.diagnosis.checks.spf import evaluate_spf
from mailservices.diagnosis.dns import LOOP, AnswerSource, Lookup, normalize_name

CHECK_NAMES = ("mx", "spf", "dkim", "dmarc", "autoconfig", "dav", "mta_sts", "dnssec")

# Findings that ask the customer to publish records, as said for a zone we host instead.
HOSTED_ZONE_TEXTS = {**mx.HOSTED_ZONE_TEXTS, **spf.HOSTED_ZONE_TEXTS, **dmarc.HOSTED_ZONE_TEXTS}


def for_hosted_zone(result: CheckResult) -> CheckResult:
    """The result as told for a domain whose zone we host: we fix it, nobody else publishes."""
    findings = [
        Finding(f.status, Text(HOSTED_ZONE_TEXTS.get(f.text.msgid, f.text.msgid), f.text.params))
        for f in result.findings
    ]
    hosted = CheckResult.from_findings(result.name, findings, result.records, result.found)
    hosted.status = result.status
    return hosted


__all__ = [
    "CHECK_NAMES",
    "ERROR",
    "OK",
    "UNKNOWN",
    "WARNING",
    "CheckResult",
    "Diagnosis",
    "Finding",
    "ProviderFacts",
    "Record",
    "Text",
    "ZoneFacts",
    "check_spf",
    "organizational_domain",
    "run_check",
    "run_checks",
]


@dataclass
class Diagnosis:
    """All checks of one domain."""

    domain: str
    status: str
    checks: list[CheckResult]

    def to_json(self) -> dict:
        return {
            "domain": self.domain,
            "status": self.status,
            "checks": [c.to_json() for c in self.checks],
        }


class _LoopWatch:
    """An answer source that passes every question on and notes the CNAME loops it saw."""

    def __init__(self, source: AnswerSource):
        self.source = source
        self.loops: dict[str, Lookup] = {}

    def _note(self, lookup: Lookup) -> Lookup:
        if lookup.outcome == LOOP:
            self.loops.setdefault(lookup.records[0], lookup)
        return lookup

    def lookup(self, name: str, rdtype: str) -> Lookup:
        return self._note(self.source.lookup(name, rdtype))

    def lookup_many(self, keys: Iterable[tuple[str, str]]) -> list[Lookup]:
        return [self._note(lookup) for lookup in self.source.lookup_many(keys)]


def _with_loops(result: CheckResult, loops: list[Lookup]) -> CheckResult:
    """The check's result with each CNAME loop it ran into as an error naming the names,
    the CNAMEs to remove among the records; "could not find out" is dropped, the cause is
    known."""
    findings = [f for f in result.findings if f.status != UNKNOWN]
    records = list(result.records)
    for loop in loops:
        chain = loop.records
        findings.append(
            Finding(
                ERROR,
                Text(
                    _(
                        "Die CNAME-Einträge von %(name)s führen im Kreis (%(chain)s): so findet "
                        "niemand einen Eintrag. Entfernen Sie diese CNAME-Einträge und tragen "
                        "Sie unter %(name)s den richtigen Eintrag ein."
                    ),
                    {"name": chain[0], "chain": " → ".join(chain)},
                ),
            )
        )
        records += [
            Record(owner, "CNAME", target + ".", action=REMOVE)
            for owner, target in zip(chain, chain[1:], strict=False)
        ]
    return CheckResult.from_findings(result.name, findings, records, result.found)


def run_check(
    name: str,
    domain: str,
    source: AnswerSource,
    provider: ProviderFacts,
    dkim_public_key: str | None = None,
    zone: ZoneFacts | None = None,
) -> CheckResult:
    """`zone`: what the portal publishes for a zone it hosts (None: an external domain)."""
    watch = _LoopWatch(source)
    result = _run_check(name, domain, watch, provider, dkim_public_key, zone)
    if watch.loops:
        return _with_loops(result, list(watch.loops.values()))
    return result


def _run_check(
    name: str,
    domain: str,
    source: AnswerSource,
    provider: ProviderFacts,
    dkim_public_key: str | None = None,
    zone: ZoneFacts | None = None,
) -> CheckResult:
    if name == "mx":
        return evaluate_mx(domain, source, provider)
    if name == "spf":
        return evaluate_spf(domain, source, provider)
    if name == "dkim":
        return evaluate_dkim(domain, source, provider, dkim_public_key)
    if name == "dmarc":
        return evaluate_dmarc(domain, source)
    if name == "autoconfig":
        return evaluate_autoconfig(domain, source, provider)
    if name == "dav":
        return evaluate_dav(domain, source, provider)
    if name == "mta_sts":
        return evaluate_mta_sts(domain, source, provider, zone)
    if name == "dnssec":
        return evaluate_dnssec(domain, source, provider, zone)
    raise ValueError(name)


def run_checks(
    domain: str,
    source: AnswerSource,
    provider: ProviderFacts,
    dkim_public_key: str | None = None,
    progress=None,
    zone: ZoneFacts | None = None,
) -> Diagnosis:
    """Runs every check in order; `progress(done, total)` is called after each one."""
    domain = normalize_name(domain)
    results = []
    for index, name in enumerate(CHECK_NAMES, start=1):
        results.append(run_check(name, domain, source, provider, dkim_public_key, zone))
        if progress:
            progress(index, len(CHECK_NAMES))
    return Diagnosis(domain, worst(r.status for r in results), results)


def check_spf(domain: str, *, resolver=None) -> CheckResult:
    """SPF of `domain` against our outbound addresses, with a fresh, cache-less resolver.

    `resolver`: a dnspython resolver (see `resolver.make_resolver`); None uses the system's.
    """
    from mailservices.diagnosis.resolver import ResolverSource

    return evaluate_spf(domain, ResolverSource(resolver), ProviderFacts.from_settings())
