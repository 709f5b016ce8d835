"""DMARC: a valid policy at _dmarc.<domain>, else at the organisational domain (RFC 7489)."""

from __future__ import annotations

import functools

from django.utils.translation import gettext_noop as _  # msgids are translated on display
from publicsuffixlist import PublicSuffixList

from mailservices.diagnosis.checks.base import (
    ERROR,
    OK,
    REMOVE,
    UNKNOWN,
    WARNING,
    CheckResult,
    Finding,
    Record,
    Text,
)
from mailservices.diagnosis.dns import ANSWER, AnswerSource, normalize_name, parse_tags

NAME = "dmarc"
POLICIES = ("none", "quarantine", "reject")
KNOWN_TAGS = {"v", "p", "sp", "rua", "ruf", "adkim", "aspf", "pct", "fo", "rf", "ri", "np", "psd"}

NO_DMARC = _(
    "Es gibt keinen DMARC-Eintrag. Mails kommen trotzdem an, aber Empfänger wissen nicht, wie "
    "sie gefälschte Absender %(domain)s behandeln sollen. Veröffentlichen Sie den folgenden "
    "Eintrag."
)
# The same finding for a domain whose zone we host: we fix it, nobody else publishes.
HOSTED_ZONE_TEXTS = {
    NO_DMARC: _(
        "Es gibt keinen DMARC-Eintrag. Mails kommen trotzdem an, aber Empfänger wissen nicht, "
        "wie sie gefälschte Absender %(domain)s behandeln sollen. Die Zone dieser Domain führen "
        "wir: wir tragen den folgenden Eintrag für Sie ein."
    ),
}


@functools.cache
def _psl() -> PublicSuffixList:
    # The list bundled with the package: no download at run time.
    return PublicSuffixList()


def organizational_domain(domain: str) -> str:
    """RFC 7489, 3.2: the registrable domain per the Public Suffix List."""
    domain = normalize_name(domain)
    return _psl().privatesuffix(domain) or domain


def is_dmarc(txt: str) -> bool:
    text = txt.strip()
    return text[:8].lower() == "v=dmarc1" and (len(text) == 8 or text[8] in " ;\t")


TAG_RULES = {
    "sp": lambda v: v.lower() in POLICIES,
    "np": lambda v: v.lower() in POLICIES,
    "adkim": lambda v: v.lower() in ("r", "s"),
    "aspf": lambda v: v.lower() in ("r", "s"),
    "pct": lambda v: v.isdigit() and 0 <= int(v) <= 100,
    "ri": lambda v: v.isdigit(),
}


def suggest_record(tags: dict | None = None) -> str:
    """A valid record: the customer's valid tags kept, p at least quarantine."""
    tags = dict(tags or {})
    if tags.get("p") not in ("quarantine", "reject"):
        tags["p"] = "quarantine"
    parts = ["v=DMARC1", f"p={tags.pop('p')}"]
    tags.pop("v", None)
    for key, value in tags.items():
        valid = TAG_RULES.get(key, lambda v: True)
        if key in KNOWN_TAGS and value and valid(value):
            parts.append(f"{key}={value}")
    return "; ".join(parts)


def _report_hosts(value: str) -> list[str]:
    hosts = []
    for uri in value.split(","):
        uri = uri.strip()
        if uri.lower().startswith("mailto:") and "@" in uri:
            host = uri.split("@", 1)[1].split("!", 1)[0]
            hosts.append(normalize_name(host))
    return hosts


def _unknown(text_domain, error) -> CheckResult:
    return CheckResult.from_findings(
        NAME,
        [
            Finding(
                UNKNOWN,
                Text(
                    _(
                        "Der DMARC-Eintrag von %(domain)s konnte nicht geprüft werden, weil der "
                        "DNS-Server nicht antwortete (%(error)s). Bitte versuchen Sie es später "
                        "nochmals."
                    ),
                    {"domain": text_domain, "error": error},
                ),
            )
        ],
    )


