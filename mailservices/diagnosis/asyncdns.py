"""Many DNS questions at once through c-ares (pycares), for batch diagnoses.

`DnsClient` sends each question through one pycares `Channel`, driven from the asyncio
event loop (c-ares tells which sockets to watch; the loop hands them back when readable): a
new UDP socket (a port picked at random by the kernel) for every question (c-ares'
udp_max_queries = 1), a random message id from c-ares, TCP after a truncated reply, EDNS
and DNS cookies as c-ares sends them, and no cache (c-ares' query cache is off). c-ares'
own event thread measured 15% more CPU per question here (the GIL passed to and fro).
Replies come back as pycares' `DNSResult` (every answer record, so a CNAME with an empty
answer keeps its target) and become the `Lookup` dnspython's resolver would
give. Whatever that reading is not sure of (names dnspython would print escaped, duplicate
records, long CNAME chains or loops, records pycares does not read: DS, DNSKEY, CAA) is
asked again through dnspython's own asyncio resolver, which also takes names that are not
plain host names and the record types c-ares is not asked for.

The resolver's rules stay: 2 s at most per try (c-ares shortens it to five times a
server's measured answer time, never under 250 ms), 5 s per question, SERVFAIL is final,
a time-out is asked again (new id, new port) while the question's time lasts. One
difference: pycares gives no records with NXDOMAIN, so a broken server's NXDOMAIN that also
carries the data asked for, or a CNAME loop, is NXDOMAIN here (dnspython's resolver drops
such a server or says "loop"); real servers answer a loop with NOERROR or SERVFAIL.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import re
import threading

import dns.asyncresolver
import dns.exception
import dns.name
import dns.nameserver
import pycares
import pycares.errno
from pycares import _cares

from mailservices.diagnosis.dns import ANSWER, FAILURE, NODATA, NXDOMAIN, Lookup, normalize_name
from mailservices.diagnosis.resolver import LIFETIME, TIMEOUT, _failure, _to_lookup

# Record types read from pycares' results.
_READ = {
    "A": pycares.QUERY_TYPE_A,
    "AAAA": pycares.QUERY_TYPE_AAAA,
    "MX": pycares.QUERY_TYPE_MX,
    "TXT": pycares.QUERY_TYPE_TXT,
    "SRV": pycares.QUERY_TYPE_SRV,
    "PTR": pycares.QUERY_TYPE_PTR,
    "CNAME": pycares.QUERY_TYPE_CNAME,
    "NS": pycares.QUERY_TYPE_NS,
    "SOA": pycares.QUERY_TYPE_SOA,
    "TLSA": pycares.QUERY_TYPE_TLSA,
}
# Record types asked through c-ares but not read from pycares' results (it skips DS and
# DNSKEY records, and CAA's text is dnspython's own): an empty answer or NXDOMAIN is taken
# as it is (most domains have no DS); records are asked for again through dnspython.
_ASK_ONLY = {"DS": 43, "DNSKEY": 48, "CAA": pycares.QUERY_TYPE_CAA}
_QTYPES = {**_READ, **_ASK_ONLY}
_NOT_READ = frozenset(_ASK_ONLY.values())
_TLSA_LENGTHS = {1: 32, 2: 64}  # bytes of a SHA-256/SHA-512 match (dnspython checks them)
_CNAME = pycares.QUERY_TYPE_CNAME
_BY_VALUE = {pycares.QUERY_TYPE_A, pycares.QUERY_TYPE_AAAA, pycares.QUERY_TYPE_TXT}
_IN = pycares.QUERY_CLASS_IN
_PLAIN_NAME = re.compile(r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*\Z")
# c-ares writes "." and "\" in a label, and bytes outside printable ASCII, escaped with a
# backslash; dnspython also escapes these others. A name with any of them is left to it.
_UNSAFE = re.compile(r'[^\x21-\x7e]|["();\\@$]')
_MAX_CHAIN = 16  # CNAME hops dnspython follows (Message.resolve_chaining)

_E = pycares.errno
_FINAL = {  # c-ares' outcome for a question that is not asked again
    _E.ARES_ESERVFAIL: "servfail",
    _E.ARES_EREFUSED: "servfail",
    _E.ARES_ENOTIMP: "servfail",
    _E.ARES_EFORMERR: "servfail",
    _E.ARES_EBADRESP: "servfail",
    _E.ARES_ECONNREFUSED: "servfail",
}
_TICK = 0.25  # seconds: how late c-ares' time-outs may be handled at most
_RETRY = object()  # a try timed out: ask again while the question's time lasts
_LIFETIME_OVER = -1  # status of a try still out when the question's time ran out

# Questions sent from one UDP socket (one source port) before c-ares opens a new one. One:
# a forged reply must guess a fresh random port and id for every question. The socket per
# question costs about 50 us CPU per question here (README: 32 made the client as cheap as
# our former own one, 16 sockets each replaced after 32 questions).
QUESTIONS_PER_PORT = 1

# c-ares options pycares' Channel does not take (values from c-ares' ares.h).
_ARES_OPT_UDP_MAX_QUERIES = 1 << 19
_ARES_OPT_MAXTIMEOUTMS = 1 << 20
_ARES_OPT_QUERY_CACHE = 1 << 21


class _Channel(pycares.Channel):
    """A pycares channel with the options its constructor lacks: a new socket (a new random
    source port) per UDP question, the per-try time-out capped at `timeout`, no query cache;
    `sock_state_cb(fd, readable, writable)` says which sockets to watch.
    Everything else (queries, callbacks, closing) is pycares'. pycares is pinned: a version
    that renames what this sets fails the tests, not silently."""

    __qtypes__ = (*pycares.Channel.__qtypes__, *_ASK_ONLY.values())

    def __init__(self, servers: list[str], *, timeout: float, sock_state_cb):  # noqa: D107
        self._channel = None
        self._lock = threading.RLock()
        self._flags = pycares.ARES_FLAG_NOSEARCH | pycares.ARES_FLAG_EDNS
        ffi, lib = _cares.ffi, _cares.lib
        self._sock_state_cb_handle = ffi.new_handle(sock_state_cb)  # alive with the channel
        channel = ffi.new("ares_channel *")
        options = ffi.new("struct ares_options *")
        options.flags = self._flags
        options.ednspsz = 1232  # c-ares' default, stated since the flags are set
        options.timeout = options.maxtimeout = max(1, int(timeout * 1000))
        options.tries = 1  # one try per server; time-outs are asked again by DnsClient
        options.udp_max_queries = QUESTIONS_PER_PORT
        options.qcache_max_ttl = 0
        options.sock_state_cb = lib._sock_state_cb  # pycares' trampoline to sock_state_cb
        options.sock_state_cb_data = self._sock_state_cb_handle
        mask = (
            lib.ARES_OPT_FLAGS
            | lib.ARES_OPT_EDNSPSZ
            | lib.ARES_OPT_TIMEOUTMS
            | _ARES_OPT_MAXTIMEOUTMS
            | lib.ARES_OPT_TRIES
            | _ARES_OPT_UDP_MAX_QUERIES
            | _ARES_OPT_QUERY_CACHE
            | lib.ARES_OPT_SOCK_STATE_CB
        )
        status = lib.ares_init_options(channel, options, mask)
        if status != lib.ARES_SUCCESS:
            raise pycares.AresError(status, _E.strerror(status))
        self._channel = channel
        self.servers = servers
        pycares._shutdown_manager.start()  # as pycares' own constructor does


class _Unsure(Exception):
    """The quick reading cannot promise dnspython's result: ask dnspython."""


