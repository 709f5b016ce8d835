"""Staff triage in the admin."""

import pytest
from django.urls import reverse

from messagetools.models import PhishingReport
from messagetools.services import phishing_report_create
from tests.messagetools.test_report import phishing_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(customer):
    return phishing_report_create(
        customer=customer, reported_by=customer.owner, raw=phishing_message()
    )


def test_changelist_and_change_page(staff_client, report):
    listing = staff_client.get(reverse("admin:messagetools_phishingreport_changelist"))
    assert listing.status_code == 200
    assert "Ihr Konto wird gesperrt" in listing.content.decode()
    page = staff_client.get(reverse("admin:messagetools_phishingreport_change", args=[report.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    for needle in ("198.51.100.7", "https://evil.example/login", "formular.html", "Return-Path"):
        assert needle in html


def test_triage_through_the_change_form(staff_client, staff_user, report):
    url = reverse("admin:messagetools_phishingreport_change", args=[report.pk])
    data = {
        "new_status": "confirmed",
        "note": "Bekannte Kampagne",
        "notes-TOTAL_FORMS": "0",
        "notes-INITIAL_FORMS": "0",
        "notes-MIN_NUM_FORMS": "0",
        "notes-MAX_NUM_FORMS": "1000",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    report.refresh_from_db()
    assert report.status == "confirmed"
    note = report.notes.get()
    assert (note.text, note.author, note.status_to) == (
        "Bekannte Kampagne",
        staff_user,
        "confirmed",
    )
    # "closed" is now offered; "new" is not
    html = staff_client.get(url).content.decode()
    assert 'value="closed"' in html and 'value="false_positive"' not in html


def test_bulk_actions_skip_steps_that_are_not_allowed(staff_client, customer, report):
    closed = phishing_report_create(customer=customer, reported_by=None, raw=phishing_message())
    PhishingReport.objects.filter(pk=closed.pk).update(status="closed", outcome="confirmed")
    response = staff_client.post(
        reverse("admin:messagetools_phishingreport_changelist"),
        {"action": "mark_false_positive", "_selected_action": [report.pk, closed.pk]},
        follow=True,
    )
    assert "1 Meldung geändert, 1 übersprungen" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "false_positive"


def test_original_download(staff_client, report):
    with report.original.open("rb") as handle:
        expected = handle.read()
    response = staff_client.get(
        reverse("admin:messagetools_phishingreport_original", args=[report.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == expected
    assert expected.startswith(b"From: Bank Sicherheit")
    assert "phishing-meldung" in response["Content-Disposition"]


def test_customers_cannot_use_the_admin(customer_client, report):
    response = customer_client.get(
        reverse("admin:messagetools_phishingreport_original", args=[report.pk])
    )
    assert response.status_code == 302
