"""PowerDNS's gsqlite3 backend on a SQLite file of the portal (what `make run` starts), on
the SQLite run of the suite: the test database is copied into a temporary file (sqlite3's
backup, so the file holds exactly what the migrations made) and a private PowerDNS (free
port, temporary directory) reads it. Under CI=true a missing pdns_server or gsqlite3
backend fails these tests; on the PostgreSQL run the gpgsql tests beside this file run
instead (the views here are SQLite's).
"""

import json
import shutil
import sqlite3
import time
from io import StringIO
from pathlib import Path

import dns.rcode
import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import require_service

pytestmark = pytest.mark.django_db(transaction=True)


def gsqlite3_available() -> bool:
    return (
        shutil.which("pdns_server") is not None
        and shutil.which("pdnsutil") is not None
        and any(Path("/usr/lib").glob("*/pdns/libgsqlite3backend.so"))
    )


@pytest.fixture
def serve_copy(tmp_path):
    """`serve_copy()`: the test database as a file now, and a PowerDNS reading it."""
    from mailservices.hosteddns import server
    from tests.hosteddns.harness import PowerDns

    if connection.vendor != "sqlite":
        pytest.skip("gsqlite3 reads SQLite; the PostgreSQL run tests gpgsql")
    require_service(
        "PowerDNS with gsqlite3 (pdns-server pdns-backend-sqlite3)", gsqlite3_available()
    )
    started = []

    def serve():
        path = tmp_path / f"portal-{len(started)}.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as target:
            connection.connection.backup(target)
        target.close()
        pdns = PowerDns(server.Database(driver="sqlite", name=str(path)))
        started.append(pdns)
        pdns.start()
        pdns.path = path
        return pdns

    yield serve
    for pdns in started:
        pdns.stop()


@pytest.fixture
def provider_zone(make_customer):
    """The provider's own zone as `make run`'s demo seeds it (hosteddns.demo)."""
    from mailservices.hosteddns.demo import provider_zone_records
    from mailservices.models import Domain
    from mailservices.provisioning.models import ZoneRecord

    zone = Domain.objects.create(
        customer=make_customer("provider@example.org"), name="alpenpost.example",
        source="registered",
    )  # fmt: skip
    records = provider_zone_records("alpenpost.example")
    assert {r[0] for r in records} >= {"spf", "mx1", "mx2", "mail", "mta-sts"}
    for name, rtype, value in records:
        ZoneRecord.objects.create(domain=zone, name=name, type=rtype, value=value)
    return zone


def _write(path: Path, sql: str, *params) -> None:
    """A change by another writer of the file (the portal's own connection is the test
    database in memory): the triggers in the file run as for the portal."""
    with sqlite3.connect(path) as db:
        db.execute(sql, params)
    db.close()


def _serial(pdns, zone: str) -> int:
    return int(pdns.answer(zone, "SOA")[0].split()[2])


