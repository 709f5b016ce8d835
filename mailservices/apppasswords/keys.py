"""App passwords without Django: generating them, their lookup key, and Dovecot's report.

Dovecot's sql passdb must get at most one row, but an address has several app passwords.
Each one is therefore stored with a short **lookup key**: the first 16 bits of
SHA-256(secret || password), which Dovecot computes from the typed password itself
(`%{sha256;truncate=16,salt=SECRET:password}` in the password query). The secret lives in
the portal's settings and Dovecot's configuration, not in the database, so the key tells a
reader of the database nothing about a password; the password itself is only stored as an
Argon2 hash (`mailservices.passwords`). Two app passwords of one address never share a key.
"""

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass

# No 0/o, 1/l/i: a generated password is typed from a screen onto a phone.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS, GROUP_LENGTH = 4, 4  # xxxx-xxxx-xxxx-xxxx: 31**16, about 79 bits
KEY_BITS = 16

# What a customer allows, and the service names Dovecot passes as `%s` for each: `imap`
# for IMAP logins, `smtp` for Postfix's SMTP AUTH over Dovecot SASL; `dav` is our own.
PROTOCOL_SERVICES = {
    "imap": ("imap",),
    "smtp": ("smtp",),
    "dav": ("dav",),
}
PROTOCOLS = tuple(PROTOCOL_SERVICES)


def generate_password() -> str:
    """A new random app password, e.g. `k7dm-xq2p-9fhw-ta4c`."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


def _as_dovecot_expands(password: str) -> str:
    """The password as Dovecot's SQL drivers hand it to `%{sha256:...}`: escaped for an SQL
    string literal first (PostgreSQL with standard_conforming_strings and SQLite both only
    double the single quote)."""
    return password.replace("'", "''")


def lookup_key(password: str, secret: str) -> str:
    """The 4 hex digits Dovecot's password query computes for `password`."""
    digest = hashlib.sha256(secret.encode() + _as_dovecot_expands(password).encode()).digest()
    return digest[: KEY_BITS // 8].hex()


def dovecot_key_expression(secret: str) -> str:
    """The same key in Dovecot's variable syntax (the salt must come last: Dovecot stops
    reading options after it)."""
    return f"%{{sha256;truncate={KEY_BITS},salt={secret}:password}}"


@dataclass(frozen=True)
class Use:
    """One successful login with an app password, as Dovecot's auth policy reports it."""

    app_password_id: int
    login: str
    ip: str | None
    service: str


def parse_report(data) -> Use | None:
    """Dovecot's `command=report` JSON (attributes from `mailstack.config`) -> a Use, or
    None for anything that is not a successful app-password login."""
    if not isinstance(data, dict) or data.get("success") is not True:
        return None
    raw_id = str(data.get("app_password") or "")
    login = str(data.get("login") or "").strip().lower()
    if not raw_id.isdigit() or not login or len(raw_id) > 18:
        return None
    try:
        ip = str(ipaddress.ip_address(str(data.get("remote") or "")))
    except ValueError:
        ip = None
    service = str(data.get("protocol") or "")[:10]
    return Use(app_password_id=int(raw_id), login=login, ip=ip, service=service)
