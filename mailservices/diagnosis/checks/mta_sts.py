"""MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE TLSA of the MX hosts (RFC 7672,
`dane.py`).

Optional for an external domain, as the DAV records are: without `_mta-sts` the check is
fine and lists the records to publish. When the TXT record is there, the policy is fetched
from https://mta-sts.<domain>/.well-known/mta-sts.txt (a `POLICY` question of the answer
source) and must be valid and cover every MX host. For a zone we host, the policy is the
one the portal serves (`ZoneFacts.mta_sts_policy`): the TXT record must name its id.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_noop as _  # msgids are translated on display

from mailservices.diagnosis.checks.base import (
    ERROR,
    OK,
    UNKNOWN,
    WARNING,
    CheckResult,
    Finding,
    ProviderFacts,
    Record,
    Text,
    ZoneFacts,
)
from mailservices.diagnosis.checks.dane import evaluate_tlsa
from mailservices.diagnosis.dns import ANSWER, POLICY, AnswerSource, normalize_name
from mailservices.diagnosis.policyfetch import NO_TIME
from mailservices.hosteddns import mtasts

NAME = "mta_sts"
STS_ID = re.compile(r"[A-Za-z0-9]{1,32}")
ONE_DAY = 86400
# Why a policy could not be fetched: the technical reason, the same in every language.
UNREACHABLE = {
    "tls": "TLS",
    "timeout": "timeout",
    "refused": "connection refused",
    "connect": "no route",
    "no-address": "no A/AAAA",
}


def policy_for(provider: ProviderFacts) -> str:
    """The policy the portal serves for an external domain (our MX hosts)."""
    return mtasts.policy_text(
        provider.mx_hosts, mode=provider.mta_sts_mode, max_age=provider.mta_sts_max_age
    )


def expected_records(
    domain: str, provider: ProviderFacts, zone: ZoneFacts | None = None
) -> list[Record]:
    """The records that switch MTA-STS and TLS reports on, with the policy we serve."""
    domain = normalize_name(domain)
    policy = (zone.mta_sts_policy if zone else None) or policy_for(provider)
    records = []
    if provider.mta_sts_host:
        records.append(Record(f"mta-sts.{domain}", "CNAME", provider.mta_sts_host + "."))
    records.append(Record(f"_mta-sts.{domain}", "TXT", mtasts.sts_record_value(policy)))
    if provider.tlsrpt_rua:
        records.append(
            Record(f"_smtp._tls.{domain}", "TXT", mtasts.tlsrpt_record_value(provider.tlsrpt_rua))
        )
    return records


def parse_sts_record(value: str) -> str | None:
    """The `id` of a `v=STSv1; id=...` record, or None when it is not valid (RFC 8461 3.1)."""
    fields = [part.strip() for part in value.split(";") if part.strip()]
    if not fields or fields[0].replace(" ", "") != "v=STSv1":
        return None
    tags = dict(part.partition("=")[::2] for part in fields[1:])
    record_id = tags.get("id", "").strip()
    return record_id if STS_ID.fullmatch(record_id) else None


def tlsrpt_valid(value: str) -> bool:
    """`v=TLSRPTv1; rua=<mailto: or https: URIs, comma separated>` (RFC 8460 3)."""
    fields = [part.strip() for part in value.split(";") if part.strip()]
    if not fields or fields[0].replace(" ", "") != "v=TLSRPTv1":
        return False
    tags = {k.strip(): v.strip() for k, _sep, v in (p.partition("=") for p in fields[1:])}
    uris = [u.strip() for u in tags.get("rua", "").split(",") if u.strip()]
    return bool(uris) and all(
        (u.startswith("mailto:") and "@" in u) or u.startswith("https://") for u in uris
    )


def parse_policy(text: str) -> dict:
    """A served policy as {'version', 'mode', 'mx': [...], 'max_age'}."""
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


def policy_problems(policy: dict) -> list[str]:
    """What makes a served policy unusable (RFC 8461 3.2), as short English keys."""
    problems = []
    if policy.get("version") != "STSv1":
        problems.append("version: STSv1")
    if policy.get("mode") not in mtasts.MODES:
        problems.append("mode: enforce | testing | none")
    max_age = policy.get("max_age")
    if max_age is None or not 0 <= max_age <= mtasts.MAX_AGE_MAX:
        problems.append("max_age: 0-31557600")
    if policy.get("mode") in ("enforce", "testing") and not policy["mx"]:
        problems.append("mx: …")
    return problems


def mx_hosts(records) -> list[str]:
    hosts = []
    for value in records:
        host = normalize_name(value.split()[-1]) if value.split() else ""
        if host and host not in hosts:
            hosts.append(host)
    return hosts


def _unknown(records) -> CheckResult:
    return CheckResult.from_findings(
        NAME,
        [
            Finding(
                UNKNOWN,
                Text(
                    _(
                        "MTA-STS konnte nicht geprüft werden, weil der DNS-Server oder der "
                        "Web-Server nicht rechtzeitig antwortete. Bitte versuchen Sie es später "
                        "nochmals."
                    )
                ),
            )
        ],
        records,
    )


def evaluate_mta_sts(
    domain: str, source: AnswerSource, provider: ProviderFacts, zone: ZoneFacts | None = None
) -> CheckResult:
    domain = normalize_name(domain)
    sts_name, rpt_name, host = f"_mta-sts.{domain}", f"_smtp._tls.{domain}", f"mta-sts.{domain}"
    records = expected_records(domain, provider, zone)
    sts, rpt, mx = source.lookup_many([(sts_name, "TXT"), (rpt_name, "TXT"), (domain, "MX")])
    if sts.failed or rpt.failed or mx.failed:
        return _unknown(records)
    found = [f"{sts_name} TXT {r}" for r in sts.records]
    found += [f"{rpt_name} TXT {r}" for r in rpt.records]
    findings: list[Finding] = []
    hosts = mx_hosts(mx.records) if mx.outcome == ANSWER else []
    sts_records = [r for r in sts.records if r.replace(" ", "").startswith("v=STSv1")]
    mode = None
    if not sts_records:
        findings.append(_sts_missing(zone, domain))
    elif len(sts_records) > 1:
        findings.append(
            Finding(
                ERROR,
                Text(
                    _(
                        "Unter %(name)s stehen %(count)s MTA-STS-Einträge. Sendende Server "
                        "verlangen genau einen und ignorieren sonst die Richtlinie. Lassen Sie "
                        "nur den Eintrag unten stehen."
                    ),
                    {"name": sts_name, "count": len(sts_records)},
                ),
            )
        )
    elif parse_sts_record(sts_records[0]) is None:
        findings.append(
            Finding(
                ERROR,
                Text(
                    _(
                        "Der Eintrag %(name)s ist ungültig: er muss mit «v=STSv1;» beginnen "
                        "und eine «id=» aus 1 bis 32 Buchstaben und Ziffern haben."
                    ),
                    {"name": sts_name},
                ),
            )
        )
    else:
        outcome = _policy(domain, host, parse_sts_record(sts_records[0]), source, zone)
        if outcome is None:
            return _unknown(records)
        policy_findings, mode, policy_found = outcome
        findings += policy_findings
        found += policy_found
        if mode is not None:
            findings += _coverage(hosts, mode[0], mode[1])
    findings += _tlsrpt(rpt, rpt_name, zone, bool(sts_records))
    tlsa_findings, tlsa_found, tlsa_records = evaluate_tlsa(hosts, source)
    findings += tlsa_findings
    found += tlsa_found
    if mode is not None and not any(f.status != OK for f in findings):
        findings.insert(
            0,
            Finding(
                OK,
                Text(
                    _(
                        "MTA-STS ist eingerichtet: die Richtlinie (Modus «%(mode)s») deckt "
                        "alle MX-Server ab, sendende Server liefern nur verschlüsselt an sie."
                    ),
                    {"mode": mode[0]},
                ),
            ),
        )
    return CheckResult.from_findings(NAME, findings, records + tlsa_records, found)


def _sts_missing(zone: ZoneFacts | None, domain: str) -> Finding:
    if zone is not None and zone.mta_sts_policy:  # we serve a policy: the record belongs
        return Finding(
            WARNING,
            Text(
                _(
                    "Der MTA-STS-Eintrag fehlt in Ihrer Zone. Wir tragen ihn wieder ein, damit "
                    "sendende Server nur verschlüsselt zustellen."
                )
            ),
        )
    return Finding(
        OK,
        Text(
            _(
                "Hinweis: MTA-STS ist für %(domain)s nicht eingerichtet (optional). Mit den "
                "Einträgen unten verlangen sendende Server eine verschlüsselte Verbindung mit "
                "gültigem Zertifikat zu unseren MX-Servern; die Richtlinie stellen wir bereit."
            ),
            {"domain": domain},
        ),
    )


def _policy(domain, host, record_id, source, zone):
    """(findings, (mode, covers), found) of the policy; None when it could not be had in
    time. `covers(host)` says whether the policy's mx patterns cover an MX host."""
    findings, found = [], []
    if zone is not None and zone.mta_sts_policy:
        text = zone.mta_sts_policy
        if record_id != mtasts.policy_id(text):
            findings.append(
                Finding(
                    WARNING,
                    Text(
                        _(
                            "Der Eintrag _mta-sts.%(domain)s nennt nicht die id der aktuellen "
                            "Richtlinie. Wir korrigieren ihn, damit sendende Server die neue "
                            "Richtlinie abholen."
                        ),
                        {"domain": domain},
                    ),
                )
            )
    else:
        addresses = source.lookup_many([(host, "A"), (host, "AAAA")])
        if any(lookup.failed for lookup in addresses):
            return None
        fetched = source.lookup(host, POLICY)
        if fetched.error == NO_TIME:
            return None
        url = f"https://{host}/.well-known/mta-sts.txt"
        if fetched.outcome != ANSWER:
            findings.append(_unreachable(url, host, fetched.error))
            return findings, None, found
        text, content_type = fetched.records[0], fetched.records[1]
        found.append(f"{url}: " + " | ".join(line for line in text.splitlines() if line))
        if content_type != "text/plain":
            findings.append(
                Finding(
                    WARNING,
                    Text(
                        _(
                            "Der Web-Server liefert die Richtlinie als «%(type)s» statt als "
                            "«text/plain»; manche sendende Server lehnen sie deshalb ab."
                        ),
                        {"type": content_type},
                    ),
                )
            )
    policy = parse_policy(text)
    problems = policy_problems(policy)
    if problems:
        findings.append(
            Finding(
                ERROR,
                Text(
                    _(
                        "Die MTA-STS-Richtlinie ist ungültig; es fehlt oder ist falsch: "
                        "%(fields)s. Sendende Server ignorieren sie."
                    ),
                    {"fields": "; ".join(problems)},
                ),
            )
        )
        return findings, None, found
    if policy["max_age"] < ONE_DAY:
        findings.append(
            Finding(
                WARNING,
                Text(
                    _(
                        "max_age der Richtlinie ist mit %(seconds)s Sekunden kürzer als ein Tag. "
                        "Empfohlen sind eine bis mehrere Wochen (604800 Sekunden = 1 Woche)."
                    ),
                    {"seconds": policy["max_age"]},
                ),
            )
        )
    patterns = policy["mx"]
    return (
        findings,
        (policy["mode"], lambda h: any(mx_matches(p, h) for p in patterns)),
        found,
    )


