"""The pure login decision (mailservices.dav.login): no sockets, no Radicale, no database."""

import pytest

from mailservices.dav.login import (
    LIMITED,
    MALFORMED,
    OK,
    OK_CACHED,
    REFUSED,
    Authenticator,
    FailureLimiter,
    MemoryFailureStore,
    Rule,
    normalize_login,
    parse_rules,
)


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


class World:
    """Stored hashes by address, and a counting verifier ("hash:" + password)."""

    def __init__(self):
        self.hashes = {"anna@beispiel.ch": "hash:richtig-123"}
        # App passwords allowing DAV: (address, password) -> (id, stored hash); the real
        # lookup finds the row by its lookup key (mailservices.apppasswords.keys).
        self.app_passwords = {}
        self.used = []
        self.verified = 0

    def lookup(self, address):
        return self.hashes.get(address)

    def app_lookup(self, address, password):
        return self.app_passwords.get((address, password))

    def app_use(self, app_id, address, client):
        self.used.append((app_id, address, client))

    def verify(self, password, stored):
        self.verified += 1
        return stored == "hash:" + password


@pytest.fixture
def world():
    return World()


@pytest.fixture
def clock():
    return Clock()


def make(world, clock, spec="10/m/ip,5/5m/key", cache_seconds=300):
    limiter = FailureLimiter(parse_rules(spec), MemoryFailureStore(clock), clock)
    return Authenticator(
        lookup=world.lookup,
        verify=world.verify,
        limiter=limiter,
        cache_seconds=cache_seconds,
        clock=clock,
        app_lookup=world.app_lookup,
        on_app_use=world.app_use,
    )


def test_parse_rules_reads_allauths_notation():
    assert parse_rules("10/m/ip,5/5m/key") == (Rule(10, 60, "ip"), Rule(5, 300, "key"))
    assert parse_rules("") == ()
    for bad in ("10/m", "x/m/ip", "10/5y/ip", "10/m/user", "0/m/ip"):
        with pytest.raises(ValueError):
            parse_rules(bad)


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        ("Anna@Beispiel.CH", "anna@beispiel.ch"),
        (" anna@beispiel.ch ", "anna@beispiel.ch"),
        ("anna@bücher.ch", "anna@xn--bcher-kva.ch"),
        ("anna", None),
        ("@beispiel.ch", None),
        ("anna@", None),
        ("a@b@c.ch", None),
        ("../x@beispiel.ch", None),
        ("anna@beispiel.ch/kalender", None),
    ],
)
def test_normalize_login(login, expected):
    assert normalize_login(login) == expected


def test_right_password_then_cached_until_the_stored_hash_changes(world, clock):
    auth = make(world, clock)
    assert auth.login("anna@beispiel.ch", "richtig-123", client="192.0.2.1").reason == OK
    assert auth.login("anna@beispiel.ch", "richtig-123", client="192.0.2.1").reason == OK_CACHED
    assert world.verified == 1
    world.hashes["anna@beispiel.ch"] = "hash:neu-456"  # password changed in the portal
    assert auth.login("anna@beispiel.ch", "richtig-123", client="192.0.2.1").reason == REFUSED
    assert auth.login("anna@beispiel.ch", "neu-456", client="192.0.2.1").user == "anna@beispiel.ch"


def test_cache_expires_and_can_be_off(world, clock):
    auth = make(world, clock, cache_seconds=60)
    auth.login("anna@beispiel.ch", "richtig-123", client="c")
    clock.now += 61
    assert auth.login("anna@beispiel.ch", "richtig-123", client="c").reason == OK
    off = make(world, clock, cache_seconds=0)
    off.login("anna@beispiel.ch", "richtig-123", client="c")
    assert off.login("anna@beispiel.ch", "richtig-123", client="c").reason == OK


def test_disabled_or_deleted_address_is_refused_at_once_even_when_cached(world, clock):
    auth = make(world, clock)
    assert auth.login("anna@beispiel.ch", "richtig-123", client="c").user
    del world.hashes["anna@beispiel.ch"]  # the passdb view no longer lists it
    assert auth.login("anna@beispiel.ch", "richtig-123", client="c").reason == REFUSED


