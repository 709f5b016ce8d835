"""The live sending counters in Redis: the only module of the portal that talks to Redis for
the sending limits.

Per counter (one address and channel) three keys share a hash tag:

- `log`: sorted set of committed messages, member `<seq>:<recipients>`, score = commit time
  in ms. The window is (now - 24 h, now]; older members are pruned.
- `state`: hash with `used` (sum of recipients in `log`), `reserved` (sum of open
  reservations), `seq`, and `r:<instance>` = recipients reserved by one SMTP transaction.
- `res`: sorted set of open reservations, member = Postfix instance, score = expiry in ms.

Each operation is one Lua script, so the check and the count are atomic: parallel SMTP
sessions can never be granted more than the limit. A recipient is reserved at RCPT and
becomes a logged message at END-OF-MESSAGE (commit); a reservation whose transaction never
commits (client quit, message rejected later) expires and is released by the next script.
A reservation that expired before its commit is checked against the limit again, so the
guarantee "never more than the limit within any 24 hours" holds even then.
"""

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

import redis

from portal.core import redisconn
from quotas.app_settings import app_settings as quota_settings

RedisError = redis.RedisError

_PRELUDE = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local keep = tonumber(ARGV[3])

local function prune()
  local cutoff = now - window
  local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
  if #gone > 0 then
    local n = 0
    for _, member in ipairs(gone) do
      n = n + tonumber(string.match(member, ':(%d+)$'))
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', cutoff)
    redis.call('HINCRBY', KEYS[2], 'used', -n)
  end
  local stale = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
  if #stale > 0 then
    local n = 0
    for _, inst in ipairs(stale) do
      n = n + tonumber(redis.call('HGET', KEYS[2], 'r:' .. inst) or '0')
      redis.call('HDEL', KEYS[2], 'r:' .. inst)
    end
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
    redis.call('HINCRBY', KEYS[2], 'reserved', -n)
  end
  local used = tonumber(redis.call('HGET', KEYS[2], 'used') or '0')
  local reserved = tonumber(redis.call('HGET', KEYS[2], 'reserved') or '0')
  if used == 0 and reserved == 0 and redis.call('ZCARD', KEYS[1]) == 0
      and redis.call('ZCARD', KEYS[3]) == 0 then
    redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  end
  return used, reserved
end

local function touch()
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], keep) end
end
"""

# ARGV: now, window, keep, limit, instance, recipients, reservation_ms
_RESERVE = (
    _PRELUDE
    + """
local limit = tonumber(ARGV[4])
local inst = ARGV[5]
local n = tonumber(ARGV[6])
local used, reserved = prune()
if used + reserved + n > limit then
  return {0, used, reserved}
end
redis.call('HINCRBY', KEYS[2], 'r:' .. inst, n)
redis.call('HINCRBY', KEYS[2], 'reserved', n)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[7]), inst)
touch()
return {1, used, reserved + n}
"""
)

# ARGV: now, window, keep, limit, instance, recipients
_COMMIT = (
    _PRELUDE
    + """
local limit = tonumber(ARGV[4])
local inst = ARGV[5]
local n = tonumber(ARGV[6])
local used, reserved = prune()
local own = tonumber(redis.call('HGET', KEYS[2], 'r:' .. inst) or '0')
if own > 0 then
  redis.call('HDEL', KEYS[2], 'r:' .. inst)
  redis.call('ZREM', KEYS[3], inst)
  redis.call('HINCRBY', KEYS[2], 'reserved', -own)
  reserved = reserved - own
end
if n <= 0 then
  touch()
  return {1, used, reserved}
end
if n > own and used + reserved + n > limit then
  touch()
  return {0, used, reserved}
end
local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
redis.call('ZADD', KEYS[1], now, seq .. ':' .. n)
redis.call('HINCRBY', KEYS[2], 'used', n)
touch()
return {1, used + n, reserved}
"""
)

# ARGV: now, window, keep
_PEEK = (
    _PRELUDE
    + """
