"""\"Einträge automatisch korrigieren\": a hosted zone's mail records put back in place."""

import pytest
from django.urls import reverse

from mailservices.provisioning.models import ZoneChange, ZoneRecord
from mailservices.provisioning.services import (
    zone_correct_mail_records,
    zone_record_create,
    zone_record_delete,
    zone_record_update,
)

pytestmark = pytest.mark.django_db


def _state(domain):
    return sorted(
        (r.name, r.type, r.value) for r in ZoneRecord.objects.filter(domain=domain, managed=True)
    )


def test_broken_mail_records_are_corrected_and_others_kept(hosted):
    good = _state(hosted)
    mx = ZoneRecord.objects.filter(domain=hosted, type="MX").first()
    zone_record_update(record=mx, name="@", type="MX", ttl=3600, value="10 mx.wrong.example",
                       confirmed=True)  # fmt: skip
    zone_record_delete(record=ZoneRecord.objects.get(domain=hosted, name="_dmarc"), confirmed=True)
    autoconfig = ZoneRecord.objects.get(domain=hosted, name="autoconfig")
    zone_record_delete(record=autoconfig, confirmed=True)
    zone_record_create(domain=hosted, name="autoconfig", type="A", ttl=3600, value="192.0.2.5")
    zone_record_create(domain=hosted, name="www", type="A", ttl=3600, value="192.0.2.80")

    assert zone_correct_mail_records(domain=hosted) >= 4
    assert _state(hosted) == good
    assert not ZoneRecord.objects.filter(domain=hosted, value="10 mx.wrong.example.").exists()
    assert ZoneRecord.objects.filter(domain=hosted, name="www", value="192.0.2.80").exists()
    assert zone_correct_mail_records(domain=hosted) == 0  # twice: nothing more to do


def test_a_correction_can_be_rolled_back(hosted):
    from mailservices.provisioning.services import zone_change_rollback

    zone_record_delete(record=ZoneRecord.objects.get(domain=hosted, name="_dmarc"), confirmed=True)
    zone_correct_mail_records(domain=hosted)
    added = ZoneChange.objects.filter(domain=hosted, action="add").first()
    assert added.after["name"] == "_dmarc"
    zone_change_rollback(change=added)
    assert not ZoneRecord.objects.filter(domain=hosted, name="_dmarc").exists()


def test_the_diagnosis_page_offers_the_correction_for_a_hosted_domain(customer_client, hosted):
    from mailservices.diagnosis.models import DiagnosisRun

    service = hosted.mail_service
    DiagnosisRun.objects.create(service=service, state="done", status="error", results=[])
    page = customer_client.get(reverse("diagnosis:service_diagnosis", args=[service.pk]))
    text = page.content.decode()
    assert "Einträge automatisch korrigieren" in text
    assert reverse("provisioning:zone_correct", args=[hosted.pk]) in text
    assert "Veröffentlichen Sie die unten genannten Einträge" not in text

    zone_record_delete(record=ZoneRecord.objects.get(domain=hosted, name="_dmarc"), confirmed=True)
    response = customer_client.post(reverse("provisioning:zone_correct", args=[hosted.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("diagnosis:service_diagnosis", args=[service.pk])
    assert ZoneRecord.objects.filter(domain=hosted, name="_dmarc", managed=True).exists()


def test_another_customer_cannot_correct(client, make_customer, hosted):
    client.force_login(make_customer("x@example.org").owner)
    url = reverse("provisioning:zone_correct", args=[hosted.pk])
    assert client.post(url).status_code == 404
    assert client.get(url).status_code in (404, 405)


@pytest.mark.parametrize(
    "url, published",
    [
        ("https://dav.mail.alpenpost.example/", True),
        ("http://dav.mail.alpenpost.example/", False),  # `_caldavs` means TLS
        ("https://192.0.2.7/", False),  # an SRV record cannot name an address
    ],
)
def test_a_hosted_zone_points_calendar_clients_at_our_dav_server(settings, hosted, url, published):
    settings.PORTAL_DAV_PUBLIC_URL = url
    zone_correct_mail_records(domain=hosted)
    dav = sorted(
        (r.name, r.type, r.value)
        for r in ZoneRecord.objects.filter(domain=hosted, name__endswith="._tcp", managed=True)
        if r.name.startswith(("_caldavs", "_carddavs"))
    )
    expected = [
        ("_caldavs._tcp", "SRV", "0 1 443 dav.mail.alpenpost.example."),
        ("_caldavs._tcp", "TXT", "path=/"),
        ("_carddavs._tcp", "SRV", "0 1 443 dav.mail.alpenpost.example."),
        ("_carddavs._tcp", "TXT", "path=/"),
    ]
    assert dav == (expected if published else [])
