"""The policy service Postfix asks at RCPT and END-OF-MESSAGE (asyncio, many clients).

Each Postfix smtpd process keeps one connection open and sends one request at a time;
thousands of such connections are served by one event loop. Limits are resolved from the
database in a worker thread and cached for a minute; the counting is one Redis script per
request (quotas.counters).
"""

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import close_old_connections, connections
from django.urls import reverse

from portal.core.app_settings import app_settings as portal_settings
from quotas import counters, policy
from quotas.app_settings import app_settings as quota_settings
from quotas.limits import PHP_MAIL_FALLBACK, Channel
from quotas.selectors import address_email, address_for_sender, sending_limit

logger = logging.getLogger("quotas.policyd")


def utc_now() -> datetime:
    return datetime.now(tz=UTC)


@dataclass(frozen=True)
class ResolvedLimit:
    counter: str  # counter id in Redis
    sender: str  # the address as named in the answer
    limit: int
    page_url: str


def _absolute(path: str) -> str:
    return portal_settings.BASE_URL + path


def resolve_limit(subject: policy.Subject) -> ResolvedLimit:
    """Database lookup of the limit for a sender and channel."""
    address = address_for_sender(subject.sender)
    if address is not None:
        found = sending_limit(address, channel=subject.channel)
        email = address_email(address)
        return ResolvedLimit(
            counter=counters.counter_id(channel=subject.channel, sender=email),
            sender=email,
            limit=found.limit,
            page_url=_absolute(reverse("quotas:address_usage", args=[address.pk])),
        )
    page = _absolute(reverse("kb:guide", args=["versandlimits"]))
    if subject.channel == Channel.PHP_MAIL:
        limit = PHP_MAIL_FALLBACK
    else:
        limit = quota_settings.UNKNOWN_SENDER_LIMIT
        logger.warning("login %s is not a portal address; default limit %s", subject.sender, limit)
    return ResolvedLimit(
        counter=counters.counter_id(channel=subject.channel, sender=subject.sender),
        sender=subject.sender,
        limit=limit,
        page_url=page,
    )


def resolve_limit_in_worker(subject: policy.Subject) -> ResolvedLimit:
    """resolve_limit for the long-running worker thread: drops a broken or stale connection
    first, as Django does between requests."""
    close_old_connections()
    return resolve_limit(subject)


class LimitCache:
    """Resolved limits, refreshed in the background after `ttl` seconds.

    Only a sender never seen before waits for the database; concurrent misses for one sender
    share a lookup, and an expired entry is served while its refresh runs.
    """

    def __init__(self, resolve: Callable[[policy.Subject], ResolvedLimit], *, ttl: float):
        self.resolve = resolve
        self.ttl = ttl
        self._entries: dict[policy.Subject, tuple[float, ResolvedLimit]] = {}
        self._pending: dict[policy.Subject, asyncio.Future] = {}
        # One thread: lookups are rare (cached) and its database connection can be closed.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quota-db")

    async def get(self, subject: policy.Subject) -> ResolvedLimit:
        entry = self._entries.get(subject)
        if entry is not None:
            if entry[0] <= time.monotonic() and subject not in self._pending:
                # Stale: answer with the known limit, refresh in the background.
                asyncio.get_running_loop().create_task(self._refresh(subject))
            return entry[1]
        if subject in self._pending:
            return await asyncio.shield(self._pending[subject])
        return await self._refresh(subject)

    async def _refresh(self, subject: policy.Subject) -> ResolvedLimit:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self.resolve, subject)
        self._pending[subject] = future
        try:
            found = await future
        except Exception:
            if subject in self._entries:  # keep serving the last known limit
                logger.exception("limit lookup failed for %s; keeping the cached one", subject)
                return self._entries[subject][1]
            raise
        finally:
            self._pending.pop(subject, None)
        if len(self._entries) > 100_000:
            self._entries.clear()
        self._entries[subject] = (time.monotonic() + self.ttl, found)
        return found

    def close(self) -> None:
        self._executor.submit(connections.close_all)
        self._executor.shutdown(wait=True, cancel_futures=False)


