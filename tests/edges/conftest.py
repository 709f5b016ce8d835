"""Fixtures borrowed from other areas: the shop's (catalogue, placed orders) for the admin
tests, the quotas' private redis-server and counters for the overview."""

from tests.quotas.conftest import counters, quota_redis, redis_server  # noqa: F401
from tests.shop.conftest import place_order, shop_catalogue  # noqa: F401
