"""Resolvers for the diagnosis: fresh for every run, never caching, optionally pinned.

`make_resolver(None)` uses the system's resolvers; `make_resolver("127.0.0.1:5353")` sends
every question to that server only. A `ResolverSource` answers the checks' questions one at
a time and remembers answers for the length of one run only, so a re-check right after a
fix sees the fix. `fetch_into()` fills an `AnswerBook` concurrently with dnspython's asyncio
resolver (used by the batch path and bench/diagnose.py).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable

import dns.asyncquery
import dns.asyncresolver
import dns.exception
import dns.inet
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

from mailservices.diagnosis.dns import (
    ANSWER,
    FAILURE,
    NODATA,
    NXDOMAIN,
    AnswerBook,
    Lookup,
    normalize_name,
)

TIMEOUT = 2.0  # seconds per try
LIFETIME = 5.0  # seconds per question, all tries


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


def make_async_resolver(
    nameserver: str | None = None, *, reuse_sockets: bool = False
) -> dns.asyncresolver.Resolver:
    """The asyncio twin of `make_resolver`.

    `reuse_sockets`: UDP questions go through a pool of open sockets instead of a new
    socket (and asyncio transport) per question, which is most of the cost of a question
    on a busy machine. For batch runs; close them with `close_sockets(resolver)`.
    """
    resolver = _configure(dns.asyncresolver.Resolver(configure=nameserver is None), nameserver)
    if reuse_sockets:
        resolver.nameservers = [
            PooledUdpNameserver(ns.address, ns.port)
            if isinstance(ns, dns.nameserver.Do53Nameserver)
            else PooledUdpNameserver(str(ns), resolver.port)
            for ns in resolver.nameservers
        ]
    return resolver


class PooledUdpNameserver(dns.nameserver.Do53Nameserver):
    """A plain DNS server asked over UDP sockets that are reused between questions.

    A socket serves one question at a time; answers that arrive late for an earlier
    question are skipped by their id (dnspython's ignore_unexpected). TCP (after a
    truncated answer) opens its own connection as usual.
    """

    def __init__(self, address: str, port: int = 53):
        super().__init__(address, port)
        self._idle: list = []
        self._all: list = []

    async def async_query(
        self,
        request,
        timeout,
        source,
        source_port,
        max_size,
        backend,
        one_rr_per_rrset=False,
        ignore_trailing=False,
    ):
        if max_size:  # TCP: nothing to pool
            return await super().async_query(
                request,
                timeout,
                source,
                source_port,
                max_size,
                backend,
                one_rr_per_rrset,
                ignore_trailing,
            )
        if self._idle:
            sock = self._idle.pop()
        else:
            family = dns.inet.af_for_address(self.address)
            sock = await backend.make_socket(family, socket.SOCK_DGRAM)
            self._all.append(sock)
        try:
            response = await dns.asyncquery.udp(
                request,
                self.address,
                timeout=timeout,
                port=self.port,
                sock=sock,
                raise_on_truncation=True,
                one_rr_per_rrset=one_rr_per_rrset,
                ignore_trailing=ignore_trailing,
                ignore_errors=True,
                ignore_unexpected=True,
            )
        except BaseException:
            # A socket whose question failed may still receive its late answer; replace it.
            self._all.remove(sock)
            await sock.close()
            raise
        self._idle.append(sock)
        return response

    async def close(self) -> None:
        for sock in self._all:
            await sock.close()
        self._all, self._idle = [], []


async def close_sockets(resolver) -> None:
    for ns in resolver.nameservers:
        if isinstance(ns, PooledUdpNameserver):
            await ns.close()


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


def _failure(name: str, rdtype: str, exc: Exception) -> Lookup:
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


def resolve(resolver, name: str, rdtype: str) -> Lookup:
    name = normalize_name(name)
    try:
        answer = resolver.resolve(name + ".", rdtype, raise_on_no_answer=False, search=False)
    except _EXPECTED as exc:
        return _failure(name, rdtype, exc)
    return _to_lookup(name, rdtype, answer)


async def resolve_async(resolver, name: str, rdtype: str) -> Lookup:
    name = normalize_name(name)
    try:
        answer = await resolver.resolve(name + ".", rdtype, raise_on_no_answer=False, search=False)
    except _EXPECTED as exc:
        return _failure(name, rdtype, exc)
    return _to_lookup(name, rdtype, answer)


class ResolverSource:
    """Answers questions through a resolver, remembering them for one run only."""

    def __init__(self, resolver=None):
        self.resolver = resolver if resolver is not None else make_resolver(None)
        self.answers: dict[tuple[str, str], Lookup] = {}

    def lookup(self, name: str, rdtype: str) -> Lookup:
        key = (normalize_name(name), rdtype)
        if key not in self.answers:
            self.answers[key] = resolve(self.resolver, key[0], rdtype)
        return self.answers[key]

    def lookup_many(self, keys: Iterable[tuple[str, str]]) -> list[Lookup]:
        return [self.lookup(n, t) for n, t in keys]


async def fetch_into(
    book: AnswerBook, resolver, keys: Iterable[tuple[str, str]], limit: asyncio.Semaphore
) -> None:
    """Asks all `keys` concurrently (at most `limit` at once) and files the answers."""

    async def one(name, rdtype):
        async with limit:
            book.add(await resolve_async(resolver, name, rdtype))

    await asyncio.gather(*(one(n, t) for n, t in set(keys)))