def _unreachable(url: str, host: str, error: str) -> Finding:
    if error == "tls-certificate":
        return Finding(
            ERROR,
            Text(
                _(
                    "Die MTA-STS-Richtlinie unter %(url)s ist nicht abrufbar: das Zertifikat "
                    "des Servers gilt nicht für %(host)s oder ist nicht vertrauenswürdig. "
                    "Sendende Server, die sie schon kennen, stellen dann womöglich nicht mehr zu."
                ),
                {"url": url, "host": host},
            ),
        )
    if error in UNREACHABLE:
        return Finding(
            ERROR,
            Text(
                _(
                    "Die MTA-STS-Richtlinie unter %(url)s ist nicht abrufbar: der Server ist "
                    "nicht erreichbar (%(reason)s). Sendende Server, die sie schon kennen, "
                    "stellen dann womöglich nicht mehr zu."
                ),
                {"url": url, "reason": UNREACHABLE[error]},
            ),
        )
    reason = {"too-large": "> 64 KB", "http-invalid": "HTTP ?"}.get(
        error, error.replace("http-", "HTTP ")
    )
    return Finding(
        ERROR,
        Text(
            _(
                "Die MTA-STS-Richtlinie unter %(url)s ist nicht abrufbar: der Server antwortet "
                "mit %(reason)s statt mit der Richtlinie. Sendende Server, die sie schon "
                "kennen, stellen dann womöglich nicht mehr zu."
            ),
            {"url": url, "reason": reason},
        ),
    )


