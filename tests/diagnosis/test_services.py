"""Runs with history, DKIM keys, the hosted zone, notifications, the daily schedule."""

import dns.rdatatype
import dns.zone
import pytest
from django.core import mail

from mailservices.diagnosis import selectors, services, tasks
from mailservices.diagnosis.models import DiagnosisRun
from mailservices.diagnosis.schedule import SCHEDULE as BEAT_SCHEDULE
from mailservices.models import Domain
from mailservices.plans import Plan
from mailservices.provisioning import selectors as provisioning_selectors
from mailservices.provisioning import services as provisioning
from mailservices.provisioning.keys import public_key_of
from mailservices.provisioning.models import DkimKey, ZoneRecord
from mailservices.services import domain_create, mailservice_create

pytestmark = [pytest.mark.django_db]


def test_dkim_key_is_made_once_and_is_a_real_pair(make_keyed_service, customer, settings):
    service = make_keyed_service(customer, "fresh.test", with_key=False)
    key = provisioning.dkim_key_ensure(service=service)
    again = provisioning.dkim_key_ensure(service=service)
    assert key.pk == again.pk
    assert key.selector == settings.PORTAL_DKIM_SELECTOR
    assert public_key_of(key.private_key_pem) == key.public_key
    assert DkimKey.objects.count() == 1


@pytest.mark.dns
def test_run_stores_results_and_history(make_keyed_service, customer, diagnosis_settings):
    service = make_keyed_service(customer, "dmarc-none.test")
    for _ in range(2):
        run = services.diagnosis_queue(service=service)
        services.diagnosis_execute(run_pk=run.pk)
    runs = DiagnosisRun.objects.filter(service=service)
    assert runs.count() == 2
    latest = selectors.latest_finished_run(service=service)
    assert latest.state == "done" and latest.status == "warning"
    assert latest.progress_done == latest.progress_total == 8
    checks = selectors.checks_of(latest)
    assert [c.name for c in checks] == [
        "mx",
        "spf",
        "dkim",
        "dmarc",
        "autoconfig",
        "dav",
        "mta_sts",
        "dnssec",
    ]
    assert checks[3].status == "warning" and "p=none" in checks[3].message
    # Running a finished run again changes nothing (Celery may deliver twice).
    assert services.diagnosis_execute(run_pk=latest.pk) is None


@pytest.mark.dns
def test_stored_results_show_in_the_readers_language(
    make_keyed_service, customer, diagnosis_settings
):
    from django.utils import translation

    service = make_keyed_service(customer, "no-mx.test")
    run = services.diagnosis_queue(service=service)
    services.diagnosis_execute(run_pk=run.pk)
    run.refresh_from_db()
    with translation.override("de"):
        german = selectors.checks_of(run)[0].message
    with translation.override("en"):
        english = selectors.checks_of(run)[0].message
    assert "keinen MX-Eintrag" in german
    assert "no MX record" in english


