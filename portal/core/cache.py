"""Django's Redis cache on a Sentinel set too (`sentinel://` LOCATION, see redisconn)."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from portal.core.redisconn import parse_sentinel_url, sync_client


class SentinelCacheClient(RedisCacheClient):
    """Django's Redis cache client on the Sentinel set's current primary."""

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._url = ",".join(servers)  # RedisCache split the URL's host list on commas
        self._master = None

    def get_client(self, key=None, *, write=False):
        if self._master is None:
            options = {k: v for k, v in self._pool_options.items() if k != "parser_class"}
            self._master = sync_client(self._url, **options)
        return self._master


class SentinelRedisCache(RedisCache):
    """`BACKEND` for a `sentinel://` LOCATION; a `redis://` one works as Django's own."""

    def __init__(self, server, params):
        super().__init__(server, params)
        if parse_sentinel_url(",".join(self._servers)) is not None:
            self._class = SentinelCacheClient
