"""MTA-STS policy and records, TLS-RPT record: hosted zones carry them, the portal serves
the policy, its id follows the MX."""

import pytest
from django.urls import reverse

from mailservices.diagnosis.checks.mta_sts import mx_matches, parse_policy
from mailservices.hosteddns import mtasts
from mailservices.provisioning.models import ZoneRecord
from mailservices.provisioning.selectors import mta_sts_policy

pytestmark = pytest.mark.django_db

URL = "/.well-known/mta-sts.txt"


def test_policy_text_and_id():
    text = mtasts.policy_text(["mx2.example.", "MX1.example"], mode="enforce", max_age=604800)
    assert text == (
        "version: STSv1\r\nmode: enforce\r\nmx: mx1.example\r\nmx: mx2.example\r\n"
        "max_age: 604800\r\n"
    )
    other = mtasts.policy_text(["mx1.example"], mode="enforce", max_age=604800)
    assert mtasts.policy_id(text) != mtasts.policy_id(other)
    assert mtasts.policy_id(text).isalnum() and len(mtasts.policy_id(text)) <= 32
    assert parse_policy(text)["mx"] == ["mx1.example", "mx2.example"]
    assert mx_matches("*.example.net", "mx1.example.net")
    assert not mx_matches("*.example.net", "a.b.example.net")


def test_a_hosted_zone_carries_mta_sts_and_tls_rpt(hosted, client, settings):
    rows = {(r.name, r.type): r.value for r in ZoneRecord.objects.filter(domain=hosted)}
    assert rows[("mta-sts", "CNAME")] == settings.PORTAL_MTA_STS_HOST + "."
    assert rows[("_smtp._tls", "TXT")] == f"v=TLSRPTv1; rua={settings.PORTAL_TLSRPT_RUA}"
    response = client.get(URL, HTTP_HOST="mta-sts.zone.test")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    policy = response.content.decode()
    assert rows[("_mta-sts", "TXT")] == f"v=STSv1; id={mtasts.policy_id(policy)}"
    parsed = parse_policy(policy)
    assert parsed["mode"] == "enforce" and parsed["max_age"] == 604800
    assert parsed["mx"] == ["mx1.alpenpost.example", "mx2.alpenpost.example"]


def test_the_id_changes_when_the_mx_change(hosted, customer_client):
    old = ZoneRecord.objects.get(domain=hosted, name="_mta-sts").value
    mx = ZoneRecord.objects.filter(domain=hosted, type="MX").first()
    customer_client.post(
        reverse("provisioning:record_edit", args=[mx.pk]),
        {
            "name": "@",
            "type": "MX",
            "ttl": 3600,
            "value": "10 mx.elsewhere.example",
            "confirm": "on",
        },
    )
    new = ZoneRecord.objects.get(domain=hosted, name="_mta-sts").value
    assert new != old
    policy = mta_sts_policy(domain=hosted)
    assert "mx: mx.elsewhere.example" in policy and "mode: testing" in policy
    assert new == f"v=STSv1; id={mtasts.policy_id(policy)}"


def test_external_domains_get_the_exact_records_and_a_policy(customer, client):
    from mailservices.models import Domain, MailService
    from mailservices.plans import Plan
    from mailservices.provisioning.selectors import zone_text
    from mailservices.provisioning.services import mailservice_provision_dns

    domain = Domain.objects.create(customer=customer, name="ext.test", source="external")
    service = MailService.objects.create(domain=domain, plan=Plan.SERVICE_MAIL, address_quota=5)
    mailservice_provision_dns(service=service)
    text = zone_text(service=service)
    policy = client.get(URL, HTTP_HOST="mta-sts.ext.test").content.decode()
    assert f'_mta-sts.ext.test. 3600 IN TXT "v=STSv1; id={mtasts.policy_id(policy)}"' in text
    assert "_smtp._tls.ext.test. 3600 IN TXT" in text
    assert "mta-sts.ext.test. 3600 IN CNAME" in text


@pytest.mark.parametrize("host", ["mta-sts.unknown.test", "zone.test", "www.zone.test"])
def test_no_policy_for_other_hosts(hosted, client, host):
    assert client.get(URL, HTTP_HOST=host).status_code == 404
