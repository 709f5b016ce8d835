"""The pdns.conf text (pure) and the command's refusals; runs on SQLite too."""

import pytest
from django.core.management import CommandError, call_command

from mailservices.hosteddns import server


def _layout(**kw):
    db = server.Database(driver="pgsql", name="portal", host="db", port="5432", user="pdns")
    return server.Layout(database=db, **kw)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        ("0.0.0.0", ("0.0.0.0", 53)),  # noqa: S104
        ("[::1]:5300", ("::1", 5300)),
        ("::1", ("::1", 53)),
    ],
)
def test_listen_is_parsed(value, expected):
    assert server.parse_listen(value) == expected


@pytest.mark.parametrize("value", ["127.0.0.1:0", "host:port", ":53", "1.2.3.4:70000"])
def test_a_bad_listen_is_refused(value):
    with pytest.raises(server.ConfigError):
        server.parse_listen(value)


def test_the_conf_turns_every_cache_off_and_reads_the_pdns_schema():
    text = server.render(_layout(listen_address="127.0.0.1", listen_port=5353))
    lines = set(text.splitlines())
    for line in (
        "launch=gpgsql",
        "gpgsql-dbname=portal",
        "gpgsql-user=pdns",
        "gpgsql-dnssec=yes",
        "local-address=127.0.0.1",
        "local-port=5353",
        "cache-ttl=0",
        "query-cache-ttl=0",
        "negquery-cache-ttl=0",
        "zone-cache-refresh-interval=0",
    ):
        assert line in lines
    assert "search_path=pdns" in text


def test_the_default_port_is_53():
    assert "local-port=53" in server.render(_layout()).splitlines()


def test_a_sqlite_file_is_served_with_gsqlite3():
    db = server.Database(driver="sqlite", name="/srv/portal/var/db.sqlite3")
    lines = server.render(server.Layout(database=db, listen_port=5353)).splitlines()
    for line in (
        "launch=gsqlite3",
        "gsqlite3-database=/srv/portal/var/db.sqlite3",
        "gsqlite3-dnssec=yes",
        "cache-ttl=0",
        "local-port=5353",
    ):
        assert line in lines
    assert not [line for line in lines if line.startswith("gpgsql")]


def test_another_database_cannot_be_served():
    with pytest.raises(server.ConfigError):
        server.render(server.Layout(database=server.Database(driver="mysql", name="portal")))


@pytest.mark.django_db
def test_the_command_refuses_sqlite_in_memory_or_writes_a_conf(tmp_path):
    from django.db import connection

    if connection.vendor == "sqlite":  # pytest's SQLite test database lives in memory
        with pytest.raises(CommandError):
            call_command("dnsserver_config", out=str(tmp_path))
        return
    call_command("dnsserver_config", out=str(tmp_path), listen="127.0.0.1:5353")
    assert "local-port=5353" in (tmp_path / "pdns.conf").read_text()


def test_system_checks_report_wrong_settings(settings):
    from mailservices.hosteddns.checks import hosted_dns_settings

    assert hosted_dns_settings() == []
    settings.PORTAL_MTA_STS_MODE = "strict"
    settings.PORTAL_DNS_SERVER = "not a server:xx"
    settings.PORTAL_TLSRPT_RUA = "tls@example.org"
    ids = {error.id for error in hosted_dns_settings()}
    assert ids == {"hosteddns.E003", "hosteddns.E004", "hosteddns.E006"}
