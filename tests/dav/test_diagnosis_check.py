"""The optional diagnosis check of the CalDAV/CardDAV SRV and TXT records (RFC 6764)."""

import pytest

from mailservices.diagnosis.checks.base import OK, UNKNOWN, WARNING, ProviderFacts
from mailservices.diagnosis.checks.dav import DavServer, evaluate_dav, expected_records
from mailservices.diagnosis.dns import ANSWER, FAILURE, NXDOMAIN, AnswerBook, Lookup

SERVER = DavServer("dav.mail.alpenpost.example", 443, "/")
PROVIDER = ProviderFacts("mail.alpenpost.example", ("mx1.alpenpost.example",), "spf.x", (), "s")
NAMES = ("_caldavs._tcp.beispiel.ch", "_carddavs._tcp.beispiel.ch")


def book(srv=None, txt=None, outcome=None):
    answers = AnswerBook()
    for name in NAMES:
        for rdtype, values in (("SRV", srv), ("TXT", txt)):
            if outcome:
                answers.add(Lookup(name, rdtype, outcome))
            elif values:
                answers.add(Lookup(name, rdtype, ANSWER, tuple(values)))
            else:
                answers.add(Lookup(name, rdtype, NXDOMAIN))
    return answers


def test_exact_records_to_publish():
    lines = [r.zone_line for r in expected_records("Beispiel.CH.", SERVER)]
    assert lines == [
        "_caldavs._tcp.beispiel.ch. 3600 IN SRV 0 1 443 dav.mail.alpenpost.example.",
        '_caldavs._tcp.beispiel.ch. 3600 IN TXT "path=/"',
        "_carddavs._tcp.beispiel.ch. 3600 IN SRV 0 1 443 dav.mail.alpenpost.example.",
        '_carddavs._tcp.beispiel.ch. 3600 IN TXT "path=/"',
    ]


def test_missing_records_are_only_a_hint():
    result = evaluate_dav("beispiel.ch", book(), PROVIDER, SERVER)
    assert result.status == OK
    assert "_caldavs._tcp.beispiel.ch fehlt (optional)" in result.message
    assert "_carddavs._tcp.beispiel.ch fehlt (optional)" in result.message
    assert len(result.records) == 4


def test_right_records_are_ok():
    result = evaluate_dav(
        "beispiel.ch",
        book(srv=["0 1 443 dav.mail.alpenpost.example."], txt=['"path=/"']),
        PROVIDER,
        SERVER,
    )
    assert result.status == OK
    assert result.message.startswith("Die Einträge für Kalender und Kontakte")
    assert "_caldavs._tcp.beispiel.ch SRV 0 1 443 dav.mail.alpenpost.example." in result.found


@pytest.mark.parametrize(
    ("srv", "txt", "words"),
    [
        (["0 1 443 dav.elsewhere.example."], ["path=/"], "nennt nicht dav.mail.alpenpost.example"),
        (["0 1 8443 dav.mail.alpenpost.example."], None, "Port 443"),
        (["0 1 443 dav.mail.alpenpost.example."], ["path=/dav/"], "anderen Pfad"),
    ],
)
def test_wrong_records_warn(srv, txt, words):
    result = evaluate_dav("beispiel.ch", book(srv=srv, txt=txt), PROVIDER, SERVER)
    assert result.status == WARNING
    assert words in result.message


def test_dns_failure_is_unknown():
    result = evaluate_dav("beispiel.ch", book(outcome=FAILURE), PROVIDER, SERVER)
    assert result.status == UNKNOWN
    assert len(result.records) == 4


def test_server_from_settings(settings):
    settings.PORTAL_DAV_PUBLIC_URL = "https://mail.alpenpost.example/dav/"
    assert DavServer.from_settings() == DavServer("mail.alpenpost.example", 443, "/dav/")
    settings.PORTAL_DAV_PUBLIC_URL = "http://127.0.0.1:5232/"
    assert DavServer.from_settings() == DavServer("127.0.0.1", 5232, "/")