def _coverage(hosts, mode, covers) -> list[Finding]:
    if mode == "none":
        return [
            Finding(
                OK,
                Text(
                    _(
                        "Hinweis: Die Richtlinie hat den Modus «none»: MTA-STS ist damit "
                        "ausgeschaltet."
                    )
                ),
            )
        ]
    uncovered = [h for h in hosts if not covers(h)]
    findings = []
    if uncovered:
        findings.append(
            Finding(
                ERROR if mode == "enforce" else WARNING,
                Text(
                    _(
                        "Die MTA-STS-Richtlinie nennt die MX-Server %(hosts)s nicht. Im Modus "
                        "«enforce» stellen sendende Server an sie nicht zu; ergänzen Sie sie "
                        "mit einer Zeile «mx:» oder entfernen Sie den MX-Eintrag."
                    ),
                    {"hosts": ", ".join(uncovered)},
                ),
            )
        )
    if mode == "testing":
        findings.append(
            Finding(
                OK,
                Text(
                    _(
                        "Hinweis: Die Richtlinie hat den Modus «testing»: sendende Server "
                        "melden Probleme nur (TLS-Berichte) und stellen trotzdem zu."
                    )
                ),
            )
        )
    return findings


def _tlsrpt(rpt, rpt_name, zone, sts_present) -> list[Finding]:
    reports = [r for r in rpt.records if r.replace(" ", "").startswith("v=TLSRPTv1")]
    if not reports:
        if zone is not None and zone.mta_sts_policy:
            return [
                Finding(
                    WARNING,
                    Text(
                        _(
                            "Der Eintrag %(name)s für TLS-Berichte fehlt in Ihrer Zone; wir "
                            "tragen ihn wieder ein."
                        ),
                        {"name": rpt_name},
                    ),
                )
            ]
        if not sts_present:
            return []  # the MTA-STS hint already lists the record
        return [
            Finding(
                OK,
                Text(
                    _(
                        "Hinweis: Der Eintrag %(name)s fehlt (optional). Mit ihm melden "
                        "sendende Server, wenn eine verschlüsselte Zustellung scheitert."
                    ),
                    {"name": rpt_name},
                ),
            )
        ]
    if len(reports) > 1 or not tlsrpt_valid(reports[0]):
        return [
            Finding(
                WARNING,
                Text(
                    _(
                        "Der Eintrag %(name)s für TLS-Berichte ist ungültig: es braucht genau "
                        "einen Eintrag «v=TLSRPTv1; rua=…» mit mailto:- oder https:-Adressen."
                    ),
                    {"name": rpt_name},
                ),
            )
        ]
    return []
