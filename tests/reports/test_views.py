"""The per-domain dashboard: the customer's own domains only, advice, charts, query count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mailservices.reports.models import DmarcRecord, Report, SourceHost, TlsResult
from mailservices.services import domain_create

pytestmark = pytest.mark.django_db


def _dmarc(domain, *, days_ago, rows, policy="none", org="receiver.example"):
    begin = timezone.now() - timedelta(days=days_ago)
    report = Report.objects.create(
        kind="dmarc",
        org=org,
        report_id=f"{org}-{days_ago}-{domain.name}",
        domain_name=domain.name,
        domain=domain,
        begin=begin,
        end=begin + timedelta(days=1),
        policy={"p": policy},
    )
    for ip, count, dkim, spf, spf_domain in rows:
        DmarcRecord.objects.create(
            report=report,
            source_ip=ip,
            count=count,
            disposition="none",
            dkim=dkim,
            spf=spf,
            header_from=domain.name,
            spf_domain=spf_domain,
        )
    return report


@pytest.fixture
def domain(world_reports):
    return world_reports


def test_all_aligned_for_30_days_suggests_quarantine(customer_client, domain):
    for days_ago in (35, 20, 1):
        _dmarc(domain, days_ago=days_ago, rows=[("192.0.2.3", 40, "pass", "pass", domain.name)])
    response = customer_client.get(reverse("reports:domain_reports", args=[domain.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sie können zu p=quarantine wechseln" in html
    assert "100 %" in html
    assert "<svg" in html


def test_failing_newsletter_tool_is_named_with_advice(customer_client, domain, settings):
    SourceHost.objects.create(
        ip="198.51.100.77",
        reverse_name="mail-40.out.newsletter-tool.example",
        organisation="newsletter-tool.example",
    )
    SourceHost.objects.create(
        ip="198.51.100.78",
        reverse_name="mail-41.out.newsletter-tool.example",
        organisation="newsletter-tool.example",
    )
    _dmarc(
        domain,
        days_ago=2,
        rows=[
            ("192.0.2.3", 100, "pass", "pass", domain.name),  # the provider's outbound
            ("198.51.100.77", 7, "fail", "fail", "bounces.newsletter-tool.example"),
            ("198.51.100.78", 5, "fail", "fail", "bounces.newsletter-tool.example"),
        ],
    )
    html = customer_client.get(reverse("reports:domain_reports", args=[domain.pk])).content
    html = html.decode()
    assert "2 Server von newsletter-tool.example senden als Ihre Domain" in html
    assert "bounces.newsletter-tool.example" in html
    assert "Alpenpost Mail" in html or settings.PORTAL_PROVIDER_NAME in html


def test_tls_failures_shown(customer_client, domain):
    begin = timezone.now() - timedelta(days=1)
    report = Report.objects.create(
        kind="tlsrpt",
        org="Receiver",
        report_id="t1",
        domain_name=domain.name,
        domain=domain,
        begin=begin,
        end=begin + timedelta(days=1),
    )
    TlsResult.objects.create(
        report=report,
        policy_type="sts",
        policy_domain=domain.name,
        success=120,
        failure=4,
        failure_details=[
            {
                "result_type": "certificate-expired",
                "receiving_mx_hostname": "mx1.alpenpost.example",
                "failed_session_count": 4,
            }
        ],
    )
    html = customer_client.get(reverse("reports:domain_reports", args=[domain.pk])).content
    assert b"certificate-expired" in html
    assert b"120 verschl" in html


def test_no_reports_yet_says_how_to_get_them(customer_client, domain):
    html = customer_client.get(reverse("reports:domain_reports", args=[domain.pk])).content
    assert b"rua=mailto:dmarc-reports@" in html


def test_other_customers_domain_is_not_found(customer_client, other_customer):
    foreign = domain_create(customer=other_customer, name="fremd.ch")
    url = reverse("reports:domain_reports", args=[foreign.pk])
    assert customer_client.get(url).status_code == 404
    assert customer_client.post(url).status_code == 404


def test_dashboard_query_count_does_not_grow(customer_client, domain, django_assert_num_queries):
    for days_ago in range(1, 25):
        _dmarc(
            domain,
            days_ago=days_ago,
            rows=[(f"198.51.100.{i}", 3, "fail", "pass", domain.name) for i in range(20)],
        )
    url = reverse("reports:domain_reports", args=[domain.pk])
    customer_client.get(url)
    # session, user, customer, domain, 9 for the dashboard, cart badge, help links
    with django_assert_num_queries(15):
        response = customer_client.get(url)
    assert response.status_code == 200


def test_service_page_links_to_the_dashboard(customer_client, domain):
    from mailservices.services import mailservice_create

    service = mailservice_create(domain=domain, plan="service_mail")
    html = customer_client.get(reverse("mailservices:service_detail", args=[service.pk])).content
    assert reverse("reports:domain_reports", args=[domain.pk]).encode() in html
