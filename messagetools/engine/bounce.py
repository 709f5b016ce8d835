"""The bounce explainer: reads a delivery status notification (RFC 3464) or a pasted bounce
text, finds the SMTP and enhanced status codes (RFC 3463) and the remote server's words, and
says in plain words what happened and what to do."""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from messagetools.engine.parsing import (
    NotAMessage,
    address,
    header,
    iter_parts,
    parse_message,
    part_text,
)
from messagetools.engine.statuscodes import describe_enhanced, describe_smtp

MAX_INPUT = 2_000_000

_SMTP_AND_ENHANCED = re.compile(r"(?<![\d.])([245]\d\d)[ -]+#?([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
_ENHANCED = re.compile(r"(?<![\d.\w])([245]\.\d{1,3}\.\d{1,3})(?![\d.])")
# A bare SMTP code only where a reply starts: line start, after "said:" or a field's ";".
_SMTP_ALONE = re.compile(r"(?im)(?:^\s*|said:\s*|;\s*)([45][0-5]\d)(?=[ -][A-Za-z<#(\[])")


@dataclass
class Recipient:
    address: str = ""
    action: str = ""
    status: str = ""
    smtp_code: str = ""
    diagnostic: str = ""
    remote_mta: str = ""


@dataclass
class BounceExplanation:
    kind: str = "unknown"
    smtp_code: str = ""
    enhanced_code: str = ""
    remote_text: str = ""
    temporary: bool = False
    is_dsn: bool = False
    recipients: list[Recipient] = field(default_factory=list)
    original_sender: str = ""
    original_subject: str = ""
    mentioned_addresses: list[str] = field(default_factory=list)
    title: str = ""
    explanation: str = ""
    advice: str = ""
    code_meaning: str = ""
    guide_slug: str = ""
    shows_limits: bool = False

    @property
    def found_anything(self) -> bool:
        return bool(self.smtp_code or self.enhanced_code or self.kind != "unknown")

    def as_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


# Patterns of the remote server's words, checked in order; each names a kind.
_KIND_RULES: list[tuple[str, re.Pattern, tuple[str, ...]]] = [
    (
        "spam_rejected",
        re.compile(
            r"(?i)headers? rule filter|spam message rejected|rejected as spam|"
            r"message (?:is |was )?(?:considered|classified|identified) as spam|spam detected|"
            r"content rejected|looks like spam|high spam score|suspected spam|unsolicited"
        ),
        (),
    ),
    (
        "sending_limit",
        re.compile(
            r"(?i)(?:sending|send|message|recipient|rate|hourly|daily|24 ?h)\w* ?(?:limit|quota)|"
            r"limit (?:exceeded|reached)|too many (?:messages|mails|recipients|connections)|"
            r"rate.?limit|throttl|exceeded .{0,30}(?:messages|recipients)|versandlimit"
        ),
        (),
    ),
    (
        "auth_failed",
        re.compile(r"(?i)\bspf\b|\bdmarc\b|\bdkim\b|sender policy framework|unauthenticated email"),
        ("7.23", "7.24", "7.26"),
    ),
    (
        "blocklisted",
        re.compile(
            r"(?i)block ?list|black ?list|listed (?:at|in|on)|spamhaus|poor reputation|"
            r"ip .{0,20}blocked"
        ),
        (),
    ),
    (
        "greylisted",
        re.compile(r"(?i)grey ?list|gray ?list|try again later|please retry later"),
        (),
    ),
    (
        "relay_denied",
        re.compile(
            r"(?i)relay(?:ing)? (?:access )?(?:denied|not permitted|prohibited)|"
            r"authentication required|must authenticate"
        ),
        ("7.8", "7.9"),
    ),
    (
        "no_such_user",
        re.compile(
            r"(?i)user unknown|unknown user|no such user|does not exist|doesn't exist|"
            r"mailbox (?:not found|unavailable)|recipient (?:address )?rejected|invalid recipient|"
            r"address rejected|not a valid mailbox|unbekannt"
        ),
        ("1.1", "1.6", "2.1"),
    ),
    (
        "domain_not_found",
        re.compile(
            r"(?i)host (?:or domain name )?not found|domain not found|no mx|"
            r"name service error|nxdomain"
        ),
        ("1.2", "1.10", "4.4", "7.27"),
    ),
    (
        "mailbox_full",
        re.compile(
            r"(?i)mailbox (?:is )?full|over ?quota|quota exceeded|"
            r"insufficient (?:storage|space)|postfach voll"
        ),
        ("2.2", "3.1"),
    ),
    (
        "message_too_big",
        re.compile(
            r"(?i)message (?:size )?(?:exceeds|too (?:big|large))|size limit|message is too big"
        ),
        ("2.3", "3.4"),
    ),
    (
        "timeout",
        re.compile(
            r"(?i)timed? ?out|delivery time expired|retry time(?:out)? (?:exceeded|expired)|"
            r"could not be delivered within"
        ),
        ("4.1", "4.2", "4.7"),
    ),
]


def _texts(kind: str) -> tuple[str, str, str]:
    """(title, explanation, advice) of a kind, in the active language."""
    texts = {
        "spam_rejected": (
            _("Vom Spam-Filter abgewiesen"),
            _(
                "Der empfangende Server hat Ihre Nachricht für Spam gehalten und abgewiesen. "
                "Typische Gründe: spam-typische Wörter, eine ungewöhnliche Signatur, fehlerhafte "
                "Links, ein Anhang mit gesperrter Endung (auch in einem Archiv) oder ein "
                "fehlender bzw. falscher SPF-Eintrag Ihrer Domain."
            ),
            _(
                "Prüfen Sie die Nachricht mit der Nachrichtenprüfung, beheben Sie die gefundenen "
                "Punkte und senden Sie sie erneut. Dateien mit gesperrter Endung verschicken Sie "
                "besser als Download-Link."
            ),
        ),
        "sending_limit": (
            _("Versandlimit erreicht"),
            _(
                "Ihr Konto hat in den letzten 24 Stunden so viele Nachrichten verschickt, wie "
                "Ihr Angebot erlaubt. Jeder Empfänger zählt einzeln (An, Cc und Bcc). Die "
                "Nachricht wurde zurückgestellt, nicht verloren."
            ),
            _(
                "Warten Sie, bis wieder Kontingent frei ist; der Server versucht es von selbst "
                "erneut. Für Sendungen an viele Empfänger ist das Newsletter-Werkzeug das "
                "richtige Produkt. Ihren aktuellen Verbrauch sehen Sie auf der Seite Versandlimits."
            ),
        ),
        "auth_failed": (
            _("Echtheitsprüfung (SPF/DKIM/DMARC) fehlgeschlagen"),
            _(
                "Der Empfänger konnte nicht bestätigen, dass Ihr Server für Ihre Domain senden "
                "darf: der SPF-Eintrag fehlt oder ist falsch, oder DKIM/DMARC passen nicht."
            ),
            _(
                "Lassen Sie die automatische Diagnose Ihres E-Mail-Dienstes laufen und "
                "veröffentlichen Sie die DNS-Einträge, die sie anzeigt."
            ),
        ),
        "blocklisted": (
            _("Absender-Server gesperrt"),
            _(
                "Der Empfänger lehnt Nachrichten des sendenden Servers wegen einer Sperrliste "
                "oder eines schlechten Rufs ab."
            ),
            _(
                "Schicken Sie uns diese Unzustellbarkeitsmeldung über den Support; wir klären "
                "die Sperre mit dem Betreiber der Liste."
            ),
        ),
        "greylisted": (
            _("Vorübergehend zurückgestellt (Greylisting)"),
            _(
                "Der Empfänger weist Nachrichten unbekannter Absender beim ersten Versuch "
                "vorübergehend ab, um Spam zu bremsen."
            ),
            _("Nichts zu tun: unser Server versucht es automatisch erneut."),
        ),
        "relay_denied": (
            _("Anmeldung beim Postausgangsserver fehlt"),
            _(
                "Der Server hat die Nachricht nicht weitergeleitet, weil sich Ihr Mailprogramm "
                "nicht angemeldet hat (SMTP-Authentifizierung) oder falsche Zugangsdaten nutzt."
            ),
            _(
                "Aktivieren Sie im Mailprogramm beim Postausgang die Anmeldung mit denselben "
                "Daten wie beim Posteingang (volle E-Mail-Adresse und Mail-Passwort), Port 465, "
                "SSL/TLS."
            ),
        ),
        "no_such_user": (
            _("Empfängeradresse existiert nicht"),
            _("Die Adresse, an die Sie geschrieben haben, gibt es beim Empfänger nicht."),
            _(
                "Prüfen Sie die Schreibweise der Adresse (Tippfehler, Punkt, Bindestrich) oder "
                "fragen Sie den Empfänger auf anderem Weg nach seiner aktuellen Adresse."
            ),
        ),
        "domain_not_found": (
            _("Empfängerdomain nicht gefunden"),
            _(
                "Für die Domain der Empfängeradresse gibt es keinen Mailserver (kein MX-Eintrag) "
                "oder die Domain existiert nicht."
            ),
            _("Prüfen Sie den Teil nach dem @ auf Tippfehler."),
        ),
        "mailbox_full": (
            _("Postfach des Empfängers voll"),
            _("Das Postfach des Empfängers hat keinen Platz mehr."),
            _(
                "Versuchen Sie es später noch einmal oder informieren Sie den Empfänger auf "
                "anderem Weg."
            ),
        ),
        "message_too_big": (
            _("Nachricht zu gross"),
            _("Die Nachricht ist grösser, als der empfangende Server annimmt."),
            _(
                "Verschicken Sie grosse Dateien als Download-Link (Webspace oder "
                "Dateiübertragungsdienst) statt als Anhang."
            ),
        ),
        "timeout": (
            _("Zielserver nicht erreichbar"),
            _(
                "Der Server des Empfängers hat über längere Zeit nicht geantwortet; die "
                "Zustellung wurde aufgegeben oder wird weiter versucht."
            ),
            _(
                "Versuchen Sie es später erneut. Hält das Problem an, liegt es beim Empfänger: "
                "informieren Sie ihn auf anderem Weg."
            ),
        ),
    }
    if kind in texts:
        return texts[kind]
    return (
        _("Unzustellbare Nachricht"),
        _(
            "Die Nachricht wurde nicht zugestellt. Die Codes unten sagen, in welchem Bereich "
            "das Problem liegt."
        ),
        _(
            "Lesen Sie die Antwort des Empfängerservers unten. Hilft das nicht weiter, senden Sie "
            "die Meldung an unseren Support."
        ),
    )


GUIDES = {
    "spam_rejected": "spam-abgelehnt",
    "sending_limit": "versandlimits",
    "auth_failed": "dns-eintraege",
    "relay_denied": "mailclient-einrichten",
}


def _classify(text: str, enhanced: str, smtp: str) -> str:
    detail = ".".join(enhanced.split(".")[1:]) if enhanced else ""
    for kind, pattern, details in _KIND_RULES:
        if kind == "sending_limit" and enhanced and not enhanced.startswith(("4.", "5.")):
            continue
        if pattern.search(text):
            return kind
        if detail and detail in details:
            return kind
    if smtp == "554" and not enhanced:
        return "spam_rejected" if re.search(r"(?i)spam|reject", text) else "unknown"
    return "unknown"


def _line_with(text: str, needle: str) -> str:
    """The reply line(s) around a code: multi-line SMTP replies (`550-…`) are joined."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if needle in line:
            code = needle[:3]
            out = [line.strip()]
            for following in lines[index + 1 : index + 6]:
                stripped = following.strip()
                if stripped.startswith(code) or (following[:1] in " \t" and stripped):
                    out.append(stripped)
                else:
                    break
            return " ".join(out)[:600]
    return ""


_DIAGNOSTIC = re.compile(r"(?im)^diagnostic-code:\s*(?:[\w-]+\s*;)?\s*(.+(?:\n[ \t]+.+)*)")
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")


def _diagnostic_line(text: str) -> str:
    """A pasted DSN's Diagnostic-Code field (the remote server's words), unfolded."""
    match = _DIAGNOSTIC.search(text)
    return " ".join(match.group(1).split())[:1000] if match else ""


def _codes(text: str) -> tuple[str, str]:
    match = _SMTP_AND_ENHANCED.search(text)
    if match:
        return match.group(1), match.group(2)
    enhanced = _ENHANCED.search(text)
    smtp = _SMTP_ALONE.search(text)
    return (smtp.group(1) if smtp else ""), (enhanced.group(1) if enhanced else "")


def _dsn_recipients(message) -> tuple[list[Recipient], str, str, str]:
    """(recipients, human-readable text, original sender, original subject) of a DSN."""
    recipients: list[Recipient] = []
    human: list[str] = []
    sender = subject = ""
    for part in iter_parts(message):
        ctype = part.content_type
        if ctype == "message/delivery-status":
            recipients.extend(_parse_status_fields(part.message))
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            text, _unknown = part_text(part.message)
            sender = sender or address(_field(text, "from"))
            subject = subject or _field(text, "subject")
        elif ctype == "text/plain" and not part.is_attachment:
            text, _unknown = part_text(part.message)
            human.append(text)
    # message/delivery-status parts are multipart-like for the stdlib: walk them directly.
    for sub in message.walk():
        if sub.get_content_type() == "message/delivery-status" and not recipients:
            recipients.extend(_parse_status_fields(sub))
        if sub.get_content_type() == "message/rfc822" and not sender:
            payload = sub.get_payload()
            if isinstance(payload, list) and payload:
                sender = address(header(payload[0], "from"))
                subject = header(payload[0], "subject")
    return recipients, "\n".join(human), sender, subject


def _field(text: str, name: str) -> str:
    match = re.search(rf"(?im)^{name}:\s*(.+)$", text)
    return match.group(1).strip()[:300] if match else ""


def _parse_status_fields(part) -> list[Recipient]:
    blocks = part.get_payload()
    if not isinstance(blocks, list):
        return []
    recipients = []
    for block in blocks[1:] if len(blocks) > 1 else blocks:
        recipient = _value(block, "final-recipient") or _value(block, "original-recipient")
        if not recipient and not _value(block, "status"):
            continue
        diagnostic = _value(block, "diagnostic-code")
        smtp, enhanced = _codes(diagnostic)
        recipients.append(
            Recipient(
                address=recipient,
                action=_value(block, "action").lower(),
                status=_value(block, "status") or enhanced,
                smtp_code=smtp,
                diagnostic=diagnostic[:1000],
                remote_mta=_value(block, "remote-mta"),
            )
        )
    return recipients[:100]


def _value(block, name: str) -> str:
    """A DSN field without its type prefix (`rfc822;`, `smtp;`, `dns;`)."""
    raw = header(block, name).strip()
    if ";" in raw and re.match(r"^[\w-]+\s*;", raw):
        raw = raw.split(";", 1)[1]
    return " ".join(raw.split())


def explain_bounce(text_or_bytes: str | bytes) -> BounceExplanation:
    """Explains a bounce given as message bytes (.eml) or as pasted text."""
    data = (
        text_or_bytes.encode("utf-8", errors="replace")
        if isinstance(text_or_bytes, str)
        else text_or_bytes
    )[:MAX_INPUT]
    result = BounceExplanation()
    full_text = data.decode("utf-8", errors="replace")
    search_text = full_text
    try:
        message = parse_message(data)
    except NotAMessage:
        message = None
    if message is not None:
        recipients, human, sender, subject = _dsn_recipients(message)
        result.recipients = recipients
        result.is_dsn = bool(recipients)
        result.original_sender = sender
        result.original_subject = subject
        body_texts = [human] + [r.diagnostic for r in recipients]
        search_text = "\n".join(t for t in body_texts if t) or full_text
        if not result.original_sender:
            # A bounce is addressed to the sender of the failed message.
            result.original_sender = address(header(message, "to"))
    if result.recipients and any(r.diagnostic or r.status for r in result.recipients):
        first = next(r for r in result.recipients if r.diagnostic or r.status)
        result.smtp_code = first.smtp_code
        result.enhanced_code = first.status if _ENHANCED.fullmatch(first.status) else ""
        result.remote_text = first.diagnostic
    if not result.smtp_code and not result.enhanced_code:
        result.smtp_code, result.enhanced_code = _codes(search_text)
        if not (result.smtp_code or result.enhanced_code):
            result.smtp_code, result.enhanced_code = _codes(full_text)
    if not result.remote_text:
        result.remote_text = _diagnostic_line(search_text) or _diagnostic_line(full_text)
    if not result.remote_text:
        combined = _SMTP_AND_ENHANCED.search(search_text)
        needle = combined.group(0) if combined else result.enhanced_code or result.smtp_code
        if needle:
            result.remote_text = _line_with(search_text, needle) or _line_with(full_text, needle)
    if not result.remote_text and re.search(r"(?i)spam message rejected", full_text):
        result.remote_text = "Spam Message Rejected"
    result.mentioned_addresses = list(dict.fromkeys(m.lower() for m in _EMAIL.findall(full_text)))[
        :20
    ]
    classify_on = " ".join([result.remote_text, search_text[:20000]])
    result.kind = _classify(classify_on, result.enhanced_code, result.smtp_code)
    first_digit = (result.enhanced_code or result.smtp_code)[:1]
    result.temporary = first_digit == "4"
    if result.kind == "sending_limit" and first_digit == "5":
        result.temporary = False
    result.title, result.explanation, result.advice = (str(t) for t in _texts(result.kind))
    meanings = []
    if result.smtp_code:
        meanings.append(f"{result.smtp_code}: {describe_smtp(result.smtp_code)}")
    if result.enhanced_code:
        meanings.append(f"{result.enhanced_code}: {describe_enhanced(result.enhanced_code)}")
    result.code_meaning = "\n".join(meanings)
    result.guide_slug = GUIDES.get(result.kind, "")
    result.shows_limits = result.kind == "sending_limit"
    return result
