"""Resolvers for the diagnosis: fresh for every run, never caching, optionally pinned.

`make_resolver(None)` uses the system's resolvers; `make_resolver("127.0.0.1:5353")` sends
every question to that server only. A `ResolverSource` answers the checks' questions one at
a time and remembers answers for the length of one run only, so a re-check right after a
fix sees the fix. `fetch_into()` fills an `AnswerBook` concurrently through an
`asyncdns.DnsClient` (used by the batch path and bench/diagnose.py).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.inet
import dns.message
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from mailservices.diagnosis.dns import (
    ANSWER,
    FAILURE,
    LOOP,
    NODATA,
    NXDOMAIN,
    AnswerBook,
    Lookup,
    normalize_name,
)

TIMEOUT = 2.0  # seconds per try
LIFETIME = 5.0  # seconds per question, all tries
# Seconds of DNS for one whole single run (all checks, one question after another): a name
# server that never answers makes every check "unknown" within this, not after each of
# some ten questions used up its own lifetime (45 s before this bound).
RUN_BUDGET = 8.0


def parse_nameserver(nameserver: str) -> tuple[str, int]:
    """`HOST`, `HOST:PORT`, `[V6]:PORT` or a bare IPv6 address -> (ip, port)."""
    text = nameserver.strip()
    if not text:
        raise ValueError("empty name server")
    host, port = text, 53
    if text.startswith("["):
        host, closed, rest = text[1:].partition("]")
        if not closed:
            raise ValueError(f"bad name server: {nameserver}")
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"bad name server: {nameserver}")
            port = int(rest[1:])
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        port = int(port_text)
    if not 0 < port < 65536:
        raise ValueError(f"bad port: {port}")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        # A host name: resolve it once, with the system resolver.
        host = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0][4][0]
    return host, port


def _configure(resolver, nameserver: str | None):
    if nameserver:
        host, port = parse_nameserver(nameserver)
        resolver.nameservers = [host]
        resolver.port = port
    resolver.cache = None
    resolver.timeout = TIMEOUT
    resolver.lifetime = LIFETIME
    resolver.retry_servfail = False
    return resolver


def make_resolver(nameserver: str | None = None) -> dns.resolver.Resolver:
    """A new synchronous resolver without cache; `nameserver` ("HOST:PORT") pins it."""
    return _configure(dns.resolver.Resolver(configure=nameserver is None), nameserver)


def _record_text(rdata) -> str:
    if rdata.rdtype == dns.rdatatype.TXT:
        return b"".join(rdata.strings).decode("utf-8", errors="replace")
    if rdata.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
        return rdata.address
    if rdata.rdtype in (dns.rdatatype.CNAME, dns.rdatatype.PTR):
        return rdata.target.to_text()
    return rdata.to_text()


def _to_lookup(name: str, rdtype: str, answer) -> Lookup:
    canonical = normalize_name(answer.canonical_name.to_text())
    canonical = "" if canonical == normalize_name(name) else canonical
    if answer.rrset is None:
        return Lookup(name, rdtype, NODATA, canonical_name=canonical)
    return Lookup(
        name,
        rdtype,
        ANSWER,
        tuple(_record_text(r) for r in answer.rrset),
        canonical_name=canonical,
    )


def cname_loop(name: str, rdtype: str, message) -> Lookup | None:
    """A `LOOP` lookup if the CNAMEs of `message` lead from `name` back to a name already
    on the way (dnspython gives up on such a reply as a "chain too long"), else None."""
    targets = {}
    for rrset in message.answer:
        if rrset.rdtype == dns.rdatatype.CNAME and len(rrset):
            targets[normalize_name(rrset.name.to_text())] = normalize_name(
                rrset[0].target.to_text()
            )
    chain = [normalize_name(name)]
    while chain[-1] in targets:
        following = targets[chain[-1]]
        if following in chain:
            return Lookup(chain[0], rdtype, LOOP, (*chain[chain.index(following) :], following))
        chain.append(following)
    return None


def _failure(name: str, rdtype: str, exc: Exception) -> Lookup:
    if isinstance(exc, dns.resolver.NoNameservers):
        # A server whose reply dnspython rejected because of a CNAME loop: say so.
        for *_server, error, response in exc.kwargs.get("errors") or ():
            if isinstance(error, dns.message.ChainTooLong) and response is not None:
                loop = cname_loop(name, rdtype, response)
                if loop is not None:
                    return loop
    if isinstance(exc, dns.resolver.NXDOMAIN):
        return Lookup(name, rdtype, NXDOMAIN)
    if isinstance(exc, dns.resolver.NoAnswer):
        return Lookup(name, rdtype, NODATA)
    if isinstance(exc, dns.exception.Timeout):
        return Lookup(name, rdtype, FAILURE, error="timeout")
    if isinstance(exc, dns.resolver.NoNameservers):
        return Lookup(name, rdtype, FAILURE, error="servfail")
    if isinstance(exc, dns.name.LabelTooLong | dns.name.NameTooLong | dns.name.EmptyLabel):
        return Lookup(name, rdtype, NXDOMAIN, error="invalid name")
    return Lookup(name, rdtype, FAILURE, error=type(exc).__name__)


_EXPECTED = (dns.exception.DNSException, OSError)


def resolve(resolver, name: str, rdtype: str, *, lifetime: float | None = None) -> Lookup:
    """One question; `lifetime` (seconds, all tries) shortens the resolver's own."""
    name = normalize_name(name)
    try:
        answer = resolver.resolve(
            name + ".", rdtype, raise_on_no_answer=False, search=False, lifetime=lifetime
        )
    except _EXPECTED as exc:
        return _failure(name, rdtype, exc)
    return _to_lookup(name, rdtype, answer)


class ResolverSource:
    """Answers questions through a resolver, remembering them for one run only.

    All questions together get `budget` seconds: each is asked with the lifetime left (at
    most the resolver's own), and once the budget is spent the rest fail as time-outs
    without being sent. `clock` is for tests.
    """

    def __init__(self, resolver=None, *, budget: float | None = RUN_BUDGET, clock=time.monotonic):
        self.resolver = resolver if resolver is not None else make_resolver(None)
        self.answers: dict[tuple[str, str], Lookup] = {}
        self.clock = clock
        self.deadline = None if budget is None else clock() + budget

    def lookup(self, name: str, rdtype: str) -> Lookup:
        key = (normalize_name(name), rdtype)
        if key not in self.answers:
            self.answers[key] = self._ask(*key)
        return self.answers[key]

    def _ask(self, name: str, rdtype: str) -> Lookup:
        if self.deadline is None:
            return resolve(self.resolver, name, rdtype)
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            return Lookup(name, rdtype, FAILURE, error="timeout")
        lifetime = min(remaining, getattr(self.resolver, "lifetime", LIFETIME) or LIFETIME)
        return resolve(self.resolver, name, rdtype, lifetime=lifetime)

    def lookup_many(self, keys: Iterable[tuple[str, str]]) -> list[Lookup]:
        return [self.lookup(n, t) for n, t in keys]


async def fetch_into(book: AnswerBook, client, keys: Iterable[tuple[str, str]]) -> None:
    """Asks all `keys` at once through `client` (an `asyncdns.DnsClient`, which bounds the
    questions in flight) and files the answers."""
    for lookup in await client.ask_many(list(set(keys))):
        book.add(lookup)
