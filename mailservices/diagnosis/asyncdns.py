"""Many DNS questions at once over a few UDP sockets per name server, for batch diagnoses.

dnspython's asyncio resolver opens a socket (and an asyncio transport) per question and
builds an `Answer` for each reply; for a batch of thousands of domains that is most of the
time spent. `DnsClient` keeps SOCKETS_PER_SERVER connected UDP sockets per name server,
sends each question on one chosen at random and replaces a socket by a new one (a new
random port from the kernel) after QUESTIONS_PER_SOCKET questions, as c-ares does with
udp_max_queries; concurrent questions are told apart by their random message id and
question. Each reply becomes the `Lookup` dnspython's resolver would give: a quick reader
handles the usual replies and hands anything unusual to dnspython's parser and CNAME
chaining. It asks exactly what `resolver.make_resolver()` asks (recursion desired, no
EDNS), keeps its retry and time rules (2 s per try, 5 s per question, SERVFAIL is final,
TCP after a truncated reply) and caches nothing: every `ask()` goes to the server.

A client on c-ares (pycares 5.2.1) was prototyped and measured beside this one (README,
"Tests and bench"); it is not wired in yet (its `Channel` has no per-socket question limit
for random ports, and an empty answer after a CNAME loses the CNAME's target).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import re
import secrets
import socket
import struct

import dns.asyncquery
import dns.exception
import dns.ipv6
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdatatype
import dns.resolver

from mailservices.diagnosis.dns import ANSWER, FAILURE, NODATA, NXDOMAIN, Lookup, normalize_name
from mailservices.diagnosis.resolver import LIFETIME, TIMEOUT, _to_lookup, cname_loop

_HEADER = struct.Struct("!HHHHHH")
_QUESTION_TAIL = struct.Struct("!HH")
_RD = 0x0100
_IN = 1
_RCODE_NOERROR = dns.rcode.NOERROR
_RCODE_NXDOMAIN = dns.rcode.NXDOMAIN
_RCODE_YXDOMAIN = dns.rcode.YXDOMAIN


_QTYPES = {t: int(dns.rdatatype.from_text(t)) for t in ("A", "AAAA", "MX", "TXT", "SRV", "PTR")}
_TAILS = {qtype: _QUESTION_TAIL.pack(qtype, _IN) for qtype in _QTYPES.values()}
_PLAIN_NAME = re.compile(r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*\Z")


def _wire_name(name: str) -> bytes:
    """`name` (normalised) in wire form; plain host names directly, others by dnspython."""
    if len(name) <= 253 and _PLAIN_NAME.match(name):
        return b"".join(bytes((len(label),)) + label for label in name.encode().split(b".")) + (
            b"\0"
        )
    return dns.name.from_text(name + ".").to_wire()


# Source ports: every question goes out on one of SOCKETS_PER_SERVER sockets, chosen at
# random, and a socket is replaced by a new one (a new port picked at random by the kernel)
# after QUESTIONS_PER_SOCKET questions, as c-ares' udp_max_queries does. A forged answer
# must guess the port and the random 16-bit id of one question.
SOCKETS_PER_SERVER = 16
QUESTIONS_PER_SOCKET = 32


class _Truncated(Exception):
    pass


class _ServerGone(Exception):
    """The server's socket reported an error (e.g. port unreachable)."""


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

    def give(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.free += 1


class _Endpoint:
    """One connected, non-blocking UDP socket to one server (a port the kernel picked at
    random); replies are matched to pending questions. Read straight from the event loop's
    reader callback: no transport, so a new socket is ready at once, without awaiting."""

    def __init__(self, server: tuple[str, int], loop: asyncio.AbstractEventLoop):
        self.server = server
        self.loop = loop
        # id -> ((name in wire form, lower case; type and class), future of the reply)
        self.pending: dict[int, tuple[tuple[bytes, bytes], asyncio.Future]] = {}
        self.sent = 0
        self.retired = False
        family = socket.AF_INET6 if ":" in server[0] else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            self.sock.setblocking(False)
            with contextlib.suppress(OSError):  # room for a full burst of answers
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
            self.sock.connect(server)
            loop.add_reader(self.sock.fileno(), self._readable)
        except BaseException:
            self.sock.close()
            raise

    def send(self, data: bytes) -> None:
        try:
            self.sock.send(data)
        except (BlockingIOError, InterruptedError):
            pass  # the send buffer is full: the question times out and is asked again
        except OSError as exc:  # e.g. an earlier "port unreachable" reported now
            self.loop.call_soon(self.error_received, exc)

    def _readable(self) -> None:
        # One datagram per call, as asyncio's transports read: the futures' callbacks (the
        # slot given back) then run before the next reply wakes the waiting task.
        try:
            data = self.sock.recv(65535)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self.error_received(exc)
            return
        self.datagram_received(data)

    def datagram_received(self, data):
        if len(data) < 12:
            return
        entry = self.pending.get((data[0] << 8) | data[1])
        if entry is None:
            return  # a late answer to a question we gave up on, or noise
        (wire_name, tail), future = entry
        end = 12 + len(wire_name)
        # A reply carries our question back (the name's case may differ); else it is not ours.
        if (
            not data[2] & 0x80
            or data[12:end].lower() != wire_name
            or data[end : end + 4] != tail
            or future.done()
        ):
            return
        future.set_result(data)

    def error_received(self, exc):
        for _question, future in list(self.pending.values()):
            if not future.done():
                future.set_exception(_ServerGone(exc))

    def close(self) -> None:
        if self.sock.fileno() >= 0:
            self.loop.remove_reader(self.sock.fileno())
            self.sock.close()


class DnsClient:
    """Asks `servers` ([(ip, port)], tried in order like dnspython's resolver) over UDP.

    Use as `async with DnsClient(servers) as client: lookup = await client.ask(name, type)`.
    At most `max_in_flight` questions are out at once; the others wait their turn (a burst
    larger than the socket's receive buffer would lose answers and end in time-outs).
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
        # Per server, the sockets questions go out on (one chosen at random per question).
        self._endpoints: dict[tuple[str, int], list[_Endpoint]] = {}
        self._open_endpoints: set[_Endpoint] = set()
        self._slots: _Slots | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

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
        loop = asyncio.get_running_loop()
        self._slots = _Slots(self.max_in_flight)
        self._loop = loop
        for server in self.servers:
            self._endpoints[server] = [self._open(server) for _ in range(SOCKETS_PER_SERVER)]
        return self

    def _open(self, server) -> _Endpoint:
        endpoint = _Endpoint(server, self._loop)
        self._open_endpoints.add(endpoint)
        return endpoint

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        for endpoint in self._open_endpoints:
            endpoint.close()
        self._open_endpoints = set()
        self._endpoints = {}

    async def ask(self, name: str, rdtype: str) -> Lookup:
        """One question, answered as `resolver.resolve()` would answer it."""
        [lookup] = await self.ask_many([(name, rdtype)])
        return lookup

    async def ask_many(self, keys: list[tuple[str, str]]) -> list[Lookup]:
        """Several questions at once, answered in order as `resolver.resolve()` would.

        The first try of every question goes out at once and one timer covers them all;
        the few that need more (a time-out, a truncated or unusable reply) continue one by
        one with the resolver's rules for the rest of their time.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lifetime
        results: list[Lookup | None] = [None] * len(keys)
        asked = []  # (index, name, rdtype, wire name, type, future)
        server = self.servers[0]
        for index, (name, rdtype) in enumerate(keys):
            name = normalize_name(name)
            try:
                wire_name = _wire_name(name)
            except (dns.name.LabelTooLong, dns.name.NameTooLong, dns.name.EmptyLabel):
                results[index] = Lookup(name, rdtype, NXDOMAIN, error="invalid name")
                continue
            except dns.exception.DNSException as exc:
                results[index] = Lookup(name, rdtype, FAILURE, error=type(exc).__name__)
                continue
            qtype = _QTYPES.get(rdtype) or dns.rdatatype.from_text(rdtype)
            slots = self._slots
            if slots.free > 0 and not slots.waiters:
                slots.free -= 1
                future = self._send_now(server, wire_name, qtype)
            else:
                future = await self._send(server, wire_name, qtype)
            asked.append((index, name, rdtype, wire_name, qtype, future))
        if asked:
            futures = [entry[5] for entry in asked]
            timer = loop.call_at(min(loop.time() + self.timeout, deadline), _expire, futures)
            try:
                for future in futures:
                    with contextlib.suppress(TimeoutError, _ServerGone):
                        await future
            finally:
                timer.cancel()
                _expire(futures, cancel=True)
        slow = []
        for index, name, rdtype, wire_name, qtype, future in asked:
            first = _outcome(future)
            if isinstance(first, bytes) and not first[2] & 0x02:
                lookup = self._lookup(name, rdtype, first)
                if lookup is not None:
                    results[index] = lookup
                    continue
            slow.append((index, name, rdtype, wire_name, qtype, first))
        if slow:
            finished = await asyncio.gather(
                *(self._continue(n, t, w, q, first, deadline) for _i, n, t, w, q, first in slow)
            )
            for (index, *_rest), lookup in zip(slow, finished, strict=True):
                results[index] = lookup
        return results

    async def _continue(self, name, rdtype, wire_name, qtype, first, deadline) -> Lookup:
        """The resolver's rules after a first UDP try to the first server had `first`
        (the reply, or TimeoutError, _ServerGone)."""
        loop = asyncio.get_running_loop()
        servers = list(self.servers)
        current = list(servers)
        backoff = 0.10
        while True:
            if not servers:
                return Lookup(name, rdtype, FAILURE, error="servfail")
            if not current:  # every server tried once: wait a little, then again
                await asyncio.sleep(min(backoff, max(0.0, deadline - loop.time())))
                backoff = min(backoff * 2, 2.0)
                current = list(servers)
            remaining = deadline - loop.time()
            server = current.pop(0)
            if first is not None:
                reply, first = first, None
            elif remaining <= 0:
                return Lookup(name, rdtype, FAILURE, error="timeout")
            else:
                future = await self._send(server, wire_name, qtype)
                reply = _outcome(await _settled(future, min(self.timeout, remaining)))
            if isinstance(reply, TimeoutError):
                continue
            if isinstance(reply, _ServerGone):
                servers.remove(server)
                continue
            if reply[2] & 0x02:  # truncated: the same server again over TCP
                try:
                    reply = await self._tcp(server, name + ".", rdtype, deadline - loop.time())
                except dns.exception.Timeout:
                    continue
                except (OSError, EOFError, dns.exception.DNSException):
                    servers.remove(server)
                    continue
            lookup = self._lookup(name, rdtype, reply)
            if lookup is None:  # a reply dnspython's resolver would not use: server is out
                servers.remove(server)
                continue
            return lookup

    async def _send(self, server, wire_name: bytes, qtype: int) -> asyncio.Future:
        """Sends one question (waiting for a free slot first); the future gets the reply."""
        slots = self._slots
        if slots.free > 0 and not slots.waiters:
            slots.free -= 1  # the usual case, without a coroutine for take()
        else:
            await slots.take()
        return self._send_now(server, wire_name, qtype)

    def _send_now(self, server, wire_name: bytes, qtype: int) -> asyncio.Future:
        """Sends one question in a slot already taken; the slot is given back with the
        future's end (reply, error, time-out or cancellation)."""
        endpoints = self._endpoints[server]
        slot = secrets.randbelow(len(endpoints))
        endpoint = endpoints[slot]
        endpoint.sent += 1
        if endpoint.sent >= QUESTIONS_PER_SOCKET:  # its last one: a new socket takes its place
            endpoint.retired = True
            endpoints[slot] = self._open(server)
        pending = endpoint.pending
        qid = secrets.randbits(16)
        while qid in pending:
            qid = secrets.randbits(16)
        tail = _TAILS.get(qtype) or _QUESTION_TAIL.pack(qtype, _IN)
        future = self._loop.create_future()
        pending[qid] = ((wire_name.lower(), tail), future)
        future.add_done_callback(lambda _f: self._done(endpoint, qid))
        endpoint.send(_HEADER.pack(qid, _RD, 1, 0, 0, 0) + wire_name + tail)
        return future

    def _done(self, endpoint: _Endpoint, qid: int) -> None:
        endpoint.pending.pop(qid, None)
        self._slots.give()
        if endpoint.retired and not endpoint.pending:
            endpoint.close()  # a retired socket closes with its last question
            self._open_endpoints.discard(endpoint)

    async def _tcp(self, server, qname, rdtype, timeout: float) -> bytes:
        request = dns.message.make_query(qname, rdtype)
        response = await dns.asyncquery.tcp(request, server[0], timeout=timeout, port=server[1])
        return response.to_wire()

    @staticmethod
    def _lookup(name: str, rdtype: str, wire: bytes) -> Lookup | None:
        """The `Lookup` for a reply, or None for a reply dnspython's resolver would reject."""
        rcode = wire[3] & 0x0F
        if rcode == _RCODE_YXDOMAIN:
            return Lookup(name, rdtype, FAILURE, error="YXDOMAIN")
        if rcode not in (_RCODE_NOERROR, _RCODE_NXDOMAIN):
            return None  # SERVFAIL, REFUSED, ...: dnspython gives up on the server
        lookup = fast_lookup(name, rdtype, wire)
        if lookup is not None:
            return lookup
        return DnsClient._slow_lookup(name, rdtype, wire, rcode)

    @staticmethod
    def _slow_lookup(name: str, rdtype: str, wire: bytes, rcode: int) -> Lookup | None:
        """dnspython's reading of a reply (see `fast_lookup` for the usual case)."""
        try:
            message = dns.message.from_wire(wire)
        except Exception:  # noqa: BLE001 - as dnspython: a reply it cannot use drops the server
            return None
        try:
            answer = dns.resolver.Answer(
                message.question[0].name,
                message.question[0].rdtype if rcode == _RCODE_NOERROR else dns.rdatatype.ANY,
                message.question[0].rdclass,
                message,
            )
        except dns.message.ChainTooLong:
            return cname_loop(name, rdtype, message)  # a loop is an answer, not a bad server
        except Exception:  # noqa: BLE001 - as dnspython: a reply it cannot use drops the server
            return None
        if rcode == _RCODE_NXDOMAIN:
            return Lookup(name, rdtype, NXDOMAIN)
        return _to_lookup(name, rdtype, answer)


def _expire(futures, cancel: bool = False) -> None:
    """Ends the tries still waiting: as timed out, or cancelled (when giving up)."""
    for future in futures:
        if not future.done():
            if cancel:
                future.cancel()
            else:
                future.set_exception(TimeoutError())


async def _settled(future: asyncio.Future, timeout: float) -> asyncio.Future:
    """Waits until `future` has a reply, an error, or `timeout` seconds passed."""
    timer = asyncio.get_running_loop().call_later(timeout, _expire, (future,))
    try:
        with contextlib.suppress(TimeoutError, _ServerGone):
            await future
    finally:
        timer.cancel()
        _expire((future,), cancel=True)
    return future


def _outcome(future: asyncio.Future):
    """A finished try: the reply's bytes, or the TimeoutError/_ServerGone it ended with."""
    if future.cancelled():
        return TimeoutError()
    return future.exception() or future.result()


# --- Reading replies quickly -------------------------------------------------------------
#
# dnspython's `Message.from_wire` builds a full object model (names, rdata sets, hashing for
# de-duplication) and costs more than everything else a diagnosis does per question. The
# reader below handles what authoritative servers normally send for the record types the
# checks ask for and gives exactly the `Lookup` dnspython's resolver would give (tests
# compare both on real and generated replies). Anything else (other record types, unusual
# characters in names, any irregularity) returns None and the reply goes to dnspython.

_A, _NS, _CNAME, _SOA, _PTR, _MX, _TXT, _AAAA, _SRV, _OPT = 1, 2, 5, 6, 12, 15, 16, 28, 33, 41
_ANSWER_TYPES = {_A, _CNAME, _PTR, _MX, _TXT, _AAAA, _SRV}
_UNSAFE_LABEL = re.compile(rb'[^\x21-\x7e]|["().;\\@$]')
_RRHEAD = struct.Struct("!HHIH")
_MAX_CHAIN = 16


class _Unsure(Exception):
    pass


def _read_name(wire: bytes, pos: int) -> tuple[str, int]:
    """A (possibly compressed) name at `pos` as dnspython's text (absolute), and the position
    after it. Raises _Unsure for anything dnspython would print escaped or reject."""
    labels = []
    end = -1
    limit = pos  # compression pointers must point backwards, as dnspython requires
    length = 0
    while True:
        count = wire[pos]
        if count == 0:
            pos += 1
            break
        if count >= 0xC0:
            target = ((count & 0x3F) << 8) | wire[pos + 1]
            if target >= limit:
                raise _Unsure
            if end < 0:
                end = pos + 2
            pos = limit = target
            continue
        if count > 63:
            raise _Unsure
        label = wire[pos + 1 : pos + 1 + count]
        if len(label) != count or _UNSAFE_LABEL.search(label):
            raise _Unsure
        labels.append(label.decode("ascii"))
        length += count + 1
        if length > 254:
            raise _Unsure
        pos += 1 + count
    if not labels:
        raise _Unsure  # the root: rare, leave it to dnspython
    return ".".join(labels) + ".", (end if end >= 0 else pos)


def _rdata_text(wire: bytes, rtype: int, pos: int, rdlen: int) -> str:
    end = pos + rdlen
    if rtype == _A:
        if rdlen != 4:
            raise _Unsure
        return "%d.%d.%d.%d" % tuple(wire[pos:end])  # noqa: UP031 - the fastest form
    if rtype == _AAAA:
        if rdlen != 16:
            raise _Unsure
        return dns.ipv6.inet_ntoa(wire[pos:end])
    if rtype == _TXT:
        parts = []
        while pos < end:
            count = wire[pos]
            if pos + 1 + count > end:
                raise _Unsure
            parts.append(wire[pos + 1 : pos + 1 + count])
            pos += 1 + count
        if not parts:
            raise _Unsure
        return b"".join(parts).decode("utf-8", errors="replace")
    if rtype in (_CNAME, _PTR):
        text, after = _read_name(wire, pos)
    elif rtype == _MX:
        if rdlen < 3:
            raise _Unsure
        target, after = _read_name(wire, pos + 2)
        text = f"{(wire[pos] << 8) | wire[pos + 1]} {target}"
    elif rtype == _SRV:
        if rdlen < 7:
            raise _Unsure
        priority, weight, port = struct.unpack_from("!HHH", wire, pos)
        target, after = _read_name(wire, pos + 6)
        text = f"{priority} {weight} {port} {target}"
    else:
        raise _Unsure
    if after != end:
        raise _Unsure
    return text


def _skip_rdata(wire: bytes, rtype: int, pos: int, rdlen: int) -> None:
    """Authority and additional records: only the kinds we expect, checked for shape."""
    end = pos + rdlen
    if rtype == _SOA:
        _name, pos = _read_name(wire, pos)
        _name, pos = _read_name(wire, pos)
        if pos + 20 != end:
            raise _Unsure
    elif rtype == _NS:
        _name, pos = _read_name(wire, pos)
        if pos != end:
            raise _Unsure
    elif rtype in (_A, _AAAA):
        _rdata_text(wire, rtype, pos, rdlen)
    elif rtype != _OPT:
        raise _Unsure


def fast_lookup(name: str, rdtype: str, wire: bytes) -> Lookup | None:
    """The `Lookup` for a reply to our question (already matched), or None if unsure."""
    try:
        return _fast_lookup(name, rdtype, wire)
    except (_Unsure, IndexError, struct.error, ValueError):
        return None


def _fast_lookup(name: str, rdtype: str, wire: bytes) -> Lookup | None:
    flags = (wire[2] << 8) | wire[3]
    qdcount, ancount, nscount, arcount = struct.unpack_from("!HHHH", wire, 4)
    rcode = flags & 0x000F
    if qdcount != 1 or flags & 0x7800 or rcode not in (_RCODE_NOERROR, _RCODE_NXDOMAIN):
        raise _Unsure
    qname, pos = _read_name(wire, 12)
    qtype = (wire[pos] << 8) | wire[pos + 1]
    pos += 4
    records: dict[tuple[str, int], dict[str | bytes, str]] = {}
    for index in range(ancount + nscount + arcount):
        if wire[pos] == 0xC0 and wire[pos + 1] == 12:  # the usual: "same name as asked"
            owner, pos = qname, pos + 2
        else:
            owner, pos = _read_name(wire, pos)
        rtype, rclass, _ttl, rdlen = _RRHEAD.unpack_from(wire, pos)
        pos += 10
        if pos + rdlen > len(wire):
            raise _Unsure
        if index < ancount:
            if rclass != _IN or rtype not in _ANSWER_TYPES:
                raise _Unsure
            text = _rdata_text(wire, rtype, pos, rdlen)
            # dnspython keeps each record once (by its wire form, names in lower case).
            key = wire[pos : pos + rdlen] if rtype in (_A, _AAAA, _TXT) else text.lower()
            values = records.setdefault((owner.lower(), rtype), {})
            if rtype == _CNAME:
                values.clear()  # a name has one CNAME: dnspython keeps the last one
            values.setdefault(key, text)
        else:
            _skip_rdata(wire, rtype, pos, rdlen)
        pos += rdlen
    if pos != len(wire):
        raise _Unsure
    # Follow CNAMEs from the question's name, as Message.resolve_chaining does.
    current = name.lower() + "."
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
        raise _Unsure  # chain too long: dnspython's error
    if rcode == _RCODE_NXDOMAIN:
        if found is not None:
            raise _Unsure
        return Lookup(name, rdtype, NXDOMAIN)
    canonical = normalize_name(current_text)
    canonical = "" if canonical == name else canonical
    if found is None:
        return Lookup(name, rdtype, NODATA, canonical_name=canonical)
    return Lookup(name, rdtype, ANSWER, tuple(found.values()), canonical_name=canonical)
