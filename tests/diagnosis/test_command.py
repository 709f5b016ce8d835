"""`manage.py diagnose DOMAIN [--nameserver HOST:PORT] --json`."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = [pytest.mark.dns, pytest.mark.django_db]


def run(*args) -> str:
    out = StringIO()
    call_command("diagnose", *args, stdout=out)
    return out.getvalue()


def test_json_shape(nsd, diagnosis_settings):
    data = json.loads(run("spf-loop.test", "--nameserver", nsd.address, "--json"))
    assert set(data) == {"domain", "status", "checks"}
    assert data["domain"] == "spf-loop.test"
    assert data["status"] == "error"
    assert [c["name"] for c in data["checks"]] == [
        "mx",
        "spf",
        "dkim",
        "dmarc",
        "autoconfig",
        "dav",
        "mta_sts",
        "dnssec",
    ]
    for check in data["checks"]:
        assert set(check) == {"name", "status", "message", "records"}
        assert check["status"] in {"ok", "warning", "error", "unknown"}
        for record in check["records"]:
            assert {"name", "type", "value", "zone_line"} <= set(record)
    spf = data["checks"][1]
    assert spf["status"] == "error"
    assert "Schleife" in spf["message"]


def test_unicode_domain_and_service_key(nsd, diagnosis_settings, make_keyed_service, customer):
    make_keyed_service(customer, "xn--bcher-kva.test")
    data = json.loads(run("bücher.test", "--nameserver", nsd.address, "--json"))
    assert data["domain"] == "xn--bcher-kva.test"
    assert data["status"] == "ok"
    dkim = data["checks"][2]
    assert dkim["records"][0]["value"].startswith("v=DKIM1; k=rsa; p=")


def test_plain_output_lists_the_fix(nsd, diagnosis_settings):
    text = run("no-mx.test", "--nameserver", nsd.address)
    assert text.startswith("no-mx.test: FEHLER")
    assert "+ no-mx.test. 3600 IN MX 10 mx1.alpenpost.example." in text


@pytest.mark.parametrize("nameserver", ["127.0.0.1:99999", "[::1"])
def test_bad_nameserver_is_a_clear_error(nameserver):
    with pytest.raises(CommandError, match="--nameserver"):
        run("good.test", "--nameserver", nameserver, "--json")


def test_bad_domain_is_a_clear_error():
    with pytest.raises(CommandError):
        run("not a domain!", "--json")