def evaluate_dmarc(domain: str, source: AnswerSource) -> CheckResult:
    domain = normalize_name(domain)
    name = f"_dmarc.{domain}"
    lookup = source.lookup(name, "TXT")
    if lookup.failed:
        return _unknown(domain, lookup.error)
    records = [r for r in lookup.records if is_dmarc(r)] if lookup.outcome == ANSWER else []
    inherited_from = None
    org = organizational_domain(domain)
    if not records and org != domain:
        org_lookup = source.lookup(f"_dmarc.{org}", "TXT")
        if org_lookup.failed:
            return _unknown(org, org_lookup.error)
        if org_lookup.outcome == ANSWER:
            records = [r for r in org_lookup.records if is_dmarc(r)]
            inherited_from = org if records else None

    misplaced = [r for r in lookup.records if "v=dmarc1" in r.lower()] if not records else []
    if misplaced:
        return CheckResult.from_findings(
            NAME,
            [
                Finding(
                    ERROR,
                    Text(
                        _(
                            "Der DMARC-Eintrag muss mit „v=DMARC1“ beginnen; steht es "
                            "anderswo, ignorieren Empfänger den ganzen Eintrag."
                        )
                    ),
                )
            ],
            [
                Record(name, "TXT", suggest_record(_tags_or_empty(misplaced[0]))),
                *(Record(name, "TXT", r, action=REMOVE) for r in misplaced),
            ],
            misplaced,
        )
    if not records:
        return CheckResult.from_findings(
            NAME,
            [
                Finding(
                    WARNING,
                    Text(NO_DMARC, {"domain": domain}),
                )
            ],
            [Record(name, "TXT", suggest_record())],
        )
    where = f"_dmarc.{inherited_from}" if inherited_from else name
    if len(records) > 1:
        return CheckResult.from_findings(
            NAME,
            [
                Finding(
                    ERROR,
                    Text(
                        _(
                            "Unter %(name)s stehen %(count)d DMARC-Einträge. Empfänger "
                            "ignorieren dann alle (RFC 7489, 6.6.3). Behalten Sie genau einen."
                        ),
                        {"name": where, "count": len(records)},
                    ),
                )
            ],
            [
                Record(where, "TXT", suggest_record()),
                *(Record(where, "TXT", r, action=REMOVE) for r in records),
            ],
            records,
        )

    record = records[0]
    findings = []
    try:
        pairs = parse_tags(record)
    except ValueError as exc:
        return CheckResult.from_findings(
            NAME,
            [
                Finding(
                    ERROR,
                    Text(
                        _(
                            "Der DMARC-Eintrag ist nicht lesbar: „%(part)s“ ist kein "
                            "Tag=Wert-Paar (Tags werden mit Strichpunkt getrennt)."
                        ),
                        {"part": str(exc)},
                    ),
                )
            ],
            [Record(where, "TXT", suggest_record()), Record(where, "TXT", record, action=REMOVE)],
            records,
        )
    tags = dict(pairs)
    if not pairs or pairs[0] != ("v", "DMARC1"):
        findings.append(
            Finding(
                ERROR,
                Text(_("Der DMARC-Eintrag muss mit „v=DMARC1“ beginnen (genau so geschrieben).")),
            )
        )
    policy = tags.get("p")
    if policy is None:
        findings.append(
            Finding(
                ERROR,
                Text(
                    _(
                        "Dem DMARC-Eintrag fehlt die Richtlinie p= (none, quarantine oder "
                        "reject). Ohne sie ist er ungültig."
                    )
                ),
            )
        )
    elif policy.lower() not in POLICIES:
        findings.append(
            Finding(
                ERROR,
                Text(
                    _(
                        "Die DMARC-Richtlinie p=%(value)s ist ungültig; erlaubt sind none, "
                        "quarantine und reject."
                    ),
                    {"value": policy},
                ),
            )
        )
    elif policy.lower() == "none":
        findings.append(
            Finding(
                WARNING,
                Text(
                    _(
                        "Die DMARC-Richtlinie ist p=none: Empfänger beobachten nur und stellen "
                        "gefälschte Nachrichten trotzdem zu. Wechseln Sie zu p=quarantine, "
                        "sobald die Berichte unauffällig sind."
                    )
                ),
            )
        )
    findings.extend(_tag_findings(tags))
    report_findings, authorisations = _report_findings(domain, org, tags, source)
    findings.extend(report_findings)
    if inherited_from and not any(f.status == ERROR for f in findings):
        findings.append(
            Finding(
                OK,
                Text(
                    _(
                        "%(domain)s hat keinen eigenen DMARC-Eintrag; es gilt der Eintrag der "
                        "Hauptdomain %(org)s."
                    ),
                    {"domain": domain, "org": inherited_from},
                ),
            )
        )
    if not findings:
        findings.append(
            Finding(OK, Text(_("Der DMARC-Eintrag ist gültig und schützt Ihre Domain.")))
        )
    needs_change = any(f.status in (ERROR, WARNING) for f in findings)
    if not needs_change:
        return CheckResult.from_findings(NAME, findings, [Record(where, "TXT", record)], records)
    fixed = suggest_record(tags)
    publish = []
    if fixed != record:
        publish = [Record(where, "TXT", fixed), Record(where, "TXT", record, action=REMOVE)]
    return CheckResult.from_findings(NAME, findings, publish + authorisations, records)


