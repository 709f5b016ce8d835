"""REDIS_URL naming a Sentinel set: one URL for the cache, Celery and the counters, and the
sending limit kept across a failover (issue 17, item 5)."""

import time

import pytest
import redis
from django.core.cache.backends.redis import RedisCache

from portal.core.cache import SentinelCacheClient, SentinelRedisCache
from portal.core.redisconn import SentinelTarget, celery_urls, parse_sentinel_url
from tests import sentinel_cluster
from tests.conftest import require_service


def test_sentinel_url_names_the_sentinels_service_and_database():
    target = parse_sentinel_url("sentinel://10.0.0.1:26379,redis-b:26380,redis-c/mymaster/2")
    assert target == SentinelTarget(
        (("10.0.0.1", 26379), ("redis-b", 26380), ("redis-c", 26379)), "mymaster", 2, None
    )
    assert parse_sentinel_url("sentinel://:s%40cret@h1:26379/main").password == "s@cret"
    assert parse_sentinel_url("sentinel://:s%40cret@h1:26379/main").db == 0
    assert parse_sentinel_url("redis://127.0.0.1:6379/0") is None
    with pytest.raises(ValueError, match="service name"):
        parse_sentinel_url("sentinel://h1:26379,h2:26379")


def test_celery_gets_kombus_sentinel_notation():
    broker, backend, options = celery_urls("sentinel://h1:26379,h2:26380/mymaster/3")
    assert broker == backend == "sentinel://h1:26379/3;sentinel://h2:26380/3"
    assert options == {"master_name": "mymaster"}
    assert celery_urls("redis://h:6379/1") == ("redis://h:6379/1", "redis://h:6379/1", {})


def test_cache_backend_is_djangos_own_for_a_plain_url():
    plain = SentinelRedisCache("redis://127.0.0.1:6379/0", {})
    assert plain._class is RedisCache("redis://127.0.0.1:6379/0", {})._class
    sentinel = SentinelRedisCache("sentinel://h1:26379,h2:26379/mymaster/0", {})
    assert sentinel._class is SentinelCacheClient


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_service("redis-server and redis-sentinel", sentinel_cluster.available())
    cluster = sentinel_cluster.SentinelCluster(tmp_path_factory.mktemp("sentinel")).start()
    yield cluster
    cluster.stop()


@pytest.mark.redis
@pytest.mark.xdist_group("sentinel")
def test_cache_follows_the_primary_through_a_failover(cluster):
    cache = SentinelRedisCache(cluster.url, {"OPTIONS": {"socket_timeout": 1}})
    cache.set("before", "1")
    assert cache.get("before") == "1"
    cluster.kill_primary()
    cluster.wait_for_failover()
    deadline = time.monotonic() + 10
    while True:  # until every sentinel has taken in the new primary
        try:
            cache.set("after", "2")
            break
        except redis.RedisError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    assert cache.get("after") == "2"
    assert cache.get("before") == "1"  # replicated before the primary died
