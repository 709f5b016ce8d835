"""A test run uses only the redis-server it started itself (issue 17, item 4)."""

import os

import pytest
import redis
from django.conf import settings
from django.core.cache import cache


@pytest.fixture
def private_redis(_private_redis):
    if _private_redis is None:
        pytest.skip("REDIS_URL is not set: this run uses no Redis at all")
    return _private_redis


def test_every_redis_user_points_at_the_private_server(private_redis):
    from portal.celery import app
    from quotas.app_settings import app_settings as quota_settings

    expected = private_redis.url
    assert os.environ["REDIS_URL"] == expected  # inherited by policyd and other daemons
    assert expected == settings.REDIS_URL
    assert expected == quota_settings.REDIS_URL
    assert expected == app.conf.broker_url
    redis_caches = [c for c in settings.CACHES.values() if "redis" in c["BACKEND"].lower()]
    assert redis_caches and all(c["LOCATION"] == expected for c in redis_caches)


@pytest.mark.django_db
def test_seed_demo_counts_into_the_private_server(private_redis):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = redis.Redis.from_url(private_redis.url)
    assert any(client.scan_iter(match="quota:*", count=1000))
    cache.set("isolation-probe", "1", timeout=5)
    assert any(client.scan_iter(match="*isolation-probe*", count=1000))
