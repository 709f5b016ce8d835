"""The overview ("Übersicht"): blocked and nearly blocked addresses under "Zu erledigen", the
usage figure in the services table, a flat query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mailservices.models import Address
from mailservices.services import domain_create, mailservice_create
from portal.dashboard.selectors import Todo, overview_todos, sending_usage
from quotas.counters import counter_id
from quotas.selectors import sending_limit

pytestmark = pytest.mark.django_db


def _service(customer, name, plan="service_mail"):
    return mailservice_create(domain=domain_create(customer=customer, name=name), plan=plan)


def _mailbox(service, local_part):
    return Address.objects.create(service=service, local_part=local_part)


def _send(counters, address, recipients=None):
    """Counts `recipients` (default: the whole limit) as sent by `address` just now."""
    limit = sending_limit(address).limit
    recipients = limit if recipients is None else recipients
    counters.commit(
        counter_id(channel="smtp", sender=f"{address.local_part}@{address.service.domain.name}"),
        instance="t",
        recipients=recipients,
        limit=limit,
        now=timezone.now(),
    )
    return limit


def test_blocked_and_nearly_blocked_addresses_are_to_do(customer_client, customer, counters):
    service = _service(customer, "demo-kunde.ch")
    blocked, near, calm = (_mailbox(service, n) for n in ("buchhaltung", "info", "anna"))
    limit = _send(counters, blocked)
    _send(counters, near, limit * 85 // 100)
    _send(counters, calm, 3)

    html = customer_client.get(reverse("dashboard:overview")).content.decode()
    todo = html[html.index("Zu erledigen") : html.index("Ihre E-Mail-Dienste")]
    assert "Gesperrt" in todo and "buchhaltung@demo-kunde.ch hat das Versandlimit erreicht" in todo
    assert f"{limit} von {limit} Empfängern" in todo and "wieder möglich ab" in todo
    assert "Fast erreicht" in todo and "info@demo-kunde.ch hat 85 % des Versandlimits" in todo
    assert "anna@" not in todo
    assert reverse("quotas:address_usage", args=[blocked.pk]) in todo
    assert todo.index("buchhaltung@") < todo.index("info@")  # blocked first
    # The usage column: the busiest address's figure, linked to the service's usage page.
    table = html[html.index("Ihre E-Mail-Dienste") :]
    assert "100 %" in table and f"{limit} / {limit} · buchhaltung@" in table
    assert reverse("quotas:service_usage", args=[service.pk]) in table


def test_other_customers_addresses_never_show(customer_client, customer, other_customer, counters):
    theirs = _mailbox(_service(other_customer, "fremd.ch"), "voll")
    _send(counters, theirs)
    _service(customer, "meins.ch")
    html = customer_client.get(reverse("dashboard:overview")).content.decode()
    assert "voll@fremd.ch" not in html and "Gesperrt" not in html


def test_quiet_addresses_leave_the_to_do_list_empty(customer_client, customer, counters):
    _mailbox(_service(customer, "ruhig.ch"), "anna")
    html = customer_client.get(reverse("dashboard:overview")).content.decode()
    assert "Zu erledigen" not in html
    assert "0 %" in html


def test_a_second_kind_of_to_do_is_one_more_list_of_todos(customer, counters):
    """The contract for storage (issue 12): any selector returning `Todo`s."""
    service = _service(customer, "speicher.ch")
    _send(counters, _mailbox(service, "voll"))
    todos = overview_todos(customer=customer, usage=sending_usage(customer=customer))
    assert all(isinstance(t, Todo) for t in todos) and todos[0].level == "error"
    assert {"level", "badge", "text", "url", "action"} == set(Todo.__dataclass_fields__)


def test_overview_query_count_is_flat(customer_client, customer, counters):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert customer_client.get(reverse("dashboard:overview")).status_code == 200
        return len(captured.captured_queries)

    service = _service(customer, "eins.ch")
    _send(counters, _mailbox(service, "a"))
    queries()  # warm up (session, content types)
    baseline = queries()
    for n in range(5):
        more = _service(customer, f"firma-{n}.ch")
        for local in ("a", "b", "c"):
            _send(counters, _mailbox(more, local))
    assert queries() == baseline
