"""DKIM: the public key published under our selector must be the service's own key."""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives.serialization import load_der_public_key
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
from mailservices.diagnosis.dns import ANSWER, AnswerSource, normalize_name, parse_tags

NAME = "dkim"


def dkim_name(domain: str, selector: str) -> str:
    return f"{selector}._domainkey.{normalize_name(domain)}"


def dkim_value(public_key_b64: str) -> str:
    return f"v=DKIM1; k=rsa; p={public_key_b64}"


def _decode(key: str) -> bytes | None:
    try:
        return base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return None


def evaluate_dkim(
    domain: str,
    source: AnswerSource,
    provider: ProviderFacts,
    public_key: str | None = None,
) -> CheckResult:
    """`public_key`: the service's key (base64 DER); None when we hold none (foreign domain)."""
    name = dkim_name(domain, provider.dkim_selector)
    publish = [Record(name, "TXT", dkim_value(public_key))] if public_key else []
    lookup = source.lookup(name, "TXT")

    def result(status, text, records=publish, found=()):
        return CheckResult.from_findings(NAME, [Finding(status, text)], records, found)

    if lookup.failed:
        return result(
            UNKNOWN,
            Text(
                _(
                    "Der DKIM-Schlüssel unter %(name)s konnte nicht geprüft werden, weil der "
                    "DNS-Server nicht antwortete (%(error)s). Bitte versuchen Sie es später "
                    "nochmals."
                ),
                {"name": name, "error": lookup.error},
            ),
        )
    found = list(lookup.records) if lookup.outcome == ANSWER else []
    if not found:
        return result(
            ERROR,
            Text(
                _(
                    "Unter %(name)s ist kein DKIM-Schlüssel veröffentlicht. Ohne ihn können "
                    "Empfänger die Signatur Ihrer Nachrichten nicht prüfen, und DMARC schlägt "
                    "leichter fehl."
                ),
                {"name": name},
            ),
        )
    removals = [Record(name, "TXT", v, action=REMOVE) for v in found]
    if len(found) > 1:
        return result(
            ERROR,
            Text(
                _(
                    "Unter %(name)s stehen %(count)d TXT-Einträge; erlaubt ist genau einer. "
                    "Empfänger können die Signatur deshalb nicht sicher prüfen."
                ),
                {"name": name, "count": len(found)},
            ),
            publish + removals,
            found,
        )
    try:
        tags = dict(parse_tags(found[0]))
    except ValueError as exc:
        return result(
            ERROR,
            Text(
                _("Der DKIM-Eintrag ist nicht lesbar: „%(part)s“ ist kein Tag=Wert-Paar."),
                {"part": str(exc)},
            ),
            publish + removals,
            found,
        )
    if tags.get("v", "DKIM1") != "DKIM1" or tags.get("k", "rsa") not in ("rsa", "ed25519"):
        return result(
            ERROR,
            Text(
                _(
                    "Der DKIM-Eintrag hat eine ungültige Version oder Schlüsselart (v=%(v)s, "
                    "k=%(k)s)."
                ),
                {"v": tags.get("v", ""), "k": tags.get("k", "")},
            ),
            publish + removals,
            found,
        )
    if "p" not in tags:
        return result(
            ERROR,
            Text(_("Dem DKIM-Eintrag fehlt der Schlüssel (das Tag p=).")),
            publish + removals,
            found,
        )
    if tags["p"] == "":
        return result(
            ERROR,
            Text(
                _(
                    "Der DKIM-Schlüssel ist widerrufen (p= ist leer). Empfänger behandeln "
                    "signierte Nachrichten, als wären sie nicht signiert."
                )
            ),
            publish + removals,
            found,
        )
    published = _decode(tags["p"])
    usable = False
    if published is not None:
        try:
            load_der_public_key(published)
            usable = True
        except (ValueError, TypeError):
            usable = False
    if not usable:
        return result(
            ERROR,
            Text(
                _(
                    "Der veröffentlichte DKIM-Schlüssel ist beschädigt (kein gültiger "
                    "öffentlicher Schlüssel). Oft wurde er beim Kopieren abgeschnitten."
                )
            ),
            publish + removals,
            found,
        )
    if public_key and published != _decode(public_key):
        return result(
            ERROR,
            Text(
                _(
                    "Unter %(name)s steht ein anderer Schlüssel als der Ihres E-Mail-Dienstes "
                    "(z. B. ein alter). Unsere Signaturen werden deshalb abgelehnt. Ersetzen Sie "
                    "ihn durch den folgenden Eintrag."
                ),
                {"name": name},
            ),
            publish + removals,
            found,
        )
    flags = tags.get("t", "").split(":")
    if "y" in flags:
        return result(
            WARNING,
            Text(
                _(
                    "Der DKIM-Schlüssel ist im Testmodus (t=y): Empfänger dürfen die Signatur "
                    "ignorieren. Entfernen Sie „t=y“, sobald alles funktioniert."
                )
            ),
            publish + removals,
            found,
        )
    if not public_key:
        return result(
            OK,
            Text(
                _(
                    "Unter %(name)s ist ein gültiger DKIM-Schlüssel veröffentlicht (ohne "
                    "E-Mail-Dienst bei uns kann er nicht verglichen werden)."
                ),
                {"name": name},
            ),
            [],
            found,
        )
    return result(
        OK,
        Text(_("Der DKIM-Schlüssel ist korrekt veröffentlicht."), {}),
        publish,
        found,
    )
