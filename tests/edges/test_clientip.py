"""The client address behind trusted proxies, and the per-client limits that use it."""

import pytest
from django.urls import reverse

from portal.core.clientip import client_ip, client_ip_from_forwarded
from tests.conftest import PASSWORD

PROXY = "10.0.0.1"


@pytest.mark.parametrize(
    ("count", "remote", "xff", "expected"),
    [
        (0, "192.0.2.1", None, "192.0.2.1"),
        (0, "192.0.2.1", "203.0.113.9", "192.0.2.1"),  # no proxy: the header is the client's
        (1, PROXY, "203.0.113.9", "203.0.113.9"),
        (1, PROXY, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # forged entries left of ours
        (2, PROXY, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, PROXY, "203.0.113.9", "203.0.113.9"),  # shorter than the count: leftmost
        (1, PROXY, None, PROXY),  # straight to the app (health check)
        (1, PROXY, "", PROXY),
        (1, PROXY, "not-an-ip", PROXY),
        (1, PROXY, " 2001:DB8::1 ", "2001:db8::1"),
        (1, PROXY, "[2001:db8::1]:443", "2001:db8::1"),
        (1, PROXY, "203.0.113.9\x00", PROXY),
    ],
)
def test_client_ip_from_forwarded(count, remote, xff, expected):
    assert client_ip_from_forwarded(remote, xff, trusted_proxies=count) == expected


def test_client_ip_reads_the_setting(rf, settings):
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == PROXY
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"


def _login(client, email, password, ip):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=ip,
    )


def _fail_ten_times(client, ip):
    # Ten different accounts, so only the per-client limit (10/m/ip) is reached, not the
    # per-account one (5/5m/key).
    for n in range(10):
        _login(client, f"opfer{n}@example.org", "falsch-falsch", ip)


@pytest.mark.django_db
def test_failed_logins_of_one_client_do_not_lock_out_another(client, make_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user("kundin@example.org")
    _fail_ten_times(client, "203.0.113.66")

    blocked = _login(client, "kundin@example.org", PASSWORD, "203.0.113.66")
    assert "_auth_user_id" not in client.session, blocked.status_code

    response = _login(client, "kundin@example.org", PASSWORD, "198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_without_trusted_proxy_everyone_behind_it_shares_one_bucket(client, make_user, settings):
    """The defect the setting fixes (TRUSTED_PROXY_COUNT=0 behind a proxy)."""
    settings.TRUSTED_PROXY_COUNT = 0
    make_user("kundin@example.org")
    _fail_ten_times(client, "203.0.113.66")
    _login(client, "kundin@example.org", PASSWORD, "198.51.100.7")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_kb_api_is_limited_per_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PORTAL_RATE_LIMITS = {"kb_api": "3/m"}

    def ask(ip):
        return client.get(reverse("kb:api_search"), {"q": "outlook"}, HTTP_X_FORWARDED_FOR=ip)

    assert [ask("203.0.113.66").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert ask("198.51.100.7").status_code == 200
