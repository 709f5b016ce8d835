"""Client set-up records: autoconfig/autodiscover host names, SRV records as information."""

from __future__ import annotations

from django.utils.translation import gettext_noop as _  # msgids are translated on display

from mailservices.diagnosis.checks.base import (
    OK,
    UNKNOWN,
    WARNING,
    CheckResult,
    Finding,
    ProviderFacts,
    Record,
    Text,
)
from mailservices.diagnosis.dns import ANSWER, AnswerSource, normalize_name

NAME = "autoconfig"
SRV = (("_imaps._tcp", 993), ("_submissions._tcp", 465))


def expected_records(domain: str, provider: ProviderFacts) -> list[Record]:
    domain = normalize_name(domain)
    target = provider.mail_host + "."
    return [
        Record(f"autoconfig.{domain}", "CNAME", target),
        Record(f"autodiscover.{domain}", "CNAME", target),
        *(Record(f"{label}.{domain}", "SRV", f"0 1 {port} {target}") for label, port in SRV),
    ]


def evaluate_autoconfig(domain: str, source: AnswerSource, provider: ProviderFacts) -> CheckResult:
    domain = normalize_name(domain)
    hosts = [f"autoconfig.{domain}", f"autodiscover.{domain}"]
    srv_names = [f"{label}.{domain}" for label, _port in SRV]
    # One A question per host: the resolver follows a CNAME and reports where it led.
    lookups = source.lookup_many([(h, "A") for h in hosts] + [(n, "SRV") for n in srv_names])
    if any(lk.failed for lk in lookups):
        return CheckResult.from_findings(
            NAME,
            [
                Finding(
                    UNKNOWN,
                    Text(
                        _(
                            "Die Einträge für die automatische Einrichtung konnten nicht "
                            "geprüft werden, weil der DNS-Server nicht antwortete. Bitte "
                            "versuchen Sie es später nochmals."
                        )
                    ),
                )
            ],
            expected_records(domain, provider),
        )
    findings = []
    found = []
    for host, address in zip(hosts, lookups[:2], strict=True):
        target = address.canonical_name
        if target:
            found.append(f"{host} CNAME {target}.")
        if target == provider.mail_host:
            continue
        if target or address.outcome == ANSWER:
            findings.append(
                Finding(
                    WARNING,
                    Text(
                        _(
                            "%(host)s zeigt nicht auf %(mail_host)s. Mailprogramme finden die "
                            "Einstellungen dann nicht automatisch."
                        ),
                        {"host": host, "mail_host": provider.mail_host},
                    ),
                )
            )
        else:
            findings.append(
                Finding(
                    WARNING,
                    Text(
                        _(
                            "%(host)s fehlt. Mailprogramme können sich dann nicht automatisch "
                            "einrichten; die Einstellungen lassen sich aber von Hand eingeben."
                        ),
                        {"host": host},
                    ),
                )
            )
    for (_label, port), name, lookup in zip(SRV, srv_names, lookups[2:], strict=True):
        if lookup.outcome != ANSWER:
            findings.append(
                Finding(
                    OK,
                    Text(
                        _("Hinweis: Der SRV-Eintrag %(name)s fehlt (optional)."),
                        {"name": name},
                    ),
                )
            )
            continue
        found.extend(f"{name} SRV {r}" for r in lookup.records)
        targets = {(r.split()[-1].rstrip(".").lower(), r.split()[2]) for r in lookup.records}
        if (provider.mail_host, str(port)) not in targets:
            findings.append(
                Finding(
                    WARNING,
                    Text(
                        _(
                            "Der SRV-Eintrag %(name)s nennt nicht %(mail_host)s, Port %(port)s. "
                            "Mailprogramme, die ihn nutzen, verbinden sich mit dem falschen "
                            "Server."
                        ),
                        {"name": name, "mail_host": provider.mail_host, "port": port},
                    ),
                )
            )
    if not any(f.status != OK for f in findings):
        findings.insert(
            0,
            Finding(
                OK,
                Text(
                    _(
                        "Die Einträge für die automatische Einrichtung von Mailprogrammen sind "
                        "vorhanden."
                    )
                ),
            ),
        )
    return CheckResult.from_findings(NAME, findings, expected_records(domain, provider), found)
