"""A freshly ordered registered domain is correct by construction: `manage.py diagnose`
against our PowerDNS says `ok` for every check (PostgreSQL run).

Our name server also serves the provider's own zone here (SPF include, MX and mail hosts),
as a provider running its zones on the same PowerDNS would.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider_zone(make_customer):
    from mailservices.models import Domain
    from mailservices.provisioning.models import ZoneRecord

    zone = Domain.objects.create(
        customer=make_customer("staff-zone@example.org"), name="alpenpost.example",
        source="registered",
    )  # fmt: skip
    for name, rtype, value in [
        ("spf", "TXT", "v=spf1 ip4:192.0.2.0/28 ip6:2001:db8:25::/64 -all"),
        ("mx1", "A", "192.0.2.1"),
        ("mx2", "A", "192.0.2.2"),
        ("mail", "A", "192.0.2.3"),
        ("mta-sts", "A", "192.0.2.4"),
    ]:
        ZoneRecord.objects.create(domain=zone, name=name, type=rtype, value=value)
    return zone


def test_a_freshly_ordered_registered_domain_diagnoses_all_ok(
    powerdns, provider_zone, customer, settings
):
    from mailservices.models import Domain
    from mailservices.plans import Plan
    from mailservices.services import domain_create, mailservice_create

    settings.PORTAL_DIAGNOSIS_ON_CREATE = False
    domain = domain_create(customer=customer, name="frisch-bestellt.test", source="registered")
    mailservice_create(domain=domain, plan=Plan.SERVICE_MAIL)
    assert Domain.objects.get(pk=domain.pk).zone_records.filter(managed=True).count() >= 10

    out = StringIO()
    call_command(
        "diagnose", "frisch-bestellt.test", nameserver=powerdns.address, json=True, stdout=out
    )
    result = json.loads(out.getvalue())
    statuses = {check["name"]: check["status"] for check in result["checks"]}
    assert result["status"] == "ok", json.dumps(result, indent=1, ensure_ascii=False)
    assert set(statuses.values()) == {"ok"}


def test_the_diagnosis_reads_our_name_server_and_the_correction_fixes_it(
    powerdns, provider_zone, customer, settings
):
    """Jetzt prüfen on a hosted domain asks our PowerDNS (PORTAL_DNS_SERVER): a broken
    record is seen at once, and "Einträge automatisch korrigieren" makes it ok again."""
    from mailservices.diagnosis.services import diagnosis_queue
    from mailservices.plans import Plan
    from mailservices.provisioning.models import ZoneRecord
    from mailservices.provisioning.services import zone_correct_mail_records, zone_record_delete
    from mailservices.services import domain_create, mailservice_create

    settings.PORTAL_DIAGNOSIS_ON_CREATE = False
    settings.PORTAL_DNS_SERVER = powerdns.address
    domain = domain_create(customer=customer, name="kaputt.test", source="registered")
    service = mailservice_create(domain=domain, plan=Plan.SERVICE_MAIL)
    for record in ZoneRecord.objects.filter(domain=domain, type="MX"):
        zone_record_delete(record=record, confirmed=True)

    run = diagnosis_queue(service=service)
    run.refresh_from_db()
    assert run.status == "error"
    assert zone_correct_mail_records(domain=domain) >= 2
    run = diagnosis_queue(service=service)
    run.refresh_from_db()
    assert run.status == "ok", run.results
