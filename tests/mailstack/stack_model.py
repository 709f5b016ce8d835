"""What Postfix and Dovecot make of a recipient, computed from the lookup views.

A model of the stack's decisions over the real views and the real map queries (the text
`mailstack_config` writes): envelope syntax, virtual domains, the access checks, virtual
alias expansion with `recipient_delimiter = +` and the catch-all wildcard, the mailbox
table, and the responder's own-address check done by the Sieve script. The end-to-end tests
check that the real daemons behave so; this model lets every routing case run fast, on
SQLite as on PostgreSQL.
"""

import re
from dataclasses import dataclass, field

import idna
from django.db import connection

from mailservices.mailstack import lookups

MAPS = {m.name: lookups.as_sql(m.query) for m in lookups.POSTFIX_MAPS}
# RFC 5321 dot-string or quoted string (Postfix accepts both; it unquotes the latter).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_STRING = re.compile(rf"^{_ATOM}(\.{_ATOM})*$")
_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"$')


@dataclass
class StackRoute:
    action: str  # "deliver" | "reject"
    mailboxes: list[str] = field(default_factory=list)
    forwards: list[str] = field(default_factory=list)
    caught: bool = False  # reached the mailbox through the catch-all wildcard
    responder_may_reply: bool = False
    reason: str = ""


def _rows(sql: str, key: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        return [row[0] for row in cursor.fetchall()]


def envelope_recipient(raw: str) -> str | None:
    """The recipient as Postfix's smtpd stores it after `RCPT TO:<raw>`, or None (501).

    Models what an upstream MTA sends with SMTPUTF8 off: an IDN domain as A-label.
    """
    value = (raw or "").strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    if "@" not in value or any(ch.isspace() for ch in value):
        return None
    local, domain = value.rsplit("@", 1)
    quoted = _QUOTED.match(local)
    if quoted:
        local = re.sub(r"\\(.)", r"\1", quoted.group(1))
    elif not _DOT_STRING.match(local):
        return None
    domain = domain.rstrip(".")
    try:
        domain = idna.encode(domain.lower(), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None
    if not domain or not local:
        return None
    return f"{local}@{domain}".lower()  # Postfix folds table keys to lower case


def _split(address: str) -> tuple[str, str, str]:
    local, domain = address.rsplit("@", 1)
    user, plus, ext = local.partition("+")
    if not user:  # Postfix does not split when nothing would be left before the delimiter
        return local, "", domain
    return user, (plus + ext) if plus else "", domain


def _access_keys(address: str) -> list[str]:
    user, ext, domain = _split(address)
    keys = [address]
    if ext:
        keys.append(f"{user}@{domain}")
    return keys


def _check_recipient(address: str) -> str | None:
    """smtpd_recipient_restrictions: the reason for a reject, or None."""
    domain = address.rsplit("@", 1)[1]
    if not _rows(MAPS["virtual_mailbox_domains"], domain):
        return "relay_denied"
    if _rows(MAPS["local_domain_class"], domain):
        for rule in lookups.RECIPIENT_SYNTAX:
            if bool(re.search(rule.pattern, address, re.IGNORECASE)) != rule.negate:
                return "syntax"
    for key in _access_keys(address):
        if _rows(MAPS["recipient_access"], key):
            return "access"
    return None


def _virtual_lookup(address: str) -> tuple[list[str], bool] | None:
    user, ext, domain = _split(address)
    keys = [address] + ([f"{user}@{domain}"] if ext else [])
    for key in keys:
        found = _rows(MAPS["virtual_alias_maps"], key)
        if found:
            return found, False
    found = _rows(MAPS["virtual_alias_maps"], f"@{domain}")
    return (found, True) if found else None


def _expand(address: str, depth: int = 0) -> tuple[list[str], bool]:
    """Virtual alias expansion: final addresses and whether the wildcard was used first."""
    looked = _virtual_lookup(address)
    if looked is None:
        return [address], False
    results, wildcard = looked
    final = []
    for result in results:
        if result == address or _split(result)[0::2] == _split(address)[0::2] or depth > 10:
            final.append(result)
        else:
            final.extend(_expand(result, depth + 1)[0])
    return final, wildcard


def _is_mailbox(address: str) -> bool:
    return any(_rows(MAPS["virtual_mailbox_maps"], key) for key in _access_keys(address))


def _plain(address: str) -> str:
    user, _, domain = _split(address)
    return f"{user}@{domain}"


def _responder(mailbox: str, original: str, *, now) -> bool:
    if now is None:
        sql, params = lookups.as_sql(lookups.userdb_query()), [mailbox]
    else:
        sql = lookups.as_sql(lookups.userdb_query(now="\x01")).replace("\x01", "%s")
        at = connection.ops.adapt_datetimefield_value(now)
        params = [at, at, mailbox]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [col[0] for col in cursor.description]
        row = cursor.fetchone()
    if row is None:
        return False
    user = dict(zip(columns, row, strict=True))
    # The Sieve script: active responder, and the sender wrote one of the mailbox's names.
    return (
        user["sieve_env_mailstack_responder"] == "yes"
        and f",{_plain(original)}," in user["sieve_env_mailstack_own_addresses"]
    )


def stack_route(raw: str, *, now=None) -> StackRoute:
    """What the stack does with mail for `raw` (responder window evaluated at `now`)."""
    address = envelope_recipient(raw)
    if address is None:
        return StackRoute("reject", reason="syntax")
    reason = _check_recipient(address)
    if reason:
        return StackRoute("reject", reason=reason)
    final, caught = _expand(address)
    mailboxes, forwards = [], []
    for result in final:
        if _rows(MAPS["virtual_mailbox_domains"], result.rsplit("@", 1)[1]):
            if not _is_mailbox(result):
                continue  # a virtual address with no mailbox: bounced
            mailboxes.append(_plain(result))
        else:
            forwards.append(result)
    if not mailboxes and not forwards:
        return StackRoute("reject", reason="unknown")
    may_reply = len(mailboxes) == 1 and _responder(mailboxes[0], address, now=now)
    return StackRoute("deliver", sorted(set(mailboxes)), sorted(set(forwards)), caught, may_reply)
