"""Resolvers for the diagnosis: fresh for every run, never caching, optionally pinned.

`make_resolver(None)` uses the system's resolvers; `make_resolver("127.0.0.1:5353")` sends
every question to that server only. A `ResolverSource` answers the checks' questions one at
a time and remembers answers for the length of one run only, so a re-check right after a
fix sees the fix. `fetch_into()` fills an `AnswerBook` concurrently through an
`asyncdns.DnsClient` (used by the batch path and bench/diagnose.py).
"""

from __future__ import annotations

import asyncio
import copy
import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.flags
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
    POLICY,
    SIGNED_SUFFIX,
    SMTP_CERT,
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


def signed_lookup(name: str, rdtype: str, response) -> Lookup:
    """A "<TYPE>+DO" lookup from a response asked with the DO bit: every answer record of
    `name` as "<TYPE> <rdata>" (the RRSIGs too), and "AD" when the resolver set that bit."""
    owner = dns.name.from_text(normalize_name(name) + ".")
    lines, has_type = [], False
    for rrset in response.answer:
        if rrset.name != owner:
            continue
        kind = dns.rdatatype.to_text(rrset.rdtype)
        has_type = has_type or kind == rdtype
        lines += [f"{kind} {rdata.to_text()}" for rdata in rrset]
    if response.flags & dns.flags.AD:
        lines.append("AD")
    return Lookup(name, rdtype + SIGNED_SUFFIX, ANSWER if has_type else NODATA, tuple(lines))


def _dnssec_resolver(resolver):
    asking = copy.copy(resolver)
    asking.use_edns(0, dns.flags.DO, 1232)
    return asking


def resolve_signed(resolver, name: str, rdtype: str, *, lifetime: float | None = None) -> Lookup:
    """`name`'s `rdtype` records with their signatures (see `signed_lookup`)."""
    name = normalize_name(name)
    try:
        answer = _dnssec_resolver(resolver).resolve(
            name + ".", rdtype, raise_on_no_answer=False, search=False, lifetime=lifetime
        )
    except _EXPECTED as exc:
        failure = _failure(name, rdtype, exc)
        return Lookup(name, rdtype + SIGNED_SUFFIX, failure.outcome, error=failure.error)
    return signed_lookup(name, rdtype, answer.response)


@dataclass(frozen=True)
class PolicyAccess:
    """How MTA-STS policies are fetched: the HTTPS port (443; tests use another) and the
    TLS context (the system's CAs, or PORTAL_DIAGNOSIS_CA_FILE)."""

    port: int
    context: object
    smtp_port: int = 25

    @classmethod
    def from_settings(cls) -> PolicyAccess:
        from mailservices.diagnosis import policyfetch
        from mailservices.diagnosis.app_settings import app_settings

        return cls(
            app_settings.MTA_STS_PORT,
            policyfetch.tls_context(app_settings.CA_FILE),
            app_settings.SMTP_PORT,
        )


def policy_address(address_lookups) -> str | None:
    """The first address of `mta-sts.<domain>` (IPv4 first), from its A and AAAA lookups."""
    for lookup in address_lookups:
        if lookup.outcome == ANSWER and lookup.records:
            return lookup.records[0]
    return None


class ResolverSource:
    """Answers questions through a resolver, remembering them for one run only.

    All questions together get `budget` seconds: each is asked with the lifetime left (at
    most the resolver's own), and once the budget is spent the rest fail as time-outs
    without being sent. `clock` is for tests.
    """

    def __init__(
        self,
        resolver=None,
        *,
        budget: float | None = RUN_BUDGET,
        clock=time.monotonic,
        policy_access: PolicyAccess | None = None,
    ):
        self.resolver = resolver if resolver is not None else make_resolver(None)
        self.answers: dict[tuple[str, str], Lookup] = {}
        self.clock = clock
        self.deadline = None if budget is None else clock() + budget
        self.policy_access = policy_access

    def lookup(self, name: str, rdtype: str) -> Lookup:
        key = (normalize_name(name), rdtype)
        if key not in self.answers:
            self.answers[key] = self._ask(*key)
        return self.answers[key]

    def _ask(self, name: str, rdtype: str) -> Lookup:
        if rdtype == POLICY:
            return self._fetch_policy(name)
        if rdtype == SMTP_CERT:
            return self._fetch_certificate(name)
        ask = resolve
        if rdtype.endswith(SIGNED_SUFFIX):
            ask, rdtype = resolve_signed, rdtype.removesuffix(SIGNED_SUFFIX)
        if self.deadline is None:
            return ask(self.resolver, name, rdtype)
        remaining = self.deadline - self.clock()
        if remaining <= 0:
            return Lookup(name, rdtype, FAILURE, error="timeout")
        lifetime = min(remaining, getattr(self.resolver, "lifetime", LIFETIME) or LIFETIME)
        return ask(self.resolver, name, rdtype, lifetime=lifetime)

    def _fetch_policy(self, host: str) -> Lookup:
        """The policy over HTTPS, from the address this run's DNS gave for `host`, within
        what is left of the run's budget."""
        from mailservices.diagnosis import policyfetch

        address = policy_address([self.lookup(host, "A"), self.lookup(host, "AAAA")])
        if address is None:
            return Lookup(host, POLICY, FAILURE, error="no-address")
        access = self.policy_access or PolicyAccess.from_settings()
        timeout = policyfetch.TIMEOUT
        if self.deadline is not None:
            timeout = min(timeout, self.deadline - self.clock())
        return policyfetch.fetch(
            host, address, port=access.port, context=access.context, timeout=timeout
        )

    def _fetch_certificate(self, host: str) -> Lookup:
        """The certificate MX `host` shows after STARTTLS, within the run's budget."""
        from mailservices.diagnosis import smtpcert

        address = policy_address([self.lookup(host, "A"), self.lookup(host, "AAAA")])
        if address is None:
            return Lookup(host, SMTP_CERT, FAILURE, error="no-address")
        access = self.policy_access or PolicyAccess.from_settings()
        timeout = smtpcert.TIMEOUT
        if self.deadline is not None:
            timeout = min(timeout, self.deadline - self.clock())
        return smtpcert.fetch(host, address, port=access.smtp_port, timeout=timeout)

    def lookup_many(self, keys: Iterable[tuple[str, str]]) -> list[Lookup]:
        return [self.lookup(n, t) for n, t in keys]