@pytest.mark.dns
def test_one_email_when_a_result_turns_to_error(make_keyed_service, customer, diagnosis_settings):
    service = make_keyed_service(customer, "good.test")
    run = services.diagnosis_queue(service=service)
    services.diagnosis_execute(run_pk=run.pk)
    assert mail.outbox == []
    # The customer breaks the zone: the domain now answers like no-mx.test.
    service.domain.name = "no-mx.test"
    service.domain.save()
    for _ in range(2):
        run = services.diagnosis_queue(service=service)
        services.diagnosis_execute(run_pk=run.pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [customer.owner.email]
    assert "no-mx.test" in message.subject
    assert f"/services/{service.pk}/diagnosis/" in message.body
    assert "keinen MX-Eintrag" in message.body
    assert DiagnosisRun.objects.filter(customer_notified=True).count() == 1


@pytest.mark.dns
def test_new_service_is_diagnosed_at_once(
    customer, diagnosis_settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        domain = domain_create(customer=customer, name="good.test")
        service = mailservice_create(domain=domain, plan=Plan.SERVICE_MAIL)
    run = DiagnosisRun.objects.get(service=service)
    assert run.trigger == "provisioned"
    assert run.state == "done"
    # Its own fresh key is not the one good.test publishes: DKIM says so precisely.
    dkim = selectors.checks_of(run)[2]
    assert dkim.status == "error" and "anderer Schlüssel" in dkim.message
    assert dkim.records[0].value.endswith(service.dkim_key.public_key)


def test_new_registered_domain_gets_its_mail_records(
    customer, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_DIAGNOSIS_ON_CREATE = False
    with django_capture_on_commit_callbacks(execute=True):
        domain = domain_create(customer=customer, name="neu.test", source="registered")
        service = mailservice_create(domain=domain, plan=Plan.SERVICE_MAIL)
    rows = {(r.name, r.type) for r in ZoneRecord.objects.filter(domain=domain)}
    assert {("@", "MX"), ("@", "TXT"), ("_dmarc", "TXT"), ("autoconfig", "CNAME")} <= rows
    assert (f"{settings.PORTAL_DKIM_SELECTOR}._domainkey", "TXT") in rows
    assert not DiagnosisRun.objects.filter(service=service).exists()

    text = provisioning_selectors.zone_text(service=service)
    zone = dns.zone.from_text(text, origin="neu.test.", relativize=False)
    apex = zone.get_node("neu.test.")
    mx = apex.get_rdataset(dns.rdataclass.IN, dns.rdatatype.MX)
    assert sorted(r.exchange.to_text() for r in mx) == [
        "mx1.alpenpost.example.",
        "mx2.alpenpost.example.",
    ]
    assert apex.get_rdataset(dns.rdataclass.IN, dns.rdatatype.SOA)
    dkim = zone.get_node(f"{settings.PORTAL_DKIM_SELECTOR}._domainkey.neu.test.")
    txt = dkim.get_rdataset(dns.rdataclass.IN, dns.rdatatype.TXT)
    value = b"".join(next(iter(txt)).strings).decode()
    assert value == f"v=DKIM1; k=rsa; p={service.dkim_key.public_key}"
    assert all(len(s) <= 255 for s in next(iter(txt)).strings)


def test_zone_records_merge_an_existing_spf_and_keep_custom_records(make_keyed_service, customer):
    service = make_keyed_service(customer, "eigen.test", source="registered")
    domain = service.domain
    ZoneRecord.objects.create(domain=domain, name="@", type="TXT", value="v=spf1 mx -all")
    ZoneRecord.objects.create(
        domain=domain, name="autoconfig", type="CNAME", value="config.other.test."
    )
    provisioning.zone_add_mail_records(domain=domain)
    provisioning.zone_add_mail_records(domain=domain)  # twice: nothing doubles
    spf = ZoneRecord.objects.filter(domain=domain, name="@", type="TXT")
    assert [r.value for r in spf] == ["v=spf1 include:spf.alpenpost.example mx -all"]
    assert list(
        ZoneRecord.objects.filter(domain=domain, name="autoconfig").values_list("value", flat=True)
    ) == ["config.other.test."]
    assert ZoneRecord.objects.filter(domain=domain, type="MX").count() == 2


def test_external_domains_have_no_hosted_zone(make_keyed_service, customer):
    service = make_keyed_service(customer, "extern.test")
    assert provisioning.zone_add_mail_records(domain=service.domain) == []
    text = provisioning_selectors.zone_text(service=service)
    assert "SOA" not in text
    assert "extern.test. 3600 IN MX 10 mx1.alpenpost.example." in text


def test_hourly_slices_cover_every_service_once_a_day(make_keyed_service, customer):
    made = [make_keyed_service(customer, f"s{i}.test", with_key=False) for i in range(30)]
    made[0].status = "suspended"
    made[0].save()
    seen = []
    for hour in range(24):
        seen += list(selectors.services_in_slice(hour=hour))
    assert sorted(seen) == sorted(s.pk for s in made[1:])
    assert max(len(list(selectors.services_in_slice(hour=h))) for h in range(24)) <= 2
    entry = BEAT_SCHEDULE["diagnosis-hourly-slice"]
    assert entry["task"] == tasks.diagnose_hourly_slice.name
    assert str(entry["schedule"]).startswith("<crontab: 0 *")


@pytest.mark.dns
def test_hourly_task_diagnoses_its_slice(
    make_keyed_service, customer, diagnosis_settings, django_capture_on_commit_callbacks
):
    made = [make_keyed_service(customer, "good.test")]
    made += [make_keyed_service(customer, f"other{i}.test") for i in range(3)]
    hour = made[0].pk % 24
    expected = [s.pk for s in made if s.pk % 24 == hour]
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.diagnose_hourly_slice(hour=hour) == len(expected)
    runs = DiagnosisRun.objects.filter(trigger="scheduled")
    assert sorted(runs.values_list("service_id", flat=True)) == sorted(expected)
    assert set(runs.values_list("state", flat=True)) == {"done"}


def test_unknown_domain_of_a_deleted_service_is_ignored():
    assert tasks.diagnose_new_service(987654) is None
    assert not Domain.objects.exists()


def test_system_checks_name_wrong_provider_facts(settings):
    from mailservices.diagnosis.system_checks import provider_facts

    assert provider_facts() == []
    settings.PORTAL_OUTBOUND_IPS = ["192.0.2.0/28", "not-an-ip"]
    settings.PORTAL_MX_HOSTS = []
    settings.PORTAL_DIAGNOSIS_NAMESERVER = "127.0.0.1:0"
    ids = sorted(error.id for error in provider_facts())
    assert ids == ["diagnosis.E001", "diagnosis.E002", "diagnosis.E004"]


@pytest.mark.dns
def test_a_key_keeps_its_selector_after_the_setting_changes(
    make_keyed_service, customer, diagnosis_settings
):
    service = make_keyed_service(customer, "good.test")
    DkimKey.objects.filter(service=service).update(selector="old2025")
    run = services.diagnosis_queue(service=service)
    services.diagnosis_execute(run_pk=run.pk)
    dkim = selectors.checks_of(DiagnosisRun.objects.get(pk=run.pk))[2]
    assert dkim.status == "error"
    assert dkim.records[0].name == "old2025._domainkey.good.test."