local used, reserved = prune()
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local first = 0
if #oldest == 2 then first = tonumber(oldest[2]) end
return {used, reserved, first}
"""
)


class ReplicationError(redis.RedisError):
    """The primary counted, but fewer replicas than required confirmed it in time."""


class ReplicaWait:
    """How many replicas must confirm a batch of counter writes (Redis `WAIT`).

    Redis replicates asynchronously: a primary that dies right after counting may take the
    last counts with it, and after a failover the new primary would allow them again. With
    `wait` > 0 every batch waits until that many replicas hold it (at most the replicas the
    primary has now, looked up at most once a second) before any answer goes to Postfix; a
    batch not confirmed in time is answered with 451, never with DUNNO. So a count that
    allowed a message survives the loss of the primary. A primary left without replicas
    (right after a failover) counts alone until a replica is back: a second failure in that
    span could lose the counts made since.
    """

    def __init__(self, client, wait: int, *, timeout_ms: int = 500, refresh_seconds: float = 1.0):
        self.client = client
        self.wait = wait
        self.timeout_ms = timeout_ms
        self.refresh_seconds = refresh_seconds
        self._connected = 0
        self._checked_at = float("-inf")

    async def replicas_to_wait_for(self) -> int:
        if not self.wait:
            return 0
        loop = asyncio.get_running_loop()
        if loop.time() - self._checked_at >= self.refresh_seconds:
            info = await self.client.info("replication")
            self._connected = int(info.get("connected_slaves", 0))
            self._checked_at = loop.time()
        return min(self.wait, self._connected)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    used: int  # recipients of committed messages within the window
    reserved: int  # recipients reserved by transactions still open


@dataclass(frozen=True)
class Usage:
    used: int
    reserved: int
    oldest: datetime | None  # when the oldest counted message was accepted


def counter_id(*, channel: str, sender: str) -> str:
    return f"{channel}:{sender.lower()}"


def parse_counter_id(cid: str) -> tuple[str, str]:
    channel, _, sender = cid.partition(":")
    return channel, sender


def _keys(prefix: str, cid: str) -> list[str]:
    tag = f"{prefix}{{{cid}}}"
    return [f"{tag}:log", f"{tag}:state", f"{tag}:res"]


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class _Base:
    def __init__(self, client, *, prefix=None, window_seconds=None, reservation_seconds=None):
        self.client = client
        self.prefix = prefix if prefix is not None else quota_settings.KEY_PREFIX
        self.window_ms = 1000 * (window_seconds or quota_settings.WINDOW_SECONDS)
        self.reservation_ms = 1000 * (reservation_seconds or quota_settings.RESERVATION_SECONDS)
        self.keep_ms = self.window_ms + self.reservation_ms + 60_000
        self._reserve = client.register_script(_RESERVE)
        self._commit = client.register_script(_COMMIT)
        self._peek = client.register_script(_PEEK)

    def _head(self, now: datetime) -> list[int]:
        return [_ms(now), self.window_ms, self.keep_ms]

    def keys(self, cid: str) -> list[str]:
        return _keys(self.prefix, cid)


class SendingCounters(_Base):
    """Counters for the portal side (pages, Celery tasks): a synchronous Redis client."""

    @classmethod
    def from_settings(cls, **kw):
        timeout = quota_settings.REDIS_TIMEOUT_SECONDS
        client = redisconn.sync_client(
            quota_settings.REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout
        )
        return cls(client, **kw)

    def reserve(self, cid: str, *, instance: str, limit: int, now: datetime, n: int = 1):
        args = [*self._head(now), limit, instance, n, self.reservation_ms]
        ok, used, reserved = self._reserve(keys=self.keys(cid), args=args)
        return Decision(bool(ok), used, reserved)

    def commit(self, cid: str, *, instance: str, recipients: int, limit: int, now: datetime):
        args = [*self._head(now), limit, instance, recipients]
        ok, used, reserved = self._commit(keys=self.keys(cid), args=args)
        return Decision(bool(ok), used, reserved)

    def usage_many(self, cids: list[str], *, now: datetime) -> dict[str, Usage]:
        """Prunes and reads several counters in one round trip."""
        if not cids:
            return {}
        pipe = self.client.pipeline(transaction=False)
        for cid in cids:
            self._peek(keys=self.keys(cid), args=self._head(now), client=pipe)
        result = {}
        for cid, (used, reserved, first) in zip(cids, pipe.execute(), strict=True):
            oldest = datetime.fromtimestamp(first / 1000, tz=UTC) if first else None
            result[cid] = Usage(int(used), int(reserved), oldest)
        return result

    def hourly_many(self, cids: list[str], *, now: datetime) -> dict[str, dict[datetime, int]]:
        """Recipients per hour (UTC hour start) of the messages still in each window."""
        if not cids:
            return {}
        cutoff = _ms(now) - self.window_ms
        pipe = self.client.pipeline(transaction=False)
        for cid in cids:
            pipe.zrangebyscore(self.keys(cid)[0], f"({cutoff}", "+inf", withscores=True)
        result: dict[str, dict[datetime, int]] = {}
        for cid, rows in zip(cids, pipe.execute(), strict=True):
            hours: dict[datetime, int] = defaultdict(int)
            for member, score in rows:
                count = int(member.rsplit(b":", 1)[1])
                at = datetime.fromtimestamp(score / 1000, tz=UTC)
                hours[at.replace(minute=0, second=0, microsecond=0)] += count
            result[cid] = dict(hours)
        return result

    def counter_ids(self) -> list[str]:
        """Every counter that currently has state (SCAN, never KEYS)."""
        found = set()
        start = len(self.prefix) + 1
        for key in self.client.scan_iter(match=f"{self.prefix}{{*}}:state", count=500):
            name = key.decode()
            found.add(name[start : name.rindex("}")])
        return sorted(found)

    def delete(self, cid: str) -> None:
        self.client.delete(*self.keys(cid))


class AsyncSendingCounters(_Base):
    """Counters for the asyncio policy service.

    Requests that arrive while a round trip is under way are sent together as one pipeline
    (each still its own atomic script), so many Postfix connections share few round trips.
    """

    def __init__(self, client, *, wait_replicas: int = 0, **kw):
        super().__init__(client, **kw)
        self._pending: list = []
        self._flushing = False
        self.replication = ReplicaWait(client, wait_replicas)

    @classmethod
    def from_url(cls, url: str, *, max_connections: int = 8, **kw):
        timeout = quota_settings.REDIS_TIMEOUT_SECONDS
        client = redisconn.async_client(
            url,
            max_connections=max_connections,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        kw.setdefault("wait_replicas", quota_settings.REDIS_WAIT_REPLICAS)
        return cls(client, **kw)

    async def _call(self, script, keys: list[str], args: list):
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((script, keys, args, future))
        if not self._flushing:
            self._flushing = True
            loop.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                await self._send(batch)
        finally:
            self._flushing = False

    async def _send(self, batch, *, retry: bool = True) -> None:
        pipe = self.client.pipeline(transaction=False)
        for script, keys, args, _future in batch:
            pipe.evalsha(script.sha, len(keys), *keys, *args)
        try:
            wait_for = await self.replication.replicas_to_wait_for()
            if wait_for:
                pipe.wait(wait_for, self.replication.timeout_ms)
            results = await pipe.execute(raise_on_error=False)
            if wait_for:
                acknowledged = results.pop()
                if isinstance(acknowledged, Exception) or acknowledged < wait_for:
                    raise ReplicationError(
                        f"{acknowledged} of {wait_for} replicas confirmed the counters"
                    )
        except Exception as exc:  # noqa: BLE001 - handed to every waiting request
            for *_rest, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        missing = [
            item
            for item, r in zip(batch, results, strict=True)
            if isinstance(r, redis.exceptions.NoScriptError)
        ]
        if missing and retry:
            for script in {id(s): s for s, *_ in missing}.values():
                await self.client.script_load(script.script)
            await self._send(missing, retry=False)
        for (*_rest, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def reserve(self, cid: str, *, instance: str, limit: int, now: datetime, n: int = 1):
        args = [*self._head(now), limit, instance, n, self.reservation_ms]
        ok, used, reserved = await self._call(self._reserve, self.keys(cid), args)
        return Decision(bool(ok), used, reserved)

    async def commit(self, cid: str, *, instance: str, recipients: int, limit: int, now: datetime):
        args = [*self._head(now), limit, instance, recipients]
        ok, used, reserved = await self._call(self._commit, self.keys(cid), args)
        return Decision(bool(ok), used, reserved)

    async def aclose(self) -> None:
        await self.client.aclose()
