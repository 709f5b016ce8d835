"""PowerDNS serves the portal's hosted zones straight from the database (PostgreSQL run)."""

import subprocess
import time

import dns.rcode
import pytest
from django.core.management import call_command

from tests.hosteddns.harness import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def _zone_record():
    from mailservices.provisioning.models import ZoneRecord

    return ZoneRecord


def _serial(powerdns, zone):
    return int(powerdns.answer(zone, "SOA")[0].split()[2])


def test_a_hosted_zone_is_answered_with_soa_ns_and_its_records(powerdns, hosted_domain, settings):
    domain = hosted_domain("served.test")
    _zone_record().objects.create(domain=domain, name="www", type="A", value="192.0.2.10")
    _zone_record().objects.create(
        domain=domain, name="@", type="MX", value="10 mx1.alpenpost.example."
    )
    assert powerdns.answer("www.served.test", "A") == ["192.0.2.10"]
    assert powerdns.answer("served.test", "MX") == ["10 mx1.alpenpost.example."]
    assert powerdns.answer("served.test", "NS") == sorted(
        f"{ns}." for ns in settings.PORTAL_DNS_NAMESERVERS
    )
    soa = powerdns.answer("served.test", "SOA")[0].split()
    assert soa[0] == settings.PORTAL_DNS_NAMESERVERS[0] + "."
    assert soa[1] == "hostmaster.alpenpost.example."
    response = powerdns.query("nothing.served.test", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.flags & dns.flags.AA


def test_an_external_domain_is_not_ours_to_answer(powerdns, make_customer):
    from mailservices.models import Domain

    Domain.objects.create(customer=make_customer(), name="elsewhere.test", source="external")
    assert powerdns.query("elsewhere.test", "SOA").rcode() == dns.rcode.REFUSED


def test_a_change_is_answered_at_once_and_the_serial_rises(powerdns, hosted_domain):
    domain = hosted_domain("live.test")
    first = _serial(powerdns, "live.test")
    record = _zone_record().objects.create(domain=domain, name="app", type="A", value="192.0.2.1")
    assert powerdns.answer("app.live.test", "A") == ["192.0.2.1"]
    added = _serial(powerdns, "live.test")
    assert added > first
    record.value = "192.0.2.2"
    record.save()
    assert powerdns.answer("app.live.test", "A") == ["192.0.2.2"]
    changed = _serial(powerdns, "live.test")
    assert changed > added
    record.delete()
    assert powerdns.query("app.live.test", "A").rcode() == dns.rcode.NXDOMAIN
    assert _serial(powerdns, "live.test") > changed


def test_long_txt_is_split_into_255_byte_strings(powerdns, hosted_domain):
    domain = hosted_domain("txt.test")
    value = "v=DKIM1; k=rsa; p=" + "A" * 380 + ' "quoted" ü'
    _zone_record().objects.create(domain=domain, name="sel._domainkey", type="TXT", value=value)
    response = powerdns.query("sel._domainkey.txt.test", "TXT")
    (rdata,) = list(response.answer[0])
    assert [len(s) for s in rdata.strings] == [255, len(value.encode()) - 255]
    assert b"".join(rdata.strings).decode() == value


def test_pdnsutil_check_zone_finds_nothing_wrong(powerdns, hosted_domain):
    Z = _zone_record()
    domain = hosted_domain("checked.test")
    Z.objects.create(domain=domain, name="@", type="MX", value="10 mx1.alpenpost.example.")
    Z.objects.create(
        domain=domain, name="autoconfig", type="CNAME", value="mail.alpenpost.example."
    )
    Z.objects.create(
        domain=domain, name="_imaps._tcp", type="SRV", value="0 1 993 mail.alpenpost.example."
    )
    Z.objects.create(domain=domain, name="@", type="CAA", value='0 issue "letsencrypt.org"')
    Z.objects.create(domain=domain, name="@", type="TXT", value="v=spf1 -all")
    result = powerdns.pdnsutil("check-zone", "checked.test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 warnings" in result.stdout + result.stderr


def test_dnsserver_config_writes_a_conf_powerdns_runs_on(powerdns, hosted_domain, tmp_path):
    """The command's own output (not the harness's): PowerDNS starts on it and answers."""
    hosted_domain("cmd.test")
    port = free_port()
    call_command(
        "dnsserver_config", out=str(tmp_path), listen=f"127.0.0.1:{port}", socket_dir=str(tmp_path)
    )
    text = (tmp_path / "pdns.conf").read_text()
    assert f"local-port={port}" in text and "cache-ttl=0" in text
    process = subprocess.Popen(
        ["pdns_server", f"--config-dir={tmp_path}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import dns.message
        import dns.query

        deadline = time.monotonic() + 15
        while True:
            try:
                response = dns.query.udp(
                    dns.message.make_query("cmd.test", "SOA"), "127.0.0.1", port=port, timeout=0.5
                )
                break
            except (OSError, dns.exception.Timeout):
                assert time.monotonic() < deadline, "PowerDNS did not answer"
                time.sleep(0.1)
        assert response.rcode() == dns.rcode.NOERROR
        assert response.answer
    finally:
        process.terminate()
        process.wait(timeout=10)
