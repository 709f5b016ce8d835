"""Optional: SRV and TXT records that point calendar and contacts clients at the DAV server
(RFC 6764: `_caldavs._tcp` / `_carddavs._tcp` SRV with a TXT `path=`). Missing is fine."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

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

NAME = "dav"
SERVICES = ("_caldavs._tcp", "_carddavs._tcp")


@dataclass(frozen=True)
class DavServer:
    """Where the DAV server is published: host, port and context path."""

    host: str
    port: int
    path: str

    @classmethod
    def from_settings(cls) -> DavServer:
        from mailservices.dav.app_settings import app_settings

        url = urlsplit(app_settings.PUBLIC_URL)
        port = url.port or (443 if url.scheme == "https" else 80)
        return cls(normalize_name(url.hostname or ""), port, url.path or "/")


def expected_records(domain: str, server: DavServer) -> list[Record]:
    domain = normalize_name(domain)
    records = []
    for label in SERVICES:
        records.append(Record(f"{label}.{domain}", "SRV", f"0 1 {server.port} {server.host}."))
        records.append(Record(f"{label}.{domain}", "TXT", f"path={server.path}"))
    return records


def _srv_target(record: str) -> tuple[str, str]:
    parts = record.split()
    return (normalize_name(parts[-1]), parts[2]) if len(parts) == 4 else ("", "")


def evaluate_dav(
    domain: str, source: AnswerSource, provider: ProviderFacts, server: DavServer | None = None
) -> CheckResult:
    """`provider` is unused (the DAV server has its own URL); kept for the check signature."""
    server = server or DavServer.from_settings()
    domain = normalize_name(domain)
    names = [f"{label}.{domain}" for label in SERVICES]
    lookups = source.lookup_many([(n, "SRV") for n in names] + [(n, "TXT") for n in names])
    records = expected_records(domain, server)
    if any(lk.failed for lk in lookups):
        return CheckResult.from_findings(
            NAME,
            [
                Finding(
                    UNKNOWN,
                    Text(
                        _(
                            "Die Einträge für Kalender und Kontakte konnten nicht geprüft "
                            "werden, weil der DNS-Server nicht antwortete. Bitte versuchen Sie "
                            "es später nochmals."
                        )
                    ),
                )
            ],
            records,
        )
    findings, found = [], []
    for name, srv, txt in zip(names, lookups[:2], lookups[2:], strict=True):
        if srv.outcome != ANSWER:
            findings.append(
                Finding(
                    OK,
                    Text(
                        _(
                            "Hinweis: Der SRV-Eintrag %(name)s fehlt (optional). Mit ihm finden "
                            "Kalender- und Kontakte-Programme den Server allein aus der "
                            "E-Mail-Adresse."
                        ),
                        {"name": name},
                    ),
                )
            )
            continue
        found.extend(f"{name} SRV {r}" for r in srv.records)
        if (server.host, str(server.port)) not in {_srv_target(r) for r in srv.records}:
            findings.append(
                Finding(
                    WARNING,
                    Text(
                        _(
                            "Der SRV-Eintrag %(name)s nennt nicht %(host)s, Port %(port)s. "
                            "Kalender- und Kontakte-Programme, die ihn nutzen, verbinden sich "
                            "mit dem falschen Server."
                        ),
                        {"name": name, "host": server.host, "port": server.port},
                    ),
                )
            )
        paths = [r.strip('"') for r in txt.records if r.strip('"').startswith("path=")]
        found.extend(f"{name} TXT {r}" for r in txt.records)
        if paths and f"path={server.path}" not in paths:
            findings.append(
                Finding(
                    WARNING,
                    Text(
                        _("Der TXT-Eintrag %(name)s nennt einen anderen Pfad als «path=%(path)s»."),
                        {"name": name, "path": server.path},
                    ),
                )
            )
    if not any(f.status != OK for f in findings) and found:
        findings.insert(
            0,
            Finding(
                OK,
                Text(_("Die Einträge für Kalender und Kontakte (CalDAV/CardDAV) stimmen.")),
            ),
        )
    return CheckResult.from_findings(NAME, findings, records, found)
