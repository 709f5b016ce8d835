"""Postfix's SMTP access policy delegation protocol, without any I/O.

A request is `name=value` lines ended by an empty line; the answer is `action=...` and an
empty line. This module parses requests, decides which counter a request concerns and
formats the answers; quotas.policyd does the networking, quotas.counters the counting.
"""

import ipaddress
from dataclasses import dataclass, field

from quotas.limits import Channel

DUNNO = "DUNNO"
MAX_REQUEST_BYTES = 64 * 1024


class ProtocolError(ValueError):
    """The client sent something that is not a policy request."""


@dataclass(frozen=True)
class PolicyRequest:
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def state(self) -> str:
        return self.attrs.get("protocol_state", "").upper()

    @property
    def instance(self) -> str:
        return self.attrs.get("instance", "")

    @property
    def sasl_username(self) -> str:
        return self.attrs.get("sasl_username", "").strip().lower()

    @property
    def sender(self) -> str:
        return self.attrs.get("sender", "").strip().lower()

    @property
    def client_address(self) -> str:
        return self.attrs.get("client_address", "")

    @property
    def recipient_count(self) -> int:
        try:
            return max(0, int(self.attrs.get("recipient_count", "0")))
        except ValueError:
            return 0


def parse_request(block: bytes) -> PolicyRequest:
    """Parses one request block (without its terminating empty line)."""
    attrs: dict[str, str] = {}
    for raw in block.split(b"\n"):
        line = raw.rstrip(b"\r")
        if not line:
            continue
        name, sep, value = line.partition(b"=")
        if not sep or not name:
            raise ProtocolError(f"not an attribute line: {line[:80]!r}")
        attrs[name.decode("ascii", "replace")] = value.decode("utf-8", "replace")
    if attrs.get("request") != "smtpd_access_policy":
        raise ProtocolError("missing request=smtpd_access_policy")
    return PolicyRequest(attrs)


def format_response(action: str) -> bytes:
    # A newline inside the action would end the answer early; Postfix allows one line.
    line = " ".join(action.split())
    return f"action={line}\n\n".encode()


@dataclass(frozen=True)
class Subject:
    """Whose limit a request counts against: the sender identity and the sending channel."""

    sender: str
    channel: str


def subject_of(request: PolicyRequest, *, php_mail_networks) -> Subject | None:
    """The authenticated login, or for PHP mail() from a hosting server the envelope sender.

    Anything else (mail arriving from the internet for our customers) is not outgoing mail
    of an address and is not counted.
    """
    if request.sasl_username:
        return Subject(request.sasl_username, Channel.SMTP)
    if php_mail_networks and request.client_address:
        try:
            ip = ipaddress.ip_address(request.client_address)
        except ValueError:
            return None
        if any(ip in net for net in php_mail_networks):
            return Subject(request.sender or f"<>@{ip}", Channel.PHP_MAIL)
    return None


def parse_networks(values) -> list:
    return [ipaddress.ip_network(v, strict=False) for v in values]


def deferral(*, sender: str, limit: int, page_url: str) -> str:
    """The 4xx answer over the limit: names the address, the limit and the portal page.

    SMTP replies stay ASCII (mail clients show them verbatim) and the service does not know
    who reads them, so the text is English with the keyword in the portal's other languages
    (German, French, Italian); the page explains the rest in the customer's language.
    """
    return (
        "450 4.7.1 Sending limit reached (Versandlimit erreicht / limite d'envoi atteinte / "
        f"limite di invio raggiunto): {sender} may send to at most {limit} recipients within "
        f"24 hours. Details: {page_url}"
    )


def temporary_failure() -> str:
    """The answer when the counters cannot be reached: try later, never send unlimited."""
    return "451 4.3.0 Sending limit check temporarily unavailable, please try again later"
