"""A freshly ordered registered domain, diagnosed against our PowerDNS (PostgreSQL run): the
DNSSEC chain validates against the DS the portal shows, MTA-STS is the policy the portal
serves; a changed DS or a stale `_mta-sts` id is seen."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.hosteddns.conftest import powerdns  # noqa: F401 - the PowerDNS fixture
from tests.hosteddns.test_diagnose_e2e import provider_zone  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def diagnose_json(domain, nameserver) -> dict:
    out = StringIO()
    call_command("diagnose", domain, nameserver=nameserver, json=True, stdout=out)
    return {c["name"]: c for c in json.loads(out.getvalue())["checks"]}


def test_hosted_zone_dnssec_and_mta_sts(powerdns, provider_zone, customer, settings):  # noqa: F811
    from mailservices.diagnosis.runner import diagnose
    from mailservices.diagnosis.selectors import zone_facts
    from mailservices.hosteddns.selectors import zone_ds_records
    from mailservices.plans import Plan
    from mailservices.services import domain_create, mailservice_create

    settings.PORTAL_DIAGNOSIS_ON_CREATE = False
    domain = domain_create(customer=customer, name="signiert.test", source="registered")
    mailservice_create(domain=domain, plan=Plan.SERVICE_MAIL)
    [ds] = zone_ds_records(domain=domain)

    checks = diagnose_json("signiert.test", powerdns.address)
    dnssec, mta_sts = checks["dnssec"], checks["mta_sts"]
    assert dnssec["status"] == "ok" and "DNSKEY und Signaturen passen" in dnssec["message"]
    assert [r["value"] for r in dnssec["records"]] == [ds.text]
    assert mta_sts["status"] == "ok" and "MTA-STS ist eingerichtet" in mta_sts["message"]

    facts = zone_facts(domain=domain)
    other = ds.text[:-4] + ("0000" if not ds.text.endswith("0000") else "1111")
    wrong = diagnose(
        "signiert.test",
        nameserver=powerdns.address,
        zone=type(facts)(ds_records=(other,), mta_sts_policy=facts.mta_sts_policy + "mx: x\r\n"),
    )
    by_name = {c.name: c for c in wrong.checks}
    assert by_name["dnssec"].status == "error"
    assert "passt nicht zum DS-Eintrag" in by_name["dnssec"].message
    assert by_name["mta_sts"].status == "warning"
    assert "nennt nicht die id" in by_name["mta_sts"].message
