"""Where mail for a recipient goes, as Python: the executable model of the mail stack's rules.

Postfix and Dovecot do not call this module: they read the SQL lookups of
`mailservices.mailstack` (views made in migrations). This model states the rules once in
plain code, and the tests (`tests/mailstack/test_lookups.py`, the stack end-to-end test) check
the SQL lookups answer every case of `tests/mailservices/routing_cases.py` as `route()` does.

The rules: the exact address, then an alias, then the domain's catch-all, else reject. Local
parts are case-insensitive and `user+tag@` is delivered as `user@`. A disabled address rejects
(it does not fall through to the catch-all). A responder on the catch-all answers only mail
addressed to `catchall@` itself, never mail that reached it for a missing address
(docs/product.md §2).
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import idna
from django.utils import timezone

from mailservices.models import CATCHALL_LOCAL_PART, Address, MailService
from mailservices.validators import LOCAL_PART_RE

Action = Literal["deliver", "reject"]
Via = Literal["address", "alias", "catchall"]


@dataclass
class Route:
    action: Action
    address: Address | None = None
    mailboxes: list[str] = field(default_factory=list)
    forwards: list[str] = field(default_factory=list)
    via: Via | None = None
    responder_may_reply: bool = False
    reason: str = ""


def _reject(reason: str) -> Route:
    return Route(action="reject", reason=reason)


def split_recipient(recipient: str) -> tuple[str, str] | None:
    """(local part without +tag, A-label domain), both lower case; None if malformed."""
    value = (recipient or "").strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    if value.count("@") != 1:
        return None
    local, domain = value.rsplit("@", 1)
    if len(local) >= 2 and local[0] == local[-1] == '"':
        # A quoted local part means the same as its unquoted text (RFC 5321 4.1.2), as in
        # Postfix: "anna"@ is anna@; the text must still be a valid local part below.
        local = re.sub(r"\\(.)", r"\1", local[1:-1])
    local = local.lower().split("+", 1)[0]
    domain = domain.rstrip(".")
    if not domain or any(ch.isspace() for ch in value) or not LOCAL_PART_RE.match(local):
        return None
    if len(local) > 64:
        return None
    try:
        domain = idna.encode(domain.lower(), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None
    return local, domain


def responder_is_active(address: Address, *, now: datetime) -> bool:
    responder = getattr(address, "responder", None)
    if responder is None or not responder.enabled:
        return False
    if responder.starts_at > now:
        return False
    return responder.ends_at is None or now < responder.ends_at


def _deliver(address: Address, *, via: Via, service: MailService, now: datetime) -> Route:
    if not address.enabled:
        return _reject("address_disabled")
    forwards = [forward.destination for forward in address.forwards.all()]
    mailboxes = []
    if address.kind == Address.Kind.MAILBOX:
        mailboxes = [f"{address.local_part}@{service.domain.name}"]
    if not mailboxes and not forwards:
        return _reject("no_destination")
    may_reply = via != "catchall" and responder_is_active(address, now=now)
    return Route(
        action="deliver",
        address=address,
        mailboxes=mailboxes,
        forwards=forwards,
        via=via,
        responder_may_reply=may_reply,
    )


def route(recipient: str, *, now: datetime | None = None) -> Route:
    """Decides what happens to mail for `recipient` (an address typed in any case/IDN form)."""
    now = now or timezone.now()
    parts = split_recipient(recipient)
    if parts is None:
        return _reject("malformed")
    local, domain = parts
    service = (
        MailService.objects.select_related("domain")
        .filter(domain__name=domain, status=MailService.Status.ACTIVE)
        .first()
    )
    if service is None:
        return _reject("unknown_domain")

    addresses = Address.objects.select_related("responder").prefetch_related("forwards")
    # One query for the exact address and the catch-all, which are both often needed.
    candidates = {
        a.local_part: a
        for a in addresses.filter(service=service, local_part__in={local, CATCHALL_LOCAL_PART})
    }
    if local in candidates:
        return _deliver(candidates[local], via="address", service=service, now=now)

    aliased = addresses.filter(service=service, aliases__local_part=local).first()
    if aliased is not None:
        return _deliver(aliased, via="alias", service=service, now=now)

    if service.is_paid and CATCHALL_LOCAL_PART in candidates:
        return _deliver(candidates[CATCHALL_LOCAL_PART], via="catchall", service=service, now=now)
    return _reject("unknown_address")


# Headers that mark automatic, list or bulk mail: a responder never answers those (RFC 3834).
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post", "list-help", "mailing-list")
_NO_REPLY_SENDERS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "bounce")


def responder_may_answer_message(*, headers: dict[str, str], sender: str) -> bool:
    """False for mail a responder must never answer: lists, bulk, automatic replies, bounces."""
    lowered = {key.lower(): (value or "").strip().lower() for key, value in headers.items()}
    if not sender or "@" not in sender:
        return False  # the null sender <> (bounces) or garbage
    if any(name in lowered for name in _LIST_HEADERS):
        return False
    if lowered.get("precedence") in {"bulk", "list", "junk"}:
        return False
    if lowered.get("auto-submitted", "no") != "no":
        return False
    if "x-auto-response-suppress" in lowered and lowered["x-auto-response-suppress"] in {
        "all",
        "oof",
        "autoreply",
    }:
        return False
    local = sender.strip("<>").split("@", 1)[0].lower()
    return not any(local.startswith(prefix) for prefix in _NO_REPLY_SENDERS)
