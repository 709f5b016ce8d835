"""Hosted zones are signed by PowerDNS with the key the portal made; the DS the portal
shows validates the answers (dnspython as the validating resolver)."""

import dns.dnssec
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest

from mailservices.hosteddns.selectors import zone_ds_records
from mailservices.hosteddns.services import zone_secure

pytestmark = pytest.mark.django_db(transaction=True)


def _trusted_keys(powerdns, zone: str, ds_text: str):
    """The zone's DNSKEY set, validated against the DS the portal shows."""
    origin = dns.name.from_text(zone)
    response = powerdns.query(zone, "DNSKEY", dnssec=True)
    keys = response.find_rrset(response.answer, origin, dns.rdataclass.IN, dns.rdatatype.DNSKEY)
    sig = response.find_rrset(
        response.answer, origin, dns.rdataclass.IN, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY
    )
    ds = dns.rrset.from_text(origin, 3600, "IN", "DS", ds_text).pop()
    assert any(dns.dnssec.make_ds(origin, key, ds.digest_type) == ds for key in keys)
    dns.dnssec.validate(keys, sig, {origin: keys})
    return {origin: keys}


def _validate_section(section, keys):
    for rrset in section:
        if rrset.rdtype == dns.rdatatype.RRSIG:
            continue
        sigs = [
            s
            for s in section
            if s.rdtype == dns.rdatatype.RRSIG and s.name == rrset.name and s.covers == rrset.rdtype
        ]
        assert sigs, f"no RRSIG for {rrset.name} {rrset.rdtype}"
        dns.dnssec.validate(rrset, sigs[0], keys)


def test_signed_answers_validate_against_the_ds_shown(powerdns, hosted_domain):
    from mailservices.provisioning.models import ZoneRecord

    domain = hosted_domain("signed.test")
    ZoneRecord.objects.create(domain=domain, name="www", type="A", value="192.0.2.7")
    ZoneRecord.objects.create(domain=domain, name="@", type="MX", value="10 mx1.alpenpost.example.")
    zone_secure(domain=domain)
    zone_secure(domain=domain)  # twice: still one key
    (ds,) = zone_ds_records(domain=domain)
    assert ds.algorithm == 13 and ds.digest_type == 2 and len(ds.digest) == 64
    keys = _trusted_keys(powerdns, "signed.test", ds.text)

    for name, rdtype in [("www.signed.test", "A"), ("signed.test", "MX"), ("signed.test", "SOA")]:
        response = powerdns.query(name, rdtype, dnssec=True)
        assert response.rcode() == dns.rcode.NOERROR
        _validate_section(response.answer, keys)

    # Denial of existence is signed too (narrow NSEC3, no rectify needed).
    response = powerdns.query("missing.signed.test", "A", dnssec=True)
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert any(r.rdtype == dns.rdatatype.NSEC3 for r in response.authority)
    _validate_section(response.authority, keys)

    # A new record is signed at once as well.
    ZoneRecord.objects.create(domain=domain, name="new", type="TXT", value="hello")
    _validate_section(powerdns.query("new.signed.test", "TXT", dnssec=True).answer, keys)

    result = powerdns.pdnsutil("check-zone", "signed.test")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_external_domain_gets_no_key(make_customer):
    from mailservices.models import Domain

    domain = Domain.objects.create(customer=make_customer(), name="ext.test", source="external")
    assert zone_secure(domain=domain) is None
    assert zone_ds_records(domain=domain) == []


def test_the_chain_check_against_our_name_server(powerdns, hosted_domain):
    import json
    from io import StringIO

    from django.core.management import call_command

    from mailservices.hosteddns.dnssec import check_chain, ds_record, generate_key_content

    domain = hosted_domain("chain.test")
    zone_secure(domain=domain)
    out = StringIO()
    call_command("dnssec_check", "chain.test", nameserver=powerdns.address, stdout=out)
    assert json.loads(out.getvalue())["status"] == "ok"

    def query(name, rdtype):
        return powerdns.query(name, rdtype, dnssec=True)

    other = ds_record("chain.test", generate_key_content())
    assert check_chain("chain.test", query, [other]) == ("error", "ds-mismatch")
    assert check_chain("chain.test", query, []) == ("warning", "no-ds")
    unsigned = hosted_domain("unsigned.test")
    assert check_chain(unsigned.name, query, [other]) == ("error", "no-dnskey")
