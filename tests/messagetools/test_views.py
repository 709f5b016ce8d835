"""Pages: bounce, phishing report flow; bad input; tenant isolation; query counts.

The message check has its own file (test_check_pages.py)."""

import io
import re

import pytest
from django.core import mail
from django.urls import reverse

from mailservices.models import Domain
from mailservices.services import domain_create, mailservice_create
from messagetools.models import PhishingReport
from messagetools.services import phishing_report_create
from tests.messagetools.test_report import phishing_message

pytestmark = pytest.mark.django_db


def upload(data, name="nachricht.eml"):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_pages_need_a_login(client):
    for name in ("index", "message_check", "bounce", "phishing_new", "phishing_list"):
        response = client.get(reverse(f"messagetools:{name}"))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_index_links_the_tools(customer_client):
    html = customer_client.get(reverse("messagetools:index")).content.decode()
    for name in ("message_check", "bounce", "phishing_new", "phishing_list"):
        assert reverse(f"messagetools:{name}") in html


# -- bounce ----------------------------------------------------------------------------------
def test_bounce_spam_rejection_links_guide_and_check(customer_client):
    url = reverse("messagetools:bounce")
    response = customer_client.post(
        url, {"source": "554 5.7.0 AV: Message is rejected by headers rule filter.."}
    )
    assert response.status_code == 302
    page = customer_client.get(url).content.decode()
    assert "Vom Spam-Filter abgewiesen" in page
    assert "/kb/spam-abgelehnt/" in page
    assert reverse("messagetools:message_check") in page


def test_bounce_sending_limit_links_the_address_usage_page(customer_client, customer):
    from mailservices.services.addresses import address_create

    domain = domain_create(customer=customer, name="muster-firma.ch", source=Domain.Source.EXTERNAL)
    service = mailservice_create(domain=domain, plan="service_mail", address_quota=5)
    address = address_create(service=service, local_part="anna", password="Ein-Langes-Passwort-1")
    text = "451 4.7.1 <anna@muster-firma.ch>: Sending limit exceeded, try again later"
    response = customer_client.post(
        reverse("messagetools:bounce"), {"source": text}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Versandlimit erreicht" in html
    assert f"/usage/addresses/{address.pk}/" in html
    assert "/kb/versandlimits/" in html


def test_bounce_of_another_customers_address_does_not_link_it(customer_client, other_customer):
    from mailservices.services.addresses import address_create

    domain = domain_create(customer=other_customer, name="fremd.ch", source=Domain.Source.EXTERNAL)
    service = mailservice_create(domain=domain, plan="service_mail", address_quota=5)
    address = address_create(service=service, local_part="bruno", password="Ein-Langes-Passwort-1")
    text = "451 4.7.1 <bruno@fremd.ch>: rate limit exceeded"
    html = customer_client.post(
        reverse("messagetools:bounce"), {"source": text}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f"/usage/addresses/{address.pk}/" not in html


def test_bounce_upload_of_a_dsn(customer_client):
    from tests.messagetools.test_bounce import DSN

    html = customer_client.post(
        reverse("messagetools:bounce"), {"file": upload(DSN)}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "kunde@example.net" in html and "mx.example.net" in html


def test_bounce_without_codes(customer_client):
    html = customer_client.post(
        reverse("messagetools:bounce"), {"source": "Hallo"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Keine Fehlercodes gefunden" in html


# -- phishing reports -------------------------------------------------------------------------
def test_report_phishing_flow(customer_client, customer, django_capture_on_commit_callbacks):
    raw = phishing_message()
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(
            reverse("messagetools:phishing_new"), {"file": upload(raw), "note": "Nicht geklickt"}
        )
    report = PhishingReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("messagetools:phishing_detail", args=[report.pk])
    assert report.customer == customer and report.reported_by == customer.owner
    assert len(mail.outbox) == 1
    page = customer_client.get(response["Location"]).content.decode()
    assert "löschen" in page
    assert "Neu – wird geprüft" in page
    assert "https://www.report.ncsc.admin.ch/" in page or "ncsc" in page.lower()
    listing = customer_client.get(reverse("messagetools:phishing_list")).content.decode()
    assert "Ihr Konto wird gesperrt" in listing


def test_new_report_page_explains_deleting_and_ncsc(customer_client, settings):
    html = customer_client.get(reverse("messagetools:phishing_new")).content.decode()
    assert "Danach die Nachricht in Ihrem Postfach löschen" in html
    assert settings.PORTAL_NCSC_REPORT_URL in html


@pytest.mark.parametrize(
    "payload",
    [
        {"file": b"\x00\xff" * 500},
        {"source": "nur ein Satz"},
        {"file": b""},
    ],
)
def test_bad_report_stores_nothing(customer_client, payload):
    data = {k: upload(v) if k == "file" else v for k, v in payload.items()}
    response = customer_client.post(reverse("messagetools:phishing_new"), data)
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not PhishingReport.objects.exists()
    assert not mail.outbox


def test_truncated_and_wrongly_encoded_reports_are_kept(customer_client):
    raw = phishing_message()
    truncated = raw[: len(raw) - 200].replace(b'charset="utf-8"', b'charset="x-unbekannt"')
    response = customer_client.post(
        reverse("messagetools:phishing_new"), {"file": upload(truncated)}
    )
    assert response.status_code == 302
    assert PhishingReport.objects.get().original.read() == truncated


def test_another_customers_report_is_404(customer_client, other_customer):
    foreign = phishing_report_create(
        customer=other_customer, reported_by=other_customer.owner, raw=phishing_message()
    )
    response = customer_client.get(reverse("messagetools:phishing_detail", args=[foreign.pk]))
    assert response.status_code == 404
    listing = customer_client.get(reverse("messagetools:phishing_list")).content.decode()
    assert reverse("messagetools:phishing_detail", args=[foreign.pk]) not in listing


def test_report_list_query_count_does_not_grow(
    customer_client, customer, django_assert_max_num_queries
):
    url = reverse("messagetools:phishing_list")
    phishing_report_create(customer=customer, reported_by=customer.owner, raw=phishing_message())
    customer_client.get(url)  # warm up session and caches
    with django_assert_max_num_queries(8) as one_row:
        customer_client.get(url)
    for _ in range(6):
        phishing_report_create(
            customer=customer, reported_by=customer.owner, raw=phishing_message()
        )
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        response = customer_client.get(url)
    assert len(re.findall(r"/tools/phishing/\d+/", response.content.decode())) == 7