class PolicyService:
    """Turns one policy request into one action."""

    def __init__(
        self,
        counters_client: counters.AsyncSendingCounters,
        limits: LimitCache,
        *,
        php_mail_networks=(),
        clock: Callable[[], datetime] = utc_now,
        idle_timeout: float = 300.0,
        max_connections: int = 4000,
    ):
        self.counters = counters_client
        self.limits = limits
        self.php_mail_networks = policy.parse_networks(php_mail_networks)
        self.clock = clock
        self.connections = ConnectionTable(idle_timeout=idle_timeout, limit=max_connections)

    async def decide(self, request: policy.PolicyRequest) -> str:
        if request.state not in ("RCPT", "END-OF-MESSAGE"):
            return policy.DUNNO
        subject = policy.subject_of(request, php_mail_networks=self.php_mail_networks)
        if subject is None:
            return policy.DUNNO
        instance = request.instance or f"noinstance-{id(request)}"
        try:
            found = await self.limits.get(subject)
            if request.state == "RCPT":
                decision = await self.counters.reserve(
                    found.counter, instance=instance, limit=found.limit, now=self.clock()
                )
            else:
                decision = await self.counters.commit(
                    found.counter,
                    instance=instance,
                    recipients=request.recipient_count,
                    limit=found.limit,
                    now=self.clock(),
                )
        except (counters.RedisError, OSError, TimeoutError):
            logger.error(
                "sending counters unreachable: deferring %s for %s",
                request.state,
                subject.sender,
                exc_info=True,
            )
            return policy.temporary_failure()
        except Exception:
            logger.exception("policy decision failed for %s", subject.sender)
            return policy.temporary_failure()
        if decision.allowed:
            return policy.DUNNO
        logger.info(
            "limit reached: %s (%s) used=%s reserved=%s limit=%s",
            found.sender,
            subject.channel,
            decision.used,
            decision.reserved,
            found.limit,
        )
        return policy.deferral(sender=found.sender, limit=found.limit, page_url=found.page_url)

    async def handle_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        """Serves one Postfix connection until it closes, idles too long or is evicted for a
        newer one: one answer per request, in order."""
        entry = self.connections.open(writer)
        try:
            while True:
                try:
                    block = await reader.readuntil(b"\n\n")
                except asyncio.IncompleteReadError:
                    return
                entry.busy = True
                try:
                    request = policy.parse_request(block)
                except policy.ProtocolError as exc:
                    logger.warning("bad policy request: %s", exc)
                    return
                writer.write(policy.format_response(await self.decide(request)))
                await writer.drain()
                self.connections.touch(entry)
        except asyncio.LimitOverrunError:
            logger.warning("policy request too large; closing the connection")
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.connections.close(entry)
            writer.close()

    async def sweep_idle(self, server: asyncio.Server) -> None:
        """Closes connections idle longer than the timeout while the server serves."""
        interval = max(0.05, min(self.connections.idle_timeout / 10, 10.0))
        while server.is_serving():
            await asyncio.sleep(interval)
            self.connections.close_idle(time.monotonic())


class _Connection:
    __slots__ = ("writer", "last_active", "busy")

    def __init__(self, writer, now: float):
        self.writer = writer
        self.last_active = now
        self.busy = False


class ConnectionTable:
    """The open Postfix connections, least recently active first.

    Postfix keeps one connection per smtpd process and reconnects after its own
    `smtpd_policy_service_timeout` (100 s); connections of processes that died or hung are
    closed after `idle_timeout`. At `limit` connections a new one still gets in: the
    connection idle the longest gives way, so a flood of stale sockets never locks out the
    smtpd processes that are sending now.
    """

    def __init__(self, *, idle_timeout: float, limit: int):
        self.idle_timeout = idle_timeout
        self.limit = limit
        self._open: dict[int, _Connection] = {}  # insertion order = least recently active
        self.evicted = 0
        self.timed_out = 0

    def __len__(self) -> int:
        return len(self._open)

    def open(self, writer) -> _Connection:
        if len(self._open) >= self.limit:
            self._evict_one()
        entry = _Connection(writer, time.monotonic())
        self._open[id(entry)] = entry
        return entry

    def touch(self, entry: _Connection) -> None:
        entry.busy = False
        entry.last_active = time.monotonic()
        key = id(entry)
        if key in self._open:  # move to the end: most recently active
            self._open[key] = self._open.pop(key)

    def close(self, entry: _Connection) -> None:
        self._open.pop(id(entry), None)

    def _evict_one(self) -> None:
        for key, entry in self._open.items():
            if not entry.busy:
                del self._open[key]
                self.evicted += 1
                logger.warning(
                    "connection limit %s reached: closing the longest idle one", self.limit
                )
                entry.writer.close()
                return

    def close_idle(self, now: float) -> int:
        cutoff = now - self.idle_timeout
        stale = []
        for key, entry in self._open.items():
            if entry.last_active > cutoff:
                break  # ordered by activity: the rest are newer
            if not entry.busy:
                stale.append(key)
        for key in stale:
            entry = self._open.pop(key)
            entry.writer.close()
        self.timed_out += len(stale)
        return len(stale)


async def start_server(
    service: PolicyService, host: str, port: int, *, reuse_port: bool = False
) -> asyncio.Server:
    """Listens for Postfix; with `reuse_port`, several processes share the port (the kernel
    spreads new connections over them)."""
    server = await asyncio.start_server(
        service.handle_connection,
        host,
        port,
        limit=policy.MAX_REQUEST_BYTES,
        backlog=1024,
        reuse_port=reuse_port or None,
    )
    service.sweeper = asyncio.get_running_loop().create_task(service.sweep_idle(server))
    return server


def parse_bind(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def build_service(*, redis_url=None, php_mail_networks=None, clock=utc_now, **counter_kw):
    client = counters.AsyncSendingCounters.from_url(
        redis_url or quota_settings.REDIS_URL, **counter_kw
    )
    cache = LimitCache(resolve_limit_in_worker, ttl=quota_settings.LIMIT_CACHE_SECONDS)
    networks = quota_settings.PHP_MAIL_NETWORKS if php_mail_networks is None else php_mail_networks
    return PolicyService(
        client,
        cache,
        php_mail_networks=networks,
        clock=clock,
        idle_timeout=quota_settings.POLICY_IDLE_TIMEOUT_SECONDS,
        max_connections=quota_settings.POLICY_MAX_CONNECTIONS,
    )
