"""MX: mail for the domain must reach our MX hosts, and only them."""

from __future__ import annotations

from django.utils.translation import gettext_noop as _  # msgids are translated on display

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
)
from mailservices.diagnosis.dns import (
    ANSWER,
    NXDOMAIN,
    AnswerSource,
    is_ip_literal,
    normalize_name,
)

NAME = "mx"

NO_MX = _(
    "Es gibt keinen MX-Eintrag: Nachrichten an @%(domain)s kommen nicht bei uns an. "
    "Veröffentlichen Sie die folgenden MX-Einträge."
)
# The same finding for a domain whose zone we host: we fix it, nobody else publishes.
HOSTED_ZONE_TEXTS = {
    NO_MX: _(
        "Es gibt keinen MX-Eintrag: Nachrichten an @%(domain)s kommen nicht bei uns an. Die "
        "Zone dieser Domain führen wir: wir tragen die folgenden MX-Einträge für Sie ein."
    ),
}


def expected_records(domain: str, provider: ProviderFacts) -> list[Record]:
    return [
        Record(domain, "MX", f"{10 * (i + 1)} {host}.") for i, host in enumerate(provider.mx_hosts)
    ]


def _parse(value: str) -> tuple[int, str]:
    preference, _space, exchange = value.strip().partition(" ")
    return int(preference), normalize_name(exchange)


def evaluate_mx(domain: str, source: AnswerSource, provider: ProviderFacts) -> CheckResult:
    domain = normalize_name(domain)
    expected = expected_records(domain, provider)
    mx = source.lookup(domain, "MX")
    if mx.failed:
        return _single(
            UNKNOWN,
            Text(
                _(
                    "Die MX-Einträge von %(domain)s konnten nicht geprüft werden, weil der "
                    "DNS-Server nicht antwortete (%(error)s). Bitte versuchen Sie es später "
                    "nochmals."
                ),
                {"domain": domain, "error": mx.error},
            ),
            expected,
        )
    if mx.outcome == NXDOMAIN:
        return _single(
            ERROR,
            Text(
                _(
                    "Die Domain %(domain)s existiert im DNS nicht. Ist sie registriert und "
                    "zeigen ihre Nameserver auf die richtige Zone?"
                ),
                {"domain": domain},
            ),
            expected,
        )
    if mx.outcome != ANSWER or not mx.records:
        return _single(
            ERROR,
            Text(NO_MX, {"domain": domain}),
            expected,
        )

    entries = [_parse(v) for v in mx.records]
    findings: list[Finding] = []
    removals: list[Record] = []
    ours: set[str] = set()
    foreign: list[tuple[int, str]] = []
    for preference, host in entries:
        value = f"{preference} {host}." if host else f"{preference} ."
        if host in provider.mx_hosts:
            ours.add(host)
        elif host == "":
            removals.append(Record(domain, "MX", value, action=REMOVE))
            findings.append(
                Finding(
                    ERROR,
                    Text(
                        _(
                            "Die Domain hat einen „Null-MX“ (MX 0 .): sie erklärt damit, "
                            "überhaupt keine E-Mails zu empfangen (RFC 7505). Ersetzen Sie ihn "
                            "durch unsere MX-Einträge."
                        )
                    ),
                )
            )
        elif is_ip_literal(host):
            removals.append(Record(domain, "MX", value, action=REMOVE))
            findings.append(
                Finding(
                    ERROR,
                    Text(
                        _(
                            "Ein MX-Eintrag nennt die IP-Adresse %(host)s. Ein MX muss einen "
                            "Hostnamen nennen, keine Adresse."
                        ),
                        {"host": host},
                    ),
                )
            )
        elif host.endswith("." + domain) and host[: -len(domain) - 1] in provider.mx_hosts:
            removals.append(Record(domain, "MX", value, action=REMOVE))
            findings.append(
                Finding(
                    ERROR,
                    Text(
                        _(
                            "Der MX-Eintrag zeigt auf %(host)s: beim Eintragen fehlte der Punkt "
                            "am Ende, deshalb hat der DNS-Server Ihre Domain angehängt. "
                            "Schreiben Sie „%(intended)s.“ mit Punkt am Ende."
                        ),
                        {"host": host, "intended": host[: -len(domain) - 1]},
                    ),
                )
            )
        else:
            foreign.append((preference, host))

    for preference, host in foreign:
        value = f"{preference} {host}."
        # The resolver follows a CNAME and names where it led (canonical_name).
        a, aaaa = source.lookup_many([(host, "A"), (host, "AAAA")])
        alias_target = a.canonical_name or aaaa.canonical_name
        if a.failed and aaaa.failed:
            findings.append(
                Finding(
                    UNKNOWN,
                    Text(
                        _(
                            "Der MX-Server %(host)s konnte nicht überprüft werden, weil der "
                            "DNS-Server nicht antwortete. Bitte versuchen Sie es später "
                            "nochmals."
                        ),
                        {"host": host},
                    ),
                )
            )
            continue
        removals.append(Record(domain, "MX", value, action=REMOVE))
        if alias_target:
            text = Text(
                _(
                    "Der MX-Eintrag %(host)s ist ein Alias (CNAME auf %(target)s). Ein MX muss "
                    "direkt auf einen Host mit Adresse zeigen (RFC 5321, 5.1)."
                ),
                {"host": host, "target": alias_target},
            )
        elif not (a.outcome == ANSWER or aaaa.outcome == ANSWER):
            text = Text(
                _(
                    "Der MX-Eintrag zeigt auf %(host)s, doch dieser Name hat keine IP-Adresse. "
                    "Absender können dorthin nichts zustellen."
                ),
                {"host": host},
            )
        else:
            text = Text(
                _(
                    "Der MX-Eintrag %(host)s gehört nicht zu uns. Absender verteilen Nachrichten "
                    "auf alle MX-Server; was bei %(host)s ankommt, erreicht Ihre Postfächer bei "
                    "uns nicht. Entfernen Sie diesen Eintrag."
                ),
                {"host": host},
            )
        findings.append(Finding(ERROR, text))

    missing = [h for h in provider.mx_hosts if h not in ours]
    if not ours:
        findings.append(
            Finding(
                ERROR,
                Text(
                    _(
                        "Keiner der MX-Einträge zeigt auf unsere Server: Nachrichten an "
                        "@%(domain)s kommen nicht bei uns an."
                    ),
                    {"domain": domain},
                ),
            )
        )
    elif missing:
        findings.append(
            Finding(
                WARNING,
                Text(
                    _(
                        "Es fehlt der MX-Eintrag für %(hosts)s. Ohne ihn gibt es keinen "
                        "Ersatzweg, wenn ein Server gewartet wird."
                    ),
                    {"hosts": ", ".join(missing)},
                ),
            )
        )
    if not findings:
        findings.append(
            Finding(
                OK,
                Text(
                    _("Die MX-Einträge stimmen: Nachrichten an @%(domain)s kommen bei uns an."),
                    {"domain": domain},
                ),
            )
        )
    records = expected + removals if any(f.status != OK for f in findings) else expected
    return CheckResult.from_findings(NAME, findings, records, list(mx.records))


def _single(status, text, records=()) -> CheckResult:
    return CheckResult.from_findings(NAME, [Finding(status, text)], records)
