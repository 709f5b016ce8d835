"""What a phishing report keeps of a message: headers, Received chain, sender addresses,
every URL and every attachment's name and SHA-256 (for the abuse team)."""

import hashlib
import re
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from messagetools.engine import links as link_rules
from messagetools.engine.filenames import display_name
from messagetools.engine.parsing import (
    address,
    all_headers,
    domain_of,
    header,
    headers,
    iter_parts,
    parse_message,
    part_text,
    payload_bytes,
)

MAX_URLS = 500
MAX_ATTACHMENTS = 100
MAX_RECEIVED = 50


@dataclass
class ReportData:
    subject: str = ""
    from_header: str = ""
    from_address: str = ""
    reply_to: str = ""
    return_path: str = ""
    message_id: str = ""
    date: str = ""
    headers: list = field(default_factory=list)
    received: list = field(default_factory=list)
    urls: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    signals: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


_RECEIVED_PARTS = {
    "from": re.compile(r"(?i)\bfrom\s+([^\s;()]+)"),
    "by": re.compile(r"(?i)\bby\s+([^\s;()]+)"),
    "with": re.compile(r"(?i)\bwith\s+([^\s;()]+)"),
    "id": re.compile(r"(?i)\bid\s+([^\s;()]+)"),
    "for": re.compile(r"(?i)\bfor\s+<?([^\s;()<>]+)>?"),
}
_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]{3,45})\]")


def parse_received(value: str) -> dict:
    """One Received header as {from, by, with, id, for, ip, date, raw}."""
    hop = {"raw": value[:2000]}
    clauses, _sep, date = value.rpartition(";")
    if not _sep:
        clauses, date = value, ""
    for key, pattern in _RECEIVED_PARTS.items():
        match = pattern.search(clauses)
        hop[key] = match.group(1)[:255] if match else ""
    ip = _IP.search(clauses)
    hop["ip"] = ip.group(1) if ip else ""
    hop["date"] = " ".join(date.split())[:100]
    return hop


def extract_report(data: bytes) -> ReportData:
    """Everything staff need from a suspicious message. Raises `NotAMessage`."""
    message = parse_message(data)
    report = ReportData(
        subject=header(message, "subject")[:998],
        from_header=header(message, "from")[:998],
        reply_to=header(message, "reply-to")[:998],
        return_path=header(message, "return-path")[:998],
        message_id=header(message, "message-id")[:998],
        date=header(message, "date")[:200],
        headers=all_headers(message),
    )
    report.from_address = address(report.from_header)
    report.received = [parse_received(v) for v in headers(message, "received")[:MAX_RECEIVED]]

    seen_urls: set[str] = set()
    for part in iter_parts(message):
        if part.is_attachment and len(report.attachments) < MAX_ATTACHMENTS:
            payload = payload_bytes(part.message)
            report.attachments.append(
                {
                    "filename": display_name(part.names[0]) if part.names else "",
                    "content_type": part.content_type,
                    "size": len(payload),
                    "sha256": hashlib.sha256(payload).hexdigest(),
                }
            )
        if part.content_type in ("text/html", "text/plain"):
            text, _unknown = part_text(part.message)
            if part.content_type == "text/html":
                found = link_rules.scan_html(text[:2_000_000]).links
            else:
                found = link_rules.text_links(text[:2_000_000])
            for link in found:
                url = link.href.strip()[:2000]
                if not url or url.startswith(("#", "cid:")) or url in seen_urls:
                    continue
                if len(report.urls) >= MAX_URLS:
                    break
                seen_urls.add(url)
                report.urls.append(
                    {"url": url, "text": link.text[:300], "host": link_rules.host_of(url)}
                )
    report.signals = _signals(report)
    return report


def _signals(report: ReportData) -> list[str]:
    """Hints for staff: reply or bounce addresses in another domain, lying link texts."""
    signals = []
    from_domain = domain_of(report.from_address)
    reply_domain = domain_of(address(report.reply_to))
    return_domain = domain_of(address(report.return_path))
    if from_domain and reply_domain and reply_domain != from_domain:
        signals.append(
            _("Antworten gehen an eine andere Domain (%(reply)s) als der Absender (%(sender)s).")
            % {"reply": reply_domain, "sender": from_domain}
        )
    if from_domain and return_domain and return_domain != from_domain:
        signals.append(
            _("Return-Path (%(path)s) und Absender (%(sender)s) gehören zu anderen Domains.")
            % {"path": return_domain, "sender": from_domain}
        )
    for url in report.urls:
        lie = link_rules.mismatch(link_rules.Link(url["url"], url["text"], "html"))
        if lie:
            signals.append(
                _("Link zeigt „%(shown)s“, führt aber zu „%(target)s“.")
                % {"shown": lie[0], "target": lie[1]}
            )
    return signals[:50]