class _Slots:
    """At most `count` questions out at once (asyncio.Semaphore's bookkeeping, without its
    cost per acquire, which showed in the bench)."""

    def __init__(self, count: int):
        self.free = count
        self.waiters: collections.deque[asyncio.Future] = collections.deque()

    async def take(self) -> None:
        if self.free > 0 and not self.waiters:
            self.free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            await waiter  # give() hands its slot over by finishing the future
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.give()  # handed over just as we were cancelled: pass it on
            raise

    def give(self, _future=None) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1


def _server_text(server: tuple[str, int]) -> str:
    host, port = server
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class DnsClient:
    """Asks `servers` ([(ip, port)], tried in order like dnspython's resolver).

    Use as `async with DnsClient(servers) as client: lookup = await client.ask(name, type)`.
    At most `max_in_flight` questions are out at once; the others wait their turn.
    """

    def __init__(
        self,
        servers: list[tuple[str, int]],
        *,
        max_in_flight: int = 256,
        timeout: float = TIMEOUT,
        lifetime: float = LIFETIME,
    ):
        if not servers:
            raise ValueError("no name server")
        self.servers = list(servers)
        self.timeout = timeout
        self.lifetime = lifetime
        self.max_in_flight = max_in_flight
        self._channel: _Channel | None = None
        self._resolver: dns.asyncresolver.Resolver | None = None
        self._slots: _Slots | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._readers: set[int] = set()  # c-ares' sockets the loop watches
        self._writers: set[int] = set()
        self._timer: asyncio.TimerHandle | None = None  # c-ares' time-outs
        self._closed = False
        self._thread = 0  # the event loop's thread: c-ares' callbacks count only there

    @classmethod
    def for_nameserver(cls, nameserver: str | None, **kw) -> DnsClient:
        """Pinned to "HOST:PORT", or the system's name servers (as `make_resolver(None)`)."""
        from mailservices.diagnosis.resolver import make_resolver

        resolver = make_resolver(nameserver)
        servers = []
        for ns in resolver.nameservers:
            if isinstance(ns, dns.nameserver.Do53Nameserver):
                servers.append((ns.address, ns.port))
            elif isinstance(ns, str):
                servers.append((ns, resolver.nameserver_ports.get(ns, resolver.port)))
        return cls(servers, **kw)

    async def __aenter__(self) -> DnsClient:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._slots = _Slots(self.max_in_flight)
        self._channel = _Channel(
            [_server_text(s) for s in self.servers],
            timeout=self.timeout,
            sock_state_cb=self._sock_state,
        )
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(h, p) for h, p in self.servers]
        resolver.cache = None
        resolver.timeout = self.timeout
        resolver.lifetime = self.lifetime
        resolver.retry_servfail = False
        self._resolver = resolver
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        if self._channel is None:
            return
        self._channel.cancel()  # questions still out end here, as cancelled
        self._closed = True  # pycares destroys the channel on a thread: ignore what follows
        if self._timer is not None:
            self._timer.cancel()
        for fd in self._readers:
            self._loop.remove_reader(fd)
        for fd in self._writers:
            self._loop.remove_writer(fd)
        self._readers, self._writers = set(), set()
        self._channel.close()
        self._channel = None

    async def ask(self, name: str, rdtype: str) -> Lookup:
        """One question, answered as `resolver.resolve()` would answer it."""
        [lookup] = await self.ask_many([(name, rdtype)])
        return lookup

    async def ask_many(self, keys: list[tuple[str, str]]) -> list[Lookup]:
        """Several questions at once, answered in order as `resolver.resolve()` would.

        The first try of every question goes out at once and one timer covers them all;
        the few that need more (a time-out, a reply left to dnspython) continue one by one
        for the rest of their time.
        """
        loop = self._loop
        deadline = loop.time() + self.lifetime
        results: list[Lookup | None] = [None] * len(keys)
        asked = []  # (index, name, rdtype, qtype, future)
        slow = []  # (index, coroutine)
        slots = self._slots
        for index, (name, rdtype) in enumerate(keys):
            name = normalize_name(name)
            qtype = _QTYPES.get(rdtype)
            if qtype is None or len(name) > 253 or not _PLAIN_NAME.match(name):
                invalid = _invalid_name(name, rdtype)
                if invalid is not None:
                    results[index] = invalid
                else:
                    slow.append((index, self._ask_dnspython(name, rdtype, deadline)))
                continue
            if slots.free > 0 and not slots.waiters:
                slots.free -= 1
            else:
                await slots.take()
            asked.append((index, name, rdtype, qtype, self._send(name, qtype)))
        if asked:
            futures = [entry[4] for entry in asked]
            timer = loop.call_at(deadline, _expire, futures)
            try:
                for future in futures:
                    await future
            finally:
                timer.cancel()
                _expire(futures)
        for index, name, rdtype, qtype, future in asked:
            result, status = future.result()
            outcome = _reading(name, rdtype, qtype, result, status)
            if isinstance(outcome, Lookup):
                results[index] = outcome
            elif outcome is _RETRY:
                slow.append((index, self._ask_again(name, rdtype, qtype, deadline)))
            else:  # _Unsure
                slow.append((index, self._ask_dnspython(name, rdtype, deadline)))
        if slow:
            finished = await asyncio.gather(*(coroutine for _index, coroutine in slow))
            for (index, _coroutine), lookup in zip(slow, finished, strict=True):
                results[index] = lookup
        return results

    def _send(self, name: str, qtype: int) -> asyncio.Future:
        """Sends one question through c-ares in a slot already taken; the future gets
        (result, status) and gives the slot back when it ends."""
        future = self._loop.create_future()
        future.add_done_callback(self._slots.give)
        if self._timer is None:
            self._arm_timer()
        try:
            self._channel.query(name, qtype, callback=functools.partial(self._replied, future))
        except pycares.AresError as exc:
            future.set_result((None, exc.args[0]))
        except RuntimeError:  # the channel is closed
            future.set_result((None, _E.ARES_EDESTRUCTION))
        return future

    def _replied(self, future: asyncio.Future, result, status) -> None:
        """c-ares' callback (on the loop, from `process_fd`; pycares destroys a channel on
        a thread of its own, whose calls are ignored)."""
        if not self._closed and threading.get_ident() == self._thread and not future.done():
            future.set_result((result, status))

    def _sock_state(self, fd: int, readable: bool, writable: bool) -> None:
        """c-ares opened, closed or changed interest in one of its sockets."""
        if self._closed or threading.get_ident() != self._thread:
            return
        loop, readers, writers = self._loop, self._readers, self._writers
        if readable:
            if fd not in readers:
                readers.add(fd)
                loop.add_reader(fd, self._channel.process_read_fd, fd)
        elif fd in readers:
            readers.discard(fd)
            loop.remove_reader(fd)
        if writable:  # a TCP connection on its way
            if fd not in writers:
                writers.add(fd)
                loop.add_writer(fd, self._channel.process_write_fd, fd)
        elif fd in writers:
            writers.discard(fd)
            loop.remove_writer(fd)

    def _arm_timer(self) -> None:
        # At most _TICK late: c-ares never waits less than 250 ms for a try.
        delay = self._channel.timeout(_TICK)
        self._timer = self._loop.call_later(max(delay, 0.001), self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        if self._closed:
            return
        self._channel.process_fd(pycares.ARES_SOCKET_BAD, pycares.ARES_SOCKET_BAD)
        if self._slots.free < self.max_in_flight or self._slots.waiters:
            self._arm_timer()  # questions still out

    async def _ask_again(self, name: str, rdtype: str, qtype: int, deadline: float) -> Lookup:
        """After a try timed out: new tries through c-ares while the question's time lasts."""
        loop = self._loop
        while True:
            if deadline - loop.time() <= 0:
                return Lookup(name, rdtype, FAILURE, error="timeout")
            await self._slots.take()
            future = self._send(name, qtype)
            timer = loop.call_at(deadline, _expire, (future,))
            try:
                result, status = await future
            finally:
                timer.cancel()
                _expire((future,))
            outcome = _reading(name, rdtype, qtype, result, status)
            if isinstance(outcome, Lookup):
                return outcome
            if outcome is not _RETRY:
                return await self._ask_dnspython(name, rdtype, deadline)

    async def _ask_dnspython(self, name: str, rdtype: str, deadline: float) -> Lookup:
        """The question through dnspython's asyncio resolver, with the time left."""
        remaining = deadline - self._loop.time()
        if remaining <= 0:
            return Lookup(name, rdtype, FAILURE, error="timeout")
        await self._slots.take()
        try:
            answer = await self._resolver.resolve(
                name + ".", rdtype, raise_on_no_answer=False, search=False, lifetime=remaining
            )
        except (dns.exception.DNSException, OSError) as exc:
            return _failure(name, rdtype, exc)
        finally:
            self._slots.give()
        return _to_lookup(name, rdtype, answer)


def _invalid_name(name: str, rdtype: str) -> Lookup | None:
    """The lookup for a name no server is asked about (as `resolver.resolve()` says), or
    None for a name that is fine."""
    try:
        dns.name.from_text(name + ".")
    except dns.exception.DNSException as exc:
        return _failure(name, rdtype, exc)
    return None


def _expire(futures) -> None:
    """Ends the tries still out when the questions' time is up (the slots come back; a
    late reply is dropped)."""
    for future in futures:
        if not future.done():
            future.set_result((None, _LIFETIME_OVER))


# --- From pycares' results to the resolver's lookups ------------------------------------


def _reading(name: str, rdtype: str, qtype: int, result, status):
    """A try's (result, status) as a `Lookup`, `_RETRY` after a time-out, or `_Unsure`."""
    if status is None:
        try:
            return _lookup(name, rdtype, qtype, result)
        except (_Unsure, AttributeError, TypeError):
            return _Unsure
    if status == _E.ARES_ENODATA:  # NOERROR and an empty answer section
        return Lookup(name, rdtype, NODATA)
    if status == _E.ARES_ENOTFOUND:
        return Lookup(name, rdtype, NXDOMAIN)
    if status == _E.ARES_ETIMEOUT:
        return _RETRY
    if status in (_LIFETIME_OVER, _E.ARES_ECANCELLED, _E.ARES_EDESTRUCTION):
        return Lookup(name, rdtype, FAILURE, error="timeout")
    if status in _FINAL:
        return Lookup(name, rdtype, FAILURE, error=_FINAL[status])
    return Lookup(name, rdtype, FAILURE, error=_E.errorcode.get(status, str(status)))


def _absolute(name) -> str:
    """A name from c-ares as dnspython writes it (absolute); _Unsure if it would differ."""
    if not isinstance(name, str) or _UNSAFE.search(name):
        raise _Unsure
    return name + "." if name else "."


def _text(rtype: int, data) -> str:
    """One record's text as `resolver._record_text` gives it."""
    if rtype in (pycares.QUERY_TYPE_A, pycares.QUERY_TYPE_AAAA):
        return data.addr
    if rtype == pycares.QUERY_TYPE_TXT:
        return data.data.decode("utf-8", errors="replace")
    if rtype == pycares.QUERY_TYPE_MX:
        return f"{data.priority} {_absolute(data.exchange)}"
    if rtype == _CNAME:
        return _absolute(data.cname)
    if rtype == pycares.QUERY_TYPE_SRV:
        return f"{data.priority} {data.weight} {data.port} {_absolute(data.target)}"
    if rtype == pycares.QUERY_TYPE_PTR:
        return _absolute(data.dname)
    if rtype == pycares.QUERY_TYPE_NS:
        return _absolute(data.nsdname)
    if rtype == pycares.QUERY_TYPE_TLSA:
        cert = data.cert_association_data
        if not cert or len(cert) != _TLSA_LENGTHS.get(data.matching_type, len(cert)):
            raise _Unsure  # dnspython rejects the reply
        hexed = cert.hex()  # as dnspython writes it: in chunks of 128 digits
        chunks = " ".join(hexed[i : i + 128] for i in range(0, len(hexed), 128))
        return f"{data.cert_usage} {data.selector} {data.matching_type} {chunks}"
    if rtype == pycares.QUERY_TYPE_SOA:
        return (
            f"{_absolute(data.mname)} {_absolute(data.rname)} {data.serial} {data.refresh} "
            f"{data.retry} {data.expire} {data.minimum}"
        )
    raise _Unsure


def _lookup(name: str, rdtype: str, qtype: int, result) -> Lookup:
    """The `Lookup` for a NOERROR reply with answer records (pycares' `DNSResult`)."""
    if qtype in _NOT_READ:
        raise _Unsure
    records: dict[tuple[str, int], dict[str, str]] = {}
    for record in result.answer:
        rtype = record.type
        if record.record_class != _IN or (rtype != qtype and rtype != _CNAME):
            continue  # dnspython looks at these two types of the IN class only
        owner = _absolute(record.name).lower()
        text = _text(rtype, record.data)
        # dnspython keeps each record once (addresses and TXT by value, names in any
        # case), and a name's last CNAME: both rare enough to leave to dnspython.
        key = text if rtype in _BY_VALUE else text.lower()
        values = records.setdefault((owner, rtype), {})
        if key in values or (rtype == _CNAME and values):
            raise _Unsure
        values[key] = text
    # Follow CNAMEs from the question's name, as Message.resolve_chaining does.
    current = name + "."
    current_text = current
    for _step in range(_MAX_CHAIN):
        found = records.get((current, qtype))
        if found is not None:
            break
        cnames = records.get((current, _CNAME)) if qtype != _CNAME else None
        if not cnames:
            break
        current_text = next(iter(cnames.values()))
        current = current_text.lower()
    else:
        raise _Unsure  # a chain too long or a loop: dnspython's error
    canonical = normalize_name(current_text)
    canonical = "" if canonical == name else canonical
    if found is None:
        return Lookup(name, rdtype, NODATA, canonical_name=canonical)
    return Lookup(name, rdtype, ANSWER, tuple(found.values()), canonical_name=canonical)
