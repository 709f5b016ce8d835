"""Customer delivery-log pages: own addresses only, explained rows, filters, keyset pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mailservices.maillog.models import Delivery

pytestmark = pytest.mark.django_db


def _row(minutes_ago=1, **fields):
    now = timezone.now()
    values = {
        "time": now - timedelta(minutes=minutes_ago),
        "queued_at": now - timedelta(minutes=minutes_ago),
        "queue_id": f"Q{minutes_ago:08d}",
        "sender": "anna@kunde-a.ch",
        "recipient": "bob@partner.example",
        "status": "sent",
        "dsn": "2.0.0",
        "relay": "mx.partner.example[192.0.2.25]:25",
        "reason": "250 2.0.0 Ok: queued",
    }
    values.update(fields)
    return Delivery.objects.create(**values)


@pytest.fixture
def log(world):
    anna, service = world["anna"], world["service_a"]
    own = {"sender_address_id": anna.pk, "sender_service_id": service.pk}
    rows = {
        "sent": _row(1, **own),
        "bounced": _row(
            2,
            recipient="nobody@partner.example",
            status="bounced",
            dsn="5.1.1",
            reason="host mx.partner.example[192.0.2.25] said: 550 5.1.1 <nobody@partner.example>:"
            " Recipient address rejected: User unknown (in reply to RCPT TO command)",
            **own,
        ),
        "limit": _row(
            3,
            queue_id=None,
            recipient="liste@verein.example",
            status="rejected",
            dsn="4.7.1",
            relay="",
            reason="450 4.7.1 <liste@verein.example>: Recipient address rejected: Sending limit "
            "reached (Versandlimit erreicht): anna@kunde-a.ch may send to at most 100 recipients",
            **own,
        ),
        "received": _row(
            4,
            sender="info@fremd.example",
            recipient="anna@kunde-a.ch",
            recipient_address_id=anna.pk,
            recipient_service_id=service.pk,
        ),
        "old": _row(60 * 24 * 31, recipient="alt@partner.example", **own),
        "ben": _row(
            5,
            sender="ben@kunde-b.ch",
            recipient="secret@partner.example",
            sender_address_id=world["ben"].pk,
            sender_service_id=world["service_b"].pk,
        ),
    }
    return rows


def _get(client, url, **params):
    return client.get(url, params)


def test_address_log_shows_sent_rows_explained(customer_client, world, log):
    url = reverse("maillog:address_log", args=[world["anna"].pk])
    response = customer_client.get(url, {"direction": "out"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.recipient for r in rows] == [
        "bob@partner.example",
        "nobody@partner.example",
        "liste@verein.example",
    ]  # newest first; older than 30 days and ben's are not there
    html = response.content.decode()
    assert "Empfängeradresse existiert nicht" in html  # the bounce explainer's words
    assert "Versandlimit erreicht" in html
    assert reverse("kb:guide", args=["versandlimits"]) in html  # link to the guide
    assert "secret@partner.example" not in html


def test_address_log_received(customer_client, world, log):
    url = reverse("maillog:address_log", args=[world["anna"].pk])
    response = customer_client.get(url, {"direction": "in"})
    assert [r.sender for r in response.context["rows"]] == ["info@fremd.example"]


def test_filters_status_counterpart_date(customer_client, world, log):
    url = reverse("maillog:address_log", args=[world["anna"].pk])
    response = customer_client.get(url, {"direction": "out", "status": "bounced"})
    assert [r.status for r in response.context["rows"]] == ["bounced"]
    response = customer_client.get(url, {"direction": "out", "counterpart": "VEREIN"})
    assert [r.recipient for r in response.context["rows"]] == ["liste@verein.example"]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = customer_client.get(url, {"direction": "out", "date_from": tomorrow})
    assert response.context["rows"] == []
    response = customer_client.get(
        url, {"direction": "out", "date_from": tomorrow, "date_to": "2020-01-01"}
    )
    assert "Das Enddatum liegt vor dem Anfangsdatum." in response.content.decode()


def test_service_log_covers_all_addresses_of_the_service(customer_client, world, log):
    url = reverse("maillog:service_log", args=[world["service_a"].pk])
    response = customer_client.get(url, {"direction": "out"})
    assert len(response.context["rows"]) == 3
    response = customer_client.get(url, {"direction": "in"})
    assert len(response.context["rows"]) == 1


@pytest.mark.parametrize("name", ["address_log", "service_log"])
def test_other_customers_objects_are_not_found(customer_client, world, log, name):
    target = world["ben"] if name == "address_log" else world["service_b"]
    url = reverse(f"maillog:{name}", args=[target.pk])
    assert customer_client.get(url).status_code == 404
    assert customer_client.get(url, {"direction": "in"}).status_code == 404
    assert customer_client.post(url).status_code == 404
    assert customer_client.get(reverse(f"maillog:{name}", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("maillog:address_log", args=[world["anna"].pk]))
    assert response.status_code == 302


def test_pages_pinned_query_count(customer_client, world, django_assert_num_queries):
    anna, service = world["anna"], world["service_a"]
    for i in range(120):
        _row(
            i + 1,
            recipient=f"r{i}@partner.example",
            status=["sent", "bounced", "deferred"][i % 3],
            dsn=["2.0.0", "5.1.1", "4.4.1"][i % 3],
            reason=f"550 5.1.1 user unknown {i}" if i % 3 == 1 else "connect timed out",
            sender_address_id=anna.pk,
            sender_service_id=service.pk,
        )
    customer_client.get(reverse("maillog:address_log", args=[anna.pk]))  # warm session
    # session, user, customer, address (+ its service), one page of deliveries; the
    # layout's cart badge and help links
    with django_assert_num_queries(7):
        response = customer_client.get(reverse("maillog:address_log", args=[anna.pk]))
    assert len(response.context["rows"]) == 50
    with django_assert_num_queries(7):
        response = customer_client.get(reverse("maillog:service_log", args=[service.pk]))
    assert len(response.context["rows"]) == 50


def test_keyset_pagination_walks_every_row_once(customer_client, world):
    anna = world["anna"]
    for i in range(120):
        _row(i + 1, recipient=f"r{i}@partner.example", sender_address_id=anna.pk)
    url = reverse("maillog:address_log", args=[anna.pk])
    seen, query = [], "direction=out"
    while True:
        response = customer_client.get(f"{url}?{query}")
        seen += [r.recipient for r in response.context["rows"]]
        query = response.context["next_query"]
        if not query:
            break
    assert seen == [f"r{i}@partner.example" for i in range(120)]


def test_htmx_request_gets_the_table_only(customer_client, world, log):
    url = reverse("maillog:address_log", args=[world["anna"].pk])
    response = customer_client.get(url, {"direction": "out"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<table" in html and "<html" not in html


def test_address_and_service_pages_link_to_the_log(customer_client, world):
    anna, service = world["anna"], world["service_a"]
    html = customer_client.get(reverse("mailservices:address_detail", args=[anna.pk])).content
    assert reverse("maillog:address_log", args=[anna.pk]).encode() in html
    html = customer_client.get(reverse("mailservices:service_detail", args=[service.pk])).content
    assert reverse("maillog:service_log", args=[service.pk]).encode() in html


def test_english_explanations(customer_client, world, log, settings):
    settings.LANGUAGE_CODE = "en"
    customer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("maillog:address_log", args=[world["anna"].pk])
    response = customer_client.get(url, {"direction": "out"}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "Delivery log" in html
    assert "Recipient address does not exist" in html or "does not exist" in html


def test_admin_search_by_queue_id_message_id_sender_recipient(staff_client, world, log):
    log["sent"].message_id = "abc.1@kunde-a.ch"
    log["sent"].save()
    url = reverse("admin:maillog_delivery_changelist")
    for term in ["Q00000001", "<abc.1@kunde-a.ch>", "BOB@partner.example"]:
        response = staff_client.get(url, {"q": term})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [log["sent"]], term
    response = staff_client.get(url, {"q": "ben@kunde-b.ch"})
    assert list(response.context["cl"].result_list) == [log["ben"]]


def test_only_problems_and_exact_counterpart(customer_client, world, log):
    url = reverse("maillog:address_log", args=[world["anna"].pk])
    response = customer_client.get(url, {"direction": "out", "status": "problems"})
    assert {r.status for r in response.context["rows"]} == {"bounced", "rejected"}
    response = customer_client.get(
        url, {"direction": "out", "counterpart": "Nobody@Partner.example"}
    )
    assert [r.recipient for r in response.context["rows"]] == ["nobody@partner.example"]


def test_only_problems_pages_in_order(customer_client, world):
    anna = world["anna"]
    statuses = ["sent", "bounced", "deferred", "rejected", "expired"]
    for i in range(130):
        _row(
            i + 1,
            recipient=f"p{i}@partner.example",
            status=statuses[i % 5],
            sender_address_id=anna.pk,
        )
    url = reverse("maillog:address_log", args=[anna.pk])
    seen, query = [], "direction=out&status=problems"
    while True:
        response = customer_client.get(f"{url}?{query}")
        seen += [r.recipient for r in response.context["rows"]]
        query = response.context["next_query"]
        if not query:
            break
    assert seen == [f"p{i}@partner.example" for i in range(130) if i % 5]
