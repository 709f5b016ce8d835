"""Record validation per type (pure functions)."""

import pytest
from django.core.exceptions import ValidationError

from mailservices.hosteddns.records import (
    CleanRecord,
    clean_record,
    relative_name,
    rrset_conflicts,
    txt_presentation,
    txt_strings,
)

ZONE = "example.ch"


def ok(rtype, value, name="@", ttl=3600):
    return clean_record(zone=ZONE, name=name, rtype=rtype, ttl=ttl, value=value)


def errors(rtype, value, name="@", ttl=3600):
    with pytest.raises(ValidationError) as info:
        ok(rtype, value, name, ttl)
    return info.value.message_dict


@pytest.mark.parametrize(
    ("rtype", "name", "value", "stored"),
    [
        ("A", "www", "192.0.2.10", "192.0.2.10"),
        ("AAAA", "www", "2001:DB8:0:0::10", "2001:db8::10"),
        ("CNAME", "shop", "Shops.Example.NET", "shops.example.net."),
        ("CNAME", "blog", "bücher.ch", "xn--bcher-kva.ch."),
        ("MX", "@", "10 mx1.example.net", "10 mx1.example.net."),
        ("MX", "@", "0 .", "0 ."),
        ("TXT", "@", '"v=spf1 -all"', "v=spf1 -all"),
        ("TXT", "@", '"abc" "def"', "abcdef"),
        ("SRV", "_imaps._tcp", "0 1 993 mail.example.net", "0 1 993 mail.example.net."),
        ("CAA", "@", "0 issue letsencrypt.org", '0 issue "letsencrypt.org"'),
        ("TLSA", "_25._tcp.mx", "3 1 1 " + "AB" * 32, "3 1 1 " + "ab" * 32),
        ("NS", "lab", "ns1.other.net", "ns1.other.net."),
    ],
)
def test_good_records_are_stored_normalised(rtype, name, value, stored):
    assert ok(rtype, value, name).value == stored


@pytest.mark.parametrize(
    ("rtype", "name", "value", "field"),
    [
        ("A", "www", "192.0.2.300", "value"),
        ("A", "www", "2001:db8::1", "value"),
        ("AAAA", "www", "192.0.2.1", "value"),
        ("CNAME", "@", "other.example.", "name"),
        ("CNAME", "www", "bad_host name", "value"),
        ("MX", "@", "mx1.example.net", "value"),
        ("MX", "@", "70000 mx1.example.net", "value"),
        ("SRV", "imap", "0 1 993 mail.example.net", "name"),
        ("SRV", "_imaps._tcp", "0 1 99999 mail.example.net", "value"),
        ("CAA", "@", "0 iss!ue x", "value"),
        ("TLSA", "_25._tcp.mx", "3 1 1 abcd", "value"),
        ("TLSA", "mx", "3 1 1 " + "ab" * 32, "name"),
        ("NS", "@", "ns1.other.net", "name"),
        ("TXT", "@", "a\x07b", "value"),
        ("TXT", "@", "x" * 4001, "value"),
        ("A", "bad..name", "192.0.2.1", "name"),
        ("A", "www.other.ch.", "192.0.2.1", "name"),
    ],
)
def test_bad_records_are_refused_on_the_field(rtype, name, value, field):
    assert field in errors(rtype, value, name)


@pytest.mark.parametrize("ttl", [0, 59, 86401, "abc", None])
def test_ttl_bounds(ttl):
    assert "ttl" in errors("A", "192.0.2.1", "www", ttl)


def test_an_unknown_type_is_refused():
    assert "type" in errors("SOA", "x")


def test_names_are_relative_a_labels():
    assert relative_name("@", ZONE) == "@"
    assert relative_name("example.ch.", ZONE) == "@"
    assert relative_name("WWW.example.ch", ZONE) == "www"
    assert relative_name("Bücher", ZONE) == "xn--bcher-kva"
    assert relative_name("*.dev", ZONE) == "*.dev"
    assert relative_name("_dmarc", ZONE) == "_dmarc"


def test_txt_is_split_into_255_byte_strings_without_cutting_a_character():
    value = "a" * 254 + "ü" + "b" * 300
    strings = txt_strings(value)
    assert [len(s) for s in strings] == [254, 255, 47]
    assert b"".join(strings).decode() == value
    assert txt_presentation('say "hi"') == '"say \\"hi\\""'


def _r(name, rtype, value="x"):
    return CleanRecord(name=name, type=rtype, ttl=3600, value=value)


def test_a_cname_never_stands_beside_other_data():
    assert "name" in rrset_conflicts(_r("www", "CNAME"), [_r("www", "A")])
    assert "name" in rrset_conflicts(_r("www", "TXT"), [_r("www", "CNAME")])
    assert rrset_conflicts(_r("www", "CNAME"), [_r("ftp", "A")]) == {}


def test_nothing_but_glue_below_a_delegation():
    delegation = _r("lab", "NS", "ns1.lab.example.ch.")
    assert rrset_conflicts(_r("ns1.lab", "A"), [delegation]) == {}
    assert "name" in rrset_conflicts(_r("www.lab", "TXT"), [delegation])
    assert "name" in rrset_conflicts(_r("lab", "A"), [delegation])
    assert "name" in rrset_conflicts(delegation, [_r("x.lab", "MX")])
