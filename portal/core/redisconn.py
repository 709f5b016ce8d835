"""Redis connections from one URL, a single server or a Sentinel set.

`REDIS_URL` is either `redis://host:6379/0` or
`sentinel://host1:26379,host2:26379,host3:26379/mymaster/0` (password as
`sentinel://:secret@host1:26379,.../mymaster/0`, given to the sentinels and the Redis
servers alike). With Sentinel every client asks the sentinels for the current primary and
asks again after a failover; the cache (`portal.core.cache`), Celery (`celery_urls`) and the
sending counters (`quotas.counters`) all read the same URL.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import redis
import redis.asyncio
import redis.asyncio.sentinel
import redis.sentinel


@dataclass(frozen=True)
class SentinelTarget:
    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int
    password: str | None


def parse_sentinel_url(url: str) -> SentinelTarget | None:
    """The Sentinel set a `sentinel://` URL names, or None for a plain `redis://` URL."""
    if not url.startswith("sentinel://"):
        return None
    rest = url[len("sentinel://") :]
    netloc, _, path = rest.partition("/")
    password = None
    if "@" in netloc:
        credentials, _, netloc = netloc.rpartition("@")
        password = unquote(credentials.partition(":")[2]) or None
    sentinels = []
    for item in netloc.split(","):
        parts = urlsplit(f"//{item}")
        if not parts.hostname:
            raise ValueError(f"sentinel URL without a host: {url!r}")
        sentinels.append((parts.hostname, parts.port or 26379))
    service, _, db = path.strip("/").partition("/")
    if not service:
        raise ValueError(f"sentinel URL without a service name (…/mymaster/0): {url!r}")
    return SentinelTarget(tuple(sentinels), service, int(db or 0), password)


def _server_kwargs(target: SentinelTarget, options: dict) -> dict:
    kwargs = dict(options)
    if target.password:
        kwargs.setdefault("password", target.password)
    return kwargs


def sync_client(url: str, **options) -> redis.Redis:
    """A client of the server or of the Sentinel set's current primary."""
    target = parse_sentinel_url(url)
    if target is None:
        return redis.Redis.from_url(url, **options)
    sentinel = redis.sentinel.Sentinel(
        target.sentinels,
        sentinel_kwargs=_sentinel_kwargs(target, options),
        **_server_kwargs(target, options),
    )
    return sentinel.master_for(target.service, db=target.db)


def async_client(url: str, *, max_connections: int = 8, **options) -> redis.asyncio.Redis:
    """The asyncio twin of `sync_client` (a blocking pool of `max_connections` for a plain
    server; Sentinel's own pool, which finds the primary again after a failover)."""
    target = parse_sentinel_url(url)
    if target is None:
        timeout = options.get("socket_timeout")
        pool = redis.asyncio.BlockingConnectionPool.from_url(
            url, max_connections=max_connections, timeout=timeout, **options
        )
        return redis.asyncio.Redis(connection_pool=pool)
    sentinel = redis.asyncio.sentinel.Sentinel(
        target.sentinels,
        sentinel_kwargs=_sentinel_kwargs(target, options),
        **_server_kwargs(target, options),
    )
    return sentinel.master_for(target.service, db=target.db, max_connections=max_connections)


def _sentinel_kwargs(target: SentinelTarget, options: dict) -> dict:
    kwargs = {k: v for k, v in options.items() if k in ("socket_timeout", "socket_connect_timeout")}
    if target.password:
        kwargs["password"] = target.password
    return kwargs


def celery_urls(url: str) -> tuple[str, str, dict]:
    """(broker URL, result backend URL, transport options) in kombu's and Celery's Sentinel
    notation (`sentinel://h1:26379/0;sentinel://h2:26379/0` + `master_name`)."""
    target = parse_sentinel_url(url)
    if target is None:
        return url, url, {}
    auth = f":{target.password}@" if target.password else ""
    joined = ";".join(
        f"sentinel://{auth}{host}:{port}/{target.db}" for host, port in target.sentinels
    )
    options = {"master_name": target.service}
    if target.password:
        options["sentinel_kwargs"] = {"password": target.password}
    return joined, joined, options
