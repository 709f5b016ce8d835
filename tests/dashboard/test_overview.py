import pytest
from django.urls import reverse

from mailservices.diagnosis.models import DiagnosisRun
from mailservices.plans import Plan
from mailservices.services import domain_create, mailservice_create


def _service(customer, name, plan=Plan.SERVICE_MAIL):
    return mailservice_create(domain=domain_create(customer=customer, name=name), plan=plan)


def _finished_run(service, status):
    return DiagnosisRun.objects.create(
        service=service, state=DiagnosisRun.State.DONE, status=status, results=[]
    )


@pytest.mark.django_db
def test_overview_lists_only_own_services_with_diagnosis(customer_client, customer, other_customer):
    mine = _service(customer, "meine-firma.ch")
    _finished_run(mine, "error")
    _service(other_customer, "fremde-firma.ch")
    body = customer_client.get(reverse("dashboard:overview")).content.decode()
    assert "meine-firma.ch" in body
    assert "fremde-firma.ch" not in body
    # The error shows up under "Zu erledigen" with a link to the diagnosis.
    assert "Zu erledigen" in body
    assert reverse("diagnosis:service_diagnosis", args=[mine.pk]) in body


@pytest.mark.django_db
def test_overview_shows_unicode_domain_names(customer_client, customer):
    _service(customer, "bücher-laden.ch")
    body = customer_client.get(reverse("dashboard:overview")).content.decode()
    assert "bücher-laden.ch" in body


@pytest.mark.django_db
def test_overview_without_services_invites_to_order(customer_client):
    body = customer_client.get(reverse("dashboard:overview")).content.decode()
    assert reverse("shop:add_service") in body
    assert "Zu erledigen" not in body


@pytest.mark.django_db
def test_overview_query_count_does_not_grow(
    customer_client, customer, django_assert_max_num_queries
):
    def load():
        response = customer_client.get(reverse("dashboard:overview"))
        assert response.status_code == 200

    _service(customer, "eins.ch")
    load()  # warm caches (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        load()
    for i in range(6):
        service = _service(customer, f"firma-{i}.ch")
        _finished_run(service, "ok")
        _finished_run(service, "warning")
    with django_assert_max_num_queries(len(one.captured_queries)):
        load()
