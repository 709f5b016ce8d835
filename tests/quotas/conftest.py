"""Fixtures of the sending-limit tests: a throwaway redis-server per xdist worker, and
services/addresses on every plan."""

import shutil
import uuid

import pytest
import redis

from quotas.counters import SendingCounters
from tests.conftest import require_service
from tests.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    require_service("redis-server", shutil.which("redis-server") is not None)
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def quota_redis(redis_server, settings):
    """Points the quotas app at the worker's Redis with a key prefix of its own."""
    prefix = f"t{uuid.uuid4().hex[:10]}:"
    settings.QUOTAS_REDIS_URL = redis_server.url
    settings.QUOTAS_KEY_PREFIX = prefix
    client = redis.Redis.from_url(redis_server.url)
    yield client
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


@pytest.fixture
def counters(quota_redis):
    return SendingCounters.from_settings()