def test_a_registered_domain_is_served_signed_and_diagnoses_all_ok(
    serve_copy, provider_zone, customer, settings
):
    from mailservices.diagnosis.checks.dkim import dkim_name, dkim_value
    from mailservices.hosteddns.selectors import zone_ds_records
    from mailservices.models import Domain
    from mailservices.plans import Plan
    from mailservices.services import domain_create, mailservice_create
    from tests.hosteddns.test_dnssec import _trusted_keys, _validate_section

    settings.PORTAL_DIAGNOSIS_ON_CREATE = False
    domain = domain_create(customer=customer, name="lite.test", source="registered")
    service = mailservice_create(domain=domain, plan=Plan.SERVICE_MAIL)
    Domain.objects.create(customer=customer, name="elsewhere.test", source="external")
    key = service.dkim_key
    pdns = serve_copy()

    assert pdns.answer("lite.test", "MX") == [
        f"{10 * (i + 1)} {host}." for i, host in enumerate(settings.PORTAL_MX_HOSTS)
    ]
    assert pdns.answer("lite.test", "NS") == sorted(
        f"{ns}." for ns in settings.PORTAL_DNS_NAMESERVERS
    )
    # The DKIM record: one TXT of several 255-byte strings, the value as published.
    response = pdns.query(dkim_name("lite.test", key.selector), "TXT")
    (txt,) = response.answer[0]
    assert max(len(s) for s in txt.strings) == 255
    assert b"".join(txt.strings).decode() == dkim_value(key.public_key)
    assert pdns.query("nothing.lite.test", "A").rcode() == dns.rcode.NXDOMAIN
    assert pdns.query("elsewhere.test", "SOA").rcode() == dns.rcode.REFUSED

    # Signed live with the key the portal made; the DS the portal shows validates it.
    (ds,) = zone_ds_records(domain=domain)
    keys = _trusted_keys(pdns, "lite.test", ds.text)
    _validate_section(pdns.query("lite.test", "MX", dnssec=True).answer, keys)
    denial = pdns.query("missing.lite.test", "A", dnssec=True)
    _validate_section(denial.authority, keys)
    result = pdns.pdnsutil("check-zone", "lite.test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors" in result.stdout + result.stderr

    out = StringIO()
    call_command("diagnose", "lite.test", nameserver=pdns.address, json=True, stdout=out)
    report = json.loads(out.getvalue())
    assert report["status"] == "ok", json.dumps(report, indent=1, ensure_ascii=False)
    assert {check["status"] for check in report["checks"]} == {"ok"}


def test_a_change_in_the_file_is_answered_at_once_and_the_serial_rises(serve_copy, hosted_domain):
    from mailservices.provisioning.models import ZoneRecord

    domain = hosted_domain("change.test")
    ZoneRecord.objects.create(domain=domain, name="@", type="MX", value="10 mx1.example.")
    pdns = serve_copy()
    first = _serial(pdns, "change.test")
    assert first < time.time()

    _write(
        pdns.path,
        "INSERT INTO diagnosis_zonerecord (domain_id, name, type, ttl, value, managed, "
        "updated_at) VALUES (?, 'app', 'A', 300, '192.0.2.5', 0, '2026-12-06 12:00:00')",
        domain.pk,
    )
    assert pdns.answer("app.change.test", "A") == ["192.0.2.5"]
    added = _serial(pdns, "change.test")
    assert added > first
    _write(pdns.path, "UPDATE diagnosis_zonerecord SET value = '192.0.2.6' WHERE name = 'app'")
    assert pdns.answer("app.change.test", "A") == ["192.0.2.6"]
    assert _serial(pdns, "change.test") > added
    _write(pdns.path, "DELETE FROM diagnosis_zonerecord WHERE name = 'app'")
    assert pdns.query("app.change.test", "A").rcode() == dns.rcode.NXDOMAIN


def test_txt_quoting_delegations_and_srv_as_in_postgresql(serve_copy, hosted_domain):
    from mailservices.provisioning.models import ZoneRecord

    domain = hosted_domain("views.test")
    long_value = "ä" * 200  # 400 bytes: split at 254 bytes, never inside a character
    for name, rtype, value in [
        ("q", "TXT", 'say "hi" \\ bye'),
        ("long", "TXT", long_value),
        ("_imaps._tcp", "SRV", "0 1 993 mail.alpenpost.example."),
        ("www", "CNAME", "views.test."),
        ("sub", "NS", "ns.elsewhere.example."),
        ("host.sub", "A", "192.0.2.9"),
    ]:
        ZoneRecord.objects.create(domain=domain, name=name, type=rtype, value=value)
    pdns = serve_copy()

    assert pdns.answer("q.views.test", "TXT") == ['"say \\"hi\\" \\\\ bye"']
    (txt,) = pdns.query("long.views.test", "TXT").answer[0]
    assert [len(s) for s in txt.strings] == [254, 146]
    assert b"".join(txt.strings).decode() == long_value
    assert pdns.answer("_imaps._tcp.views.test", "SRV") == ["0 1 993 mail.alpenpost.example."]
    assert pdns.answer("www.views.test", "CNAME") == ["views.test."]
    # Below the delegation the zone refers to the child's name servers.
    response = pdns.query("host.sub.views.test", "A")
    assert not response.answer
    assert not response.flags & dns.flags.AA
    assert [rr.to_text() for rrset in response.authority for rr in rrset] == [
        "ns.elsewhere.example."
    ]


def test_pdnsutil_writes_keys_and_metadata_through_the_views(serve_copy, hosted_domain):
    """The views are writable as PostgreSQL's simple views are (INSTEAD OF triggers).
    Rectifying (`secure-zone`, `rectify-zone`) is not: the records are the portal's, and
    narrow NSEC3 needs no ordername, on both databases."""
    from mailservices.hosteddns.models import CryptoKey

    domain = hosted_domain("tool.test")
    pdns = serve_copy()

    def rows(sql):
        with sqlite3.connect(pdns.path) as db:
            found = db.execute(sql, (domain.pk,)).fetchall()
        db.close()
        return found

    def pdnsutil(*args):
        result = pdns.pdnsutil(*args)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    pdnsutil("add-zone-key", "tool.test", "ksk", "active", "ecdsa256")
    pdnsutil("set-meta", "tool.test", "NSEC3PARAM", "1 0 0 -")
    pdnsutil("set-meta", "tool.test", "NSEC3NARROW", "1")
    ((key_id, flags, active),) = rows(
        "SELECT id, flags, active FROM hosteddns_cryptokey WHERE domain_id = ?"
    )
    assert (flags, active) == (257, 1)
    assert sorted(rows("SELECT kind, content FROM hosteddns_zonemetadata WHERE domain_id = ?")) == [
        ("NSEC3NARROW", "1"),
        ("NSEC3PARAM", "1 0 0 -"),
    ]
    assert pdns.query("tool.test", "DNSKEY", dnssec=True).answer
    assert "NSEC3" in pdnsutil("show-zone", "tool.test")

    pdnsutil("deactivate-zone-key", "tool.test", str(key_id))
    assert rows("SELECT active FROM hosteddns_cryptokey WHERE domain_id = ?") == [(0,)]
    pdnsutil("remove-zone-key", "tool.test", str(key_id))
    pdnsutil("set-meta", "tool.test", "NSEC3NARROW")
    assert rows("SELECT count(*) FROM hosteddns_cryptokey WHERE domain_id = ?") == [(0,)]
    assert rows("SELECT kind FROM hosteddns_zonemetadata WHERE domain_id = ?") == [("NSEC3PARAM",)]
    # The portal's own tables in the test database were not touched (a copy was served).
    assert not CryptoKey.objects.filter(domain=domain).exists()


def test_the_triggers_come_back_after_a_migrate_that_dropped_them():
    from django.apps import apps

    from mailservices.hosteddns.apps import _ensure_sqlite_schema

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER pdns_zone_record_added")
    _ensure_sqlite_schema(apps.get_app_config("hosteddns"), using="default")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'pdns%'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert "pdns_zone_record_added" in names and len(names) == 9
