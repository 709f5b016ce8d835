"""Diagnosis pages: results, "Jetzt prüfen" with and without htmx, tenant isolation, queries."""

import pytest
from django.urls import reverse

from mailservices.diagnosis import services
from mailservices.diagnosis.models import DiagnosisRun
from mailservices.provisioning import services as provisioning_services

pytestmark = [pytest.mark.django_db]


def diagnosed(service, times=1):
    for _ in range(times):
        run = services.diagnosis_queue(service=service)
        services.diagnosis_execute(run_pk=run.pk)
    return DiagnosisRun.objects.filter(service=service).first()


@pytest.mark.dns
def test_page_shows_lights_advice_and_copy_buttons(
    customer_client, customer, make_keyed_service, diagnosis_settings
):
    service = make_keyed_service(customer, "mx-trailing-dot.test")
    diagnosed(service)
    response = customer_client.get(reverse("diagnosis:service_diagnosis", args=[service.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="light light-error"' in html
    assert "Punkt am Ende" in html
    # Each record: name, value and zone-file line to copy.
    assert 'data-copy="mx-trailing-dot.test."' in html
    assert 'data-copy="10 mx1.alpenpost.example."' in html
    assert 'data-copy="mx-trailing-dot.test. 3600 IN MX 10 mx1.alpenpost.example."' in html
    assert "Entfernen" in html  # the broken MX to remove
    assert f'action="/services/{service.pk}/diagnosis/run/"' in html


def test_page_without_any_run(customer_client, customer, make_keyed_service):
    service = make_keyed_service(customer, "neu.test", with_key=False)
    response = customer_client.get(reverse("diagnosis:service_diagnosis", args=[service.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "noch keine Diagnose" in html
    # The domain's DMARC and TLS-RPT reports are one click away.
    assert reverse("reports:domain_reports", args=[service.domain.pk]) in html


@pytest.mark.dns
def test_run_without_js_redirects_to_progress_then_to_result(
    customer_client,
    customer,
    make_keyed_service,
    diagnosis_settings,
    django_capture_on_commit_callbacks,
):
    service = make_keyed_service(customer, "good.test")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = customer_client.post(reverse("diagnosis:run", args=[service.pk]))
    run = DiagnosisRun.objects.get(service=service)
    assert response.status_code == 302
    assert response.url == reverse("diagnosis:status", args=[run.pk])
    # While it waits, the progress page refreshes itself.
    waiting = customer_client.get(response.url)
    assert waiting.status_code == 200
    assert b'http-equiv="refresh"' in waiting.content
    assert b"0 von 8 Pr" in waiting.content
    for callback in callbacks:
        callback()  # the worker runs the task
    done = customer_client.get(response.url)
    assert done.status_code == 302
    assert done.url.endswith(f"/services/{service.pk}/diagnosis/#ergebnis")
    page = customer_client.get(done.url.split("#")[0])
    assert "Alles in Ordnung" in page.content.decode()


@pytest.mark.dns
def test_run_with_htmx_polls_until_done(
    customer_client,
    customer,
    make_keyed_service,
    diagnosis_settings,
    django_capture_on_commit_callbacks,
):
    service = make_keyed_service(customer, "good.test")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = customer_client.post(
            reverse("diagnosis:run", args=[service.pk]), headers={"HX-Request": "true"}
        )
    run = DiagnosisRun.objects.get(service=service)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a partial
    assert f'hx-get="/diagnosis/runs/{run.pk}/"' in html
    assert 'hx-trigger="every 1s"' in html
    # A second click while it runs does not start a second run.
    customer_client.post(reverse("diagnosis:run", args=[service.pk]))
    assert DiagnosisRun.objects.filter(service=service).count() == 1
    for callback in callbacks:
        callback()
    poll = customer_client.get(
        reverse("diagnosis:status", args=[run.pk]), headers={"HX-Request": "true"}
    )
    assert poll.status_code == 200
    assert poll["HX-Redirect"] == f"/services/{service.pk}/diagnosis/?run={run.pk}#ergebnis"


def test_zone_export_is_plain_text(customer_client, customer, make_keyed_service):
    service = make_keyed_service(customer, "extern.test")
    response = customer_client.get(reverse("diagnosis:zone_export", args=[service.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"extern.test. 3600 IN MX 10 mx1.alpenpost.example." in response.content


def test_another_customers_service_is_404_everywhere(
    client, customer, other_customer, make_keyed_service
):
    service = make_keyed_service(customer, "anna.test", with_key=False)
    run = services.diagnosis_queue(service=service)
    client.force_login(other_customer.owner)
    urls = [
        ("get", reverse("diagnosis:service_diagnosis", args=[service.pk])),
        ("post", reverse("diagnosis:run", args=[service.pk])),
        ("get", reverse("diagnosis:status", args=[run.pk])),
        ("get", reverse("diagnosis:zone_export", args=[service.pk])),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 404, url
        assert getattr(client, method)(url, headers={"HX-Request": "true"}).status_code == 404
    assert DiagnosisRun.objects.count() == 1  # the foreign POST started nothing


def test_pages_need_a_login(client, customer, make_keyed_service):
    service = make_keyed_service(customer, "anna.test", with_key=False)
    response = client.get(reverse("diagnosis:service_diagnosis", args=[service.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_run_is_post_only(customer_client, customer, make_keyed_service):
    service = make_keyed_service(customer, "anna.test", with_key=False)
    response = customer_client.get(reverse("diagnosis:run", args=[service.pk]))
    assert response.status_code == 405


@pytest.mark.dns
def test_query_count_does_not_grow_with_history(
    customer_client, customer, make_keyed_service, diagnosis_settings, django_assert_max_num_queries
):
    service = make_keyed_service(customer, "dmarc-none.test")
    url = reverse("diagnosis:service_diagnosis", args=[service.pk])
    diagnosed(service, times=1)
    with django_assert_max_num_queries(12) as few:
        customer_client.get(url)
    diagnosed(service, times=6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = customer_client.get(url)
    assert response.content.decode().count('<td><span class="badge badge-warning">') == 7


@pytest.mark.dns
def test_summary_partial_on_the_service_page(
    customer_client, customer, make_keyed_service, diagnosis_settings
):
    service = make_keyed_service(customer, "spf-plus-all.test")
    diagnosed(service)
    response = customer_client.get(reverse("mailservices:service_detail", args=[service.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Automatische Diagnose" in html
    assert html.count('class="light light-') == 8
    assert 'class="light light-error"' in html
    assert f'href="/services/{service.pk}/diagnosis/"' in html


@pytest.mark.dns
def test_english_page(customer_client, customer, make_keyed_service, diagnosis_settings):
    service = make_keyed_service(customer, "no-mx.test")
    diagnosed(service)
    customer_client.cookies["django_language"] = "en"
    response = customer_client.get(reverse("diagnosis:service_diagnosis", args=[service.pk]))
    html = response.content.decode()
    assert "Check now" in html
    assert "There is no MX record" in html


def test_admin_lists_runs_keys_and_zone_records(staff_client, customer, make_keyed_service):
    service = make_keyed_service(customer, "anna.test", source="registered")
    provisioning_services.zone_add_mail_records(domain=service.domain)
    services.diagnosis_queue(service=service)
    for model in ("diagnosis/diagnosisrun", "provisioning/dkimkey", "provisioning/zonerecord"):
        response = staff_client.get(f"/admin/{model}/")
        assert response.status_code == 200, model
    key_page = staff_client.get(f"/admin/provisioning/dkimkey/{service.dkim_key.pk}/change/")
    assert key_page.status_code == 200
    assert b"PRIVATE KEY" not in key_page.content


@pytest.mark.parametrize("source", ["registered", "external"])
def test_hosted_domains_are_never_told_to_publish_records(
    customer_client, customer, make_keyed_service, source
):
    from mailservices.diagnosis.checks import ERROR, CheckResult, Finding, Record, Text, mx, spf

    service = make_keyed_service(customer, "zone.test", source=source)
    checks = [
        CheckResult.from_findings(
            name,
            [Finding(ERROR, Text(msgid, {"domain": "zone.test"}))],
            [Record("zone.test", t, v)],
        ).to_storage()
        for name, msgid, t, v in (
            ("mx", mx.NO_MX, "MX", "10 mx1.alpenpost.example."),
            ("spf", spf.NO_SPF, "TXT", "v=spf1 include:spf.alpenpost.example ~all"),
        )
    ]
    DiagnosisRun.objects.create(
        service=service, state="done", status="error", results=checks, progress_total=2
    )
    html = customer_client.get(reverse("diagnosis:service_diagnosis", args=[service.pk]))
    html = html.content.decode()
    told_to_publish = ("Veröffentlichen Sie", "DNS-Anbieter", "So beheben Sie es")
    if source == "registered":
        assert not any(text in html for text in told_to_publish)
        assert "wir tragen die folgenden MX-Einträge für Sie ein" in html
    else:
        assert all(text in html for text in told_to_publish)
