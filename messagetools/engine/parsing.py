"""Reading messages defensively: bytes in, an EmailMessage or a clear `NotAMessage` out."""

import base64
import codecs
import email
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.header import Header, decode_header, make_header
from email.message import Message
from email.utils import collapse_rfc2231_value, getaddresses, parseaddr

from django.utils.translation import gettext as _

# Header names that make a text a mail message (at least one must be present).
MESSAGE_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "mime-version",
        "reply-to",
        "delivered-to",
        "sender",
        "x-failed-recipients",
    }
)
_FIELD = re.compile(rb"^[!-9;-~]{1,76}:")
MAX_PARTS = 500
MAX_PART_DEPTH = 20


class NotAMessage(ValueError):
    """The data is not an email message; the text says why, for the customer."""


def parse_message(data: bytes) -> Message:
    """Parses raw message bytes, refusing what clearly is no message (binary, no headers).

    The compat32 policy keeps headers as text (decoded by `header()` on demand): the default
    policy parses every header it touches and made the whole check three times slower.
    """
    if not data or not data.strip():
        raise NotAMessage(_("Der Inhalt ist leer."))
    head = data.lstrip(b"\r\n")[:65536]
    if head.startswith(b"From "):  # mbox separator line
        head = head.split(b"\n", 1)[1] if b"\n" in head else b""
    header_block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    if b"\x00" in header_block:
        raise NotAMessage(
            _("Der Inhalt besteht aus Binärdaten und ist keine E-Mail-Nachricht (.eml).")
        )
    if not _FIELD.match(head):
        raise NotAMessage(
            _(
                "Der Inhalt beginnt nicht mit E-Mail-Kopfzeilen (wie „From:“ oder "
                "„Received:“) und ist daher keine E-Mail-Nachricht (.eml)."
            )
        )
    try:
        message = email.message_from_bytes(data, policy=policy.compat32)
    except RecursionError:
        raise NotAMessage(_("Die Nachricht ist zu tief verschachtelt.")) from None
    names = {str(name).lower() for name, _value in message.raw_items()}
    if not names & MESSAGE_HEADERS:
        raise NotAMessage(
            _(
                "Es fehlen die Kopfzeilen einer E-Mail (From, To, Subject, Date …); "
                "das ist keine E-Mail-Nachricht (.eml)."
            )
        )
    return message


def header(message: Message, name: str) -> str:
    """One header as decoded text (RFC 2047 words decoded); never raises."""
    values = headers(message, name)
    return values[0] if values else ""


def headers(message: Message, name: str) -> list[str]:
    """All values of a header (e.g. every Received), as text."""
    out = []
    for key, raw in message.raw_items():
        if str(key).lower() == name.lower():
            out.append(_decode_words(str(raw)))
    return out


def all_headers(message: Message, *, limit: int = 500, value_limit: int = 8000) -> list:
    """Every header in order as [name, decoded value] (bounded for storage)."""
    return [
        [str(key)[:200], _decode_words(str(raw))[:value_limit]]
        for key, raw in list(message.raw_items())[:limit]
    ]


def _decode_words(raw) -> str:
    """RFC 2047 encoded words decoded; folding removed; raw 8-bit read as UTF-8; never raises."""
    if isinstance(raw, Header):
        raw = str(raw)
    text = str(raw).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = re.sub(r"\r?\n[ \t]+", " ", text).strip()
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # unknown charsets, broken encoded words
        return text


def address(value: str) -> str:
    """The bare address of a From/Reply-To/Return-Path value, lower case ('' if none)."""
    try:
        _name, addr = parseaddr(value)
    except Exception:
        return ""
    return addr.strip("<> ").lower()


def addresses(value: str) -> list[str]:
    try:
        return [a.lower() for _n, a in getaddresses([value]) if a]
    except Exception:
        return []


def domain_of(addr: str) -> str:
    return addr.rsplit("@", 1)[1].strip().rstrip(".").lower() if "@" in addr else ""


@dataclass
class Part:
    """A leaf part of a message with what the checks need to know about it."""

    index: int
    message: Message
    content_type: str
    names: list[str]
    is_attachment: bool


def _param_values(part: Message, param: str, header_name: str) -> list[str]:
    """Every reading of a parameter: parsed (RFC 2231/2047 decoded) and raw."""
    values: list[str] = []
    try:
        parsed = part[header_name]
        if parsed is not None and hasattr(parsed, "params"):
            value = parsed.params.get(param)
            if value:
                values.append(str(value))
    except Exception:  # noqa: S110 - an unreadable parameter is simply not a name
        pass
    try:
        raw = part.get_param(param, header=header_name)
        if raw:
            raw = collapse_rfc2231_value(raw) if isinstance(raw, tuple) else str(raw)
            values.extend([raw, _decode_words(raw)])
    except Exception:  # noqa: S110 - an unreadable parameter is simply not a name
        pass
    seen, out = set(), []
    for value in values:
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out


def content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def iter_parts(message: Message) -> Iterator[Part]:
    """Leaf parts, depth first, also inside attached messages; bounded in count and depth."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    index = 0
    while stack and index < MAX_PARTS:
        part, depth = stack.pop()
        embedded = _encoded_embedded_message(part)
        if embedded is not None and depth < MAX_PART_DEPTH:
            stack.append((embedded, depth + 1))
            continue
        if part.is_multipart():
            if depth >= MAX_PART_DEPTH:
                continue
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend((child, depth + 1) for child in reversed(payload))
            continue
        index += 1
        ctype = content_type(part)
        names = _param_values(part, "filename", "content-disposition") + _param_values(
            part, "name", "content-type"
        )
        try:
            disposition = (part.get_content_disposition() or "").lower()
        except Exception:
            disposition = ""
        is_attachment = (
            bool(names)
            or disposition == "attachment"
            or not (ctype.startswith("text/") or ctype.startswith("multipart/"))
        )
        yield Part(index, part, ctype, names, is_attachment)


def _encoded_embedded_message(part: Message) -> Message | None:
    """A message/rfc822 part sent base64- or QP-encoded (against RFC 2046, but seen in the
    wild, and a way to hide attachments): the decoded inner message, else None."""
    if content_type(part) != "message/rfc822":
        return None
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte not in ("base64", "quoted-printable"):
        return None
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if inner is None:
        return None
    try:
        text = inner.as_string() if not isinstance(inner, str) else inner
        raw = (
            base64.b64decode(re.sub(r"[^A-Za-z0-9+/=]", "", text) + "===")
            if cte == "base64"
            else quopri.decodestring(text.encode("utf-8", errors="replace"))
        )
        return parse_message(raw)
    except Exception:  # noqa: S110 - not a decodable message: treated like any other part
        return None


def payload_bytes(part: Message) -> bytes:
    """The decoded body of a part (base64/quoted-printable undone); b'' when unreadable."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return b""
    return payload if isinstance(payload, bytes) else b""


def part_text(part: Message) -> tuple[str, str | None]:
    """(text, unknown charset or None): decodes with the declared charset, else UTF-8."""
    raw = payload_bytes(part)
    try:
        charset = part.get_content_charset() or "utf-8"
    except Exception:
        charset = "utf-8"
    unknown = None
    try:
        codecs.lookup(charset)
    except LookupError:
        unknown, charset = charset, "utf-8"
    try:
        return raw.decode(charset, errors="replace"), unknown
    except Exception:  # codecs that fail even with errors="replace"
        return raw.decode("utf-8", errors="replace"), charset