def test_malformed_logins_are_refused_without_a_lookup(world, clock):
    auth = make(world, clock)
    assert auth.login("anna", "richtig-123", client="c").reason == MALFORMED
    assert auth.login("anna@beispiel.ch", "", client="c").reason == MALFORMED
    assert world.verified == 0


def test_per_address_limit_counts_distinct_passwords_only(world, clock):
    auth = make(world, clock, spec="100/m/ip,3/5m/key")
    for _ in range(10):  # a stale device repeating one old password
        auth.login("anna@beispiel.ch", "alt-2025", client="c")
    assert auth.login("anna@beispiel.ch", "richtig-123", client="c").reason == OK
    for n in range(3):  # guessing
        auth.login("anna@beispiel.ch", f"rate-{n}", client="c")
    assert auth.login("anna@beispiel.ch", "richtig-123", client="d").reason == LIMITED
    clock.now += 301
    assert auth.login("anna@beispiel.ch", "richtig-123", client="d").reason == OK


def test_per_client_limit_spans_addresses(world, clock):
    world.hashes["bruno@beispiel.ch"] = "hash:bruno-pw-1"
    auth = make(world, clock, spec="3/m/ip,100/5m/key")
    for n in range(3):
        auth.login(f"x{n}@beispiel.ch", "irgendwas", client="203.0.113.9")
    assert auth.login("bruno@beispiel.ch", "bruno-pw-1", client="203.0.113.9").reason == LIMITED
    assert auth.login("bruno@beispiel.ch", "bruno-pw-1", client="198.51.100.7").reason == OK
    clock.now += 61
    assert auth.login("bruno@beispiel.ch", "bruno-pw-1", client="203.0.113.9").user


def test_a_limited_login_does_not_verify(world, clock):
    auth = make(world, clock, spec="1/m/ip")
    auth.login("anna@beispiel.ch", "falsch", client="c")
    before = world.verified
    assert auth.login("anna@beispiel.ch", "richtig-123", client="c").reason == LIMITED
    assert world.verified == before


def test_an_app_password_logs_in_beside_the_mail_password_and_records_its_use(world, clock):
    world.app_passwords[("anna@beispiel.ch", "app-1")] = (7, "hash:app-1")
    auth = make(world, clock)
    assert auth.login("anna@beispiel.ch", "app-1", client="192.0.2.5").reason == OK
    assert auth.login("anna@beispiel.ch", "app-1", client="192.0.2.5").reason == OK_CACHED
    # One Argon2 check for the app password, none for the mail password.
    assert world.verified == 1
    assert auth.login("anna@beispiel.ch", "richtig-123", client="192.0.2.5").reason == OK
    # The last use is written once a minute per client, not on every request.
    assert world.used == [(7, "anna@beispiel.ch", "192.0.2.5")]
    auth.login("anna@beispiel.ch", "app-1", client="198.51.100.1")
    clock.now += 61
    auth.login("anna@beispiel.ch", "app-1", client="192.0.2.5")
    assert [use[2] for use in world.used] == ["192.0.2.5", "198.51.100.1", "192.0.2.5"]


def test_a_revoked_app_password_is_refused_at_once_even_when_cached(world, clock):
    world.app_passwords[("anna@beispiel.ch", "app-1")] = (7, "hash:app-1")
    auth = make(world, clock)
    assert auth.login("anna@beispiel.ch", "app-1", client="c").user
    del world.app_passwords[("anna@beispiel.ch", "app-1")]  # revoked: the view drops it
    assert auth.login("anna@beispiel.ch", "app-1", client="c").reason == REFUSED


def test_only_app_passwords_refuses_the_mail_password(world, clock):
    world.app_passwords[("anna@beispiel.ch", "app-1")] = (7, "hash:app-1")
    auth = make(world, clock)
    assert auth.login("anna@beispiel.ch", "richtig-123", client="c").user
    world.hashes["anna@beispiel.ch"] = None  # the passdb view serves no password now
    assert auth.login("anna@beispiel.ch", "richtig-123", client="c").reason == REFUSED
    assert auth.login("anna@beispiel.ch", "app-1", client="c").reason == OK