class AsyncExtras:
    """The batch path's answers to what `DnsClient` does not ask: DNSSEC questions (with
    dnspython's asyncio resolver, pinned like the client), MTA-STS policies (HTTPS) and MX
    certificates (STARTTLS)."""

    def __init__(self, nameserver: str | None, policy_access: PolicyAccess | None = None):
        self.resolver = _dnssec_resolver(
            _configure(dns.asyncresolver.Resolver(configure=nameserver is None), nameserver)
        )
        self.policy_access = policy_access or PolicyAccess.from_settings()

    async def ask(self, book: AnswerBook, name: str, rdtype: str) -> Lookup:
        if rdtype == POLICY:
            return await self._fetch_policy(book, name)
        if rdtype == SMTP_CERT:
            return await self._fetch_certificate(book, name)
        base = rdtype.removesuffix(SIGNED_SUFFIX)
        try:
            answer = await self.resolver.resolve(
                name + ".", base, raise_on_no_answer=False, search=False
            )
        except _EXPECTED as exc:
            failure = _failure(name, base, exc)
            return Lookup(name, rdtype, failure.outcome, error=failure.error)
        return signed_lookup(name, base, answer.response)

    async def _fetch_policy(self, book: AnswerBook, host: str) -> Lookup:
        from mailservices.diagnosis import policyfetch

        # The check asked for the addresses before the policy: they are in the book.
        address = policy_address(
            [book.answers.get((host, kind)) or Lookup(host, kind, NODATA) for kind in ("A", "AAAA")]
        )
        if address is None:
            return Lookup(host, POLICY, FAILURE, error="no-address")
        access = self.policy_access
        return await policyfetch.fetch_async(
            host, address, port=access.port, context=access.context
        )

    async def _fetch_certificate(self, book: AnswerBook, host: str) -> Lookup:
        from mailservices.diagnosis import smtpcert

        address = policy_address(
            [book.answers.get((host, kind)) or Lookup(host, kind, NODATA) for kind in ("A", "AAAA")]
        )
        if address is None:
            return Lookup(host, SMTP_CERT, FAILURE, error="no-address")
        return await smtpcert.fetch_async(host, address, port=self.policy_access.smtp_port)


def is_extra(rdtype: str) -> bool:
    """A question `DnsClient` does not ask (see `AsyncExtras`)."""
    return rdtype in (POLICY, SMTP_CERT) or rdtype.endswith(SIGNED_SUFFIX)


async def fetch_into(
    book: AnswerBook, client, keys: Iterable[tuple[str, str]], extras: AsyncExtras | None = None
) -> None:
    """Asks all `keys` at once through `client` (an `asyncdns.DnsClient`, which bounds the
    questions in flight) and `extras` (DNSSEC and MTA-STS questions), and files the answers."""
    keys = set(keys)
    special = sorted(k for k in keys if is_extra(k[1]))
    plain = [k for k in keys if not is_extra(k[1])]
    if special and extras is None:
        raise ValueError("DNSSEC and MTA-STS questions need `extras`")
    lookups, others = await asyncio.gather(
        client.ask_many(plain) if plain else _nothing(),
        asyncio.gather(*(extras.ask(book, n, t) for n, t in special)) if special else _nothing(),
    )
    for lookup in [*lookups, *others]:
        book.add(lookup)


async def _nothing() -> list:
    return []