def _tags_or_empty(record: str) -> dict:
    try:
        return dict(parse_tags(record))
    except ValueError:
        return {}


def _tag_findings(tags: dict) -> list[Finding]:
    findings = []
    for tag, valid in TAG_RULES.items():
        if tag in tags and not valid(tags[tag]):
            findings.append(
                Finding(
                    ERROR,
                    Text(
                        _("Im DMARC-Eintrag hat %(tag)s einen ungültigen Wert: „%(value)s“."),
                        {"tag": tag, "value": tags[tag]},
                    ),
                )
            )
    unknown = sorted(set(tags) - KNOWN_TAGS)
    if unknown:
        findings.append(
            Finding(
                WARNING,
                Text(
                    _("Der DMARC-Eintrag enthält unbekannte Tags: %(tags)s (Tippfehler?)."),
                    {"tags": ", ".join(unknown)},
                ),
            )
        )
    return findings


def _report_findings(domain: str, org: str, tags: dict, source: AnswerSource):
    """RFC 7489, 7.1: a report address in another organisation must agree to receive.

    Returns the findings and the records the report receiver has to publish.
    """
    hosts = []
    for tag in ("rua", "ruf"):
        for host in _report_hosts(tags.get(tag, "")):
            if organizational_domain(host) != org and host not in hosts:
                hosts.append(host)
    findings, authorisations = [], []
    lookups = source.lookup_many([(f"{domain}._report._dmarc.{h}", "TXT") for h in hosts])
    for host, lookup in zip(hosts, lookups, strict=True):
        if lookup.failed:
            findings.append(
                Finding(
                    UNKNOWN,
                    Text(
                        _(
                            "Ob %(host)s DMARC-Berichte für Sie annimmt, konnte nicht geprüft "
                            "werden. Bitte versuchen Sie es später nochmals."
                        ),
                        {"host": host},
                    ),
                )
            )
        elif not (lookup.outcome == ANSWER and any(is_dmarc(r) for r in lookup.records)):
            authorisations.append(Record(f"{domain}._report._dmarc.{host}", "TXT", "v=DMARC1"))
            findings.append(
                Finding(
                    WARNING,
                    Text(
                        _(
                            "Die Berichtsadresse bei %(host)s ist nicht freigegeben: dort fehlt "
                            "der Eintrag %(name)s mit „v=DMARC1“. Empfänger senden ihr deshalb "
                            "keine Berichte. Bitten Sie den Betreiber von %(host)s, ihn zu "
                            "veröffentlichen, oder nennen Sie eine Adresse Ihrer Domain."
                        ),
                        {"host": host, "name": f"{domain}._report._dmarc.{host}"},
                    ),
                )
            )
    return findings, authorisations
