"""Who may log in to the DAV server: the pure decision, tested without sockets or Radicale.

The portal is the only source of truth: a login is the full address and its mail password,
checked against the same `{ARGON2ID}` hash Dovecot reads (the `mailstack_passdb` view), on
every request, so a changed password or a disabled/deleted address takes effect at once.
Only the Argon2 computation is remembered for a while, keyed by the stored hash itself.
Failed logins are limited per address and per client in fixed windows, like the portal's
login form (allauth's `login_failed` notation, e.g. `"10/m/ip,5/5m/key"`); the same wrong
password repeated by a stale device counts once, so only guessing fills the window.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SCOPES = ("ip", "key")

# Outcomes of a login (the reason is logged; the client only sees 401 or success).
OK = "ok"
OK_CACHED = "ok-cached"
MALFORMED = "malformed"
LIMITED = "rate-limited"
REFUSED = "refused"


@dataclass(frozen=True)
class Rule:
    """At most `limit` failed logins per `period` seconds for one client ("ip") or one
    address ("key")."""

    limit: int
    period: int
    scope: str


def parse_period(text: str) -> int:
    """`"m"` -> 60, `"5m"` -> 300 (allauth's notation)."""
    number, unit = text[:-1], text[-1:]
    if unit not in PERIODS:
        raise ValueError(f"unknown period unit in {text!r}")
    return (int(number) if number else 1) * PERIODS[unit]


def parse_rules(spec: str) -> tuple[Rule, ...]:
    """`"10/m/ip,5/5m/key"` -> two rules; raises ValueError on anything else."""
    rules = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            limit, period, scope = part.split("/")
            rule = Rule(int(limit), parse_period(period), scope)
        except ValueError as exc:
            raise ValueError(f"bad rate {part!r}: expected COUNT/PERIOD/ip|key") from exc
        if rule.scope not in SCOPES or rule.limit <= 0:
            raise ValueError(f"bad rate {part!r}: expected COUNT/PERIOD/ip|key")
        rules.append(rule)
    return tuple(rules)


def normalize_login(login: str) -> str | None:
    """The address as the mail stack spells it (lower case, IDNA domain), or None if the
    login cannot be one of our addresses."""
    login = login.strip().lower()
    local, at, domain = login.rpartition("@")
    if not at or not local or not domain or len(login) > 320:
        return None
    if any(c in login for c in "/\\\0 \t\r\n%:") or login.count("@") != 1:
        return None
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return f"{local}@{domain}"


class FailureStore(Protocol):
    """Where failed logins are counted (the Django cache in the server, a dict in tests)."""

    def counts(self, keys: list[str]) -> dict[str, int]: ...

    def add_distinct(self, key: str, member: str, ttl: int) -> None:
        """Counts `member` once under `key` for `ttl` seconds."""


class MemoryFailureStore:
    """A FailureStore in process memory (tests, the benchmark)."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self._clock = clock
        self._members: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    def counts(self, keys):
        now = self._clock()
        with self._lock:
            return {
                k: sum(1 for exp in self._members.get(k, {}).values() if exp > now) for k in keys
            }

    def add_distinct(self, key, member, ttl):
        with self._lock:
            self._members.setdefault(key, {})[member] = self._clock() + ttl


class FailureLimiter:
    """Fixed windows of failed logins per address and per client."""

    def __init__(self, rules: tuple[Rule, ...], store: FailureStore, clock=time.time):
        self.rules = rules
        self.store = store
        self.clock = clock

    def _keys(self, *, login: str, client: str) -> list[tuple[Rule, str]]:
        now = int(self.clock())
        keys = []
        for rule in self.rules:
            value = login if rule.scope == "key" else client
            hashed = hashlib.sha256(value.encode()).hexdigest()[:32]
            keys.append(
                (rule, f"davlogin:{rule.scope}:{rule.period}:{now // rule.period}:{hashed}")
            )
        return keys

    def blocked(self, *, login: str, client: str) -> bool:
        keys = self._keys(login=login, client=client)
        if not keys:
            return False
        counts = self.store.counts([k for _rule, k in keys])
        return any(counts.get(k, 0) >= rule.limit for rule, k in keys)

    def record_failure(self, *, login: str, client: str, attempt: str) -> None:
        """`attempt` identifies the (address, password) pair without revealing it."""
        for rule, key in self._keys(login=login, client=client):
            self.store.add_distinct(key, attempt, rule.period + 1)


@dataclass(frozen=True)
class Outcome:
    user: str  # the principal name ("" when refused)
    reason: str


def _database_app_lookup(address: str, password: str) -> tuple[int, str] | None:
    """The app password (id, stored hash) the typed password would be, if it allows DAV."""
    from mailservices.dav.selectors import app_passdb_row

    return app_passdb_row(address, password)


def _database_app_use(app_password_id: int, address: str, client: str) -> None:
    from mailservices.apppasswords.keys import Use
    from mailservices.apppasswords.services import app_password_record_use

    app_password_record_use(
        use=Use(app_password_id=app_password_id, login=address, ip=client or None, service="dav")
    )


class Authenticator:
    """Decides one DAV login. `lookup(address)` returns the stored hash of an address that
    may log in now with its mail password (None otherwise); `app_lookup(address, password)`
    the (id, stored hash) of the one app password allowing DAV the typed password could be
    (mailservices.apppasswords: found by its lookup key); `verify(password, stored)` is the
    Argon2 check; `on_app_use(id, address, client)` remembers an app password's last use."""

    # The last use of an app password is written at most this often per client.
    USE_RECORD_SECONDS = 60

    def __init__(
        self,
        *,
        lookup: Callable[[str], str | None],
        verify: Callable[[str, str], bool],
        limiter: FailureLimiter,
        cache_seconds: float = 300,
        clock: Callable[[], float] = time.monotonic,
        app_lookup: Callable[[str, str], tuple[int, str] | None] = _database_app_lookup,
        on_app_use: Callable[[int, str, str], None] = _database_app_use,
    ):
        self.lookup = lookup
        self.verify = verify
        self.limiter = limiter
        self.cache_seconds = cache_seconds
        self.clock = clock
        self.app_lookup = app_lookup
        self.on_app_use = on_app_use
        self._key = os.urandom(32)  # per process: digests below mean nothing elsewhere
        # By address (mail password) or (address, app password id).
        self._verified: dict[object, tuple[str, bytes, float]] = {}
        self._app_used: dict[tuple[int, str], float] = {}

    def _digest(self, login: str, password: str) -> bytes:
        return hmac.new(self._key, f"{login}\0{password}".encode(), hashlib.sha256).digest()

    def _cached(self, key, stored: str, digest: bytes) -> bool:
        cached = self._verified.get(key)
        return (
            cached is not None
            and cached[0] == stored
            and hmac.compare_digest(cached[1], digest)
            and cached[2] > self.clock()
        )

    def _remember(self, key, stored: str, digest: bytes) -> None:
        if self.cache_seconds > 0:
            self._verified[key] = (stored, digest, self.clock() + self.cache_seconds)

    def _app_success(self, app_id: int, address: str, client: str, reason: str) -> Outcome:
        last = self._app_used.get((app_id, client))
        now = self.clock()
        if last is None or now - last >= self.USE_RECORD_SECONDS:
            self._app_used[(app_id, client)] = now
            self.on_app_use(app_id, address, client)
        return Outcome(address, reason)

    def login(self, login: str, password: str, *, client: str) -> Outcome:
        address = normalize_login(login)
        if address is None or not password:
            return Outcome("", MALFORMED)
        if self.limiter.blocked(login=address, client=client):
            return Outcome("", LIMITED)
        stored = self.lookup(address)
        digest = self._digest(address, password)
        if stored and self._cached(address, stored, digest):
            return Outcome(address, OK_CACHED)
        # An app password before the mail password's Argon2: a device with an app password
        # then costs one cached comparison per request, not a failed Argon2 check first.
        app = self.app_lookup(address, password)
        if app is not None:
            app_id, app_stored = app
            if self._cached((address, app_id), app_stored, digest):
                return self._app_success(app_id, address, client, OK_CACHED)
            if self.verify(password, app_stored):
                self._remember((address, app_id), app_stored, digest)
                return self._app_success(app_id, address, client, OK)
        if stored and self.verify(password, stored):
            self._remember(address, stored, digest)
            return Outcome(address, OK)
        self._verified.pop(address, None)
        self.limiter.record_failure(login=address, client=client, attempt=digest.hex())
        return Outcome("", REFUSED)
