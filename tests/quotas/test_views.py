"""Customer pages: figures, gauge, charts, help; tenant isolation; pinned query counts."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from mailservices.plans import Plan
from quotas.counters import counter_id
from quotas.models import UsageHour
from quotas.services import sending_limit_override_create


def commit(counters, sender, n, *, at=None, instance="m", limit=10_000):
    counters.commit(
        counter_id(channel="smtp", sender=sender),
        instance=instance,
        recipients=n,
        limit=limit,
        now=at or timezone.now(),
    )


@pytest.fixture
def service(make_service):
    return make_service(plan=Plan.MY_KSUITE, name="muster.ch")


def test_address_page_shows_usage_gauge_charts_and_help(
    customer_client, service, make_address, counters, settings
):
    address = make_address(service, "anna")
    commit(counters, "anna@muster.ch", 300, instance="a")
    commit(counters, "anna@muster.ch", 12, instance="b")
    UsageHour.objects.create(
        address=address, channel="smtp", hour=timezone.now() - timedelta(days=3), recipients=77
    )
    response = customer_client.get(reverse("quotas:address_usage", args=[address.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "In den letzten 24 h: <strong>312</strong> von <strong>500</strong> Empfängern" in html
    assert 'role="progressbar"' in html and 'aria-valuenow="312"' in html
    assert "Letzte 24 Stunden" in html and "Letzte 7 Tage" in html
    assert html.count("<svg") == 2
    assert "312 Empfänger insgesamt" in html  # the 24-hour chart adds up to the figure
    assert "389 Empfänger insgesamt" in html  # 7 days: 312 live + 77 from the roll-up
    assert "Jeder Empfänger zählt" in html
    assert settings.PORTAL_NEWSLETTER_URL in html
    assert "Limit des Angebots my kSuite" in html


def test_full_address_says_when_it_frees_up(customer_client, service, make_address, counters):
    address = make_address(service, "voll")
    commit(counters, "voll@muster.ch", 500)
    html = customer_client.get(reverse("quotas:address_usage", args=[address.pk])).content.decode()
    assert "Limit erreicht" in html
    assert "Neue Empfänger sind wieder möglich ab" in html
    assert 'class="gauge full"' in html


def test_override_is_named_on_the_page(
    customer_client, make_service, make_address, counters, staff_user
):
    address = make_address(make_service(plan=Plan.KSUITE_PRO, name="pro.ch"), "chef")
    sending_limit_override_create(
        address=address,
        limit=3000,
        reason="Verein",
        request_reference="T-5",
        approved_by=staff_user,
        ends_at=timezone.now() + timedelta(days=10),
    )
    html = customer_client.get(reverse("quotas:address_usage", args=[address.pk])).content.decode()
    assert "von <strong>3000</strong>" in html
    assert "Individuell angepasstes Limit, gültig bis" in html
    assert "Verein" not in html  # staff's reasoning stays internal


def test_web_hosting_shows_both_channels(customer_client, make_service, make_address, counters):
    address = make_address(make_service(plan=Plan.WEB_HOSTING, name="web.ch"), "shop")
    html = customer_client.get(reverse("quotas:address_usage", args=[address.pk])).content.decode()
    assert "Authentifiziertes SMTP" in html and "PHP mail() ohne Anmeldung" in html
    assert "von <strong>1440</strong>" in html and "von <strong>50</strong>" in html


def test_service_page_lists_every_mailbox(
    customer_client, make_service, make_address, counters, django_assert_max_num_queries
):
    service = make_service(plan=Plan.SERVICE_MAIL, quota=10, name="team.ch")
    for i in range(6):
        make_address(service, f"person{i}")
        commit(counters, f"person{i}@team.ch", 100 * i, instance=f"i{i}")
        UsageHour.objects.create(
            address_id=service.addresses.get(local_part=f"person{i}").pk,
            channel="smtp",
            hour=timezone.now() - timedelta(days=2),
            recipients=5,
        )
    url = reverse("quotas:service_usage", args=[service.pk])
    with django_assert_max_num_queries(9):
        response = customer_client.get(url)
    html = response.content.decode()
    assert html.count('<div class="gauge') == 6  # one per address
    assert "500 von 1440 Empfängern" in html
    assert "Insgesamt 1500 Empfänger über alle Adressen" in html


def test_query_count_does_not_grow_with_addresses(
    customer_client, make_service, make_address, counters, django_assert_max_num_queries
):
    service = make_service(plan=Plan.SERVICE_MAIL, quota=40, name="gross.ch")
    url = reverse("quotas:service_usage", args=[service.pk])
    make_address(service, "a0")
    customer_client.get(url)
    for i in range(1, 30):
        make_address(service, f"a{i}")
    with django_assert_max_num_queries(9):
        assert customer_client.get(url).status_code == 200


def test_htmx_request_gets_the_partial(customer_client, service, make_address, counters):
    address = make_address(service, "anna")
    response = customer_client.get(
        reverse("quotas:address_usage", args=[address.pk]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="usage"') and "<html" not in html


def test_other_customers_pages_are_404(
    client, other_customer, make_service, make_address, counters, service
):
    address = make_address(service, "anna")
    client.force_login(other_customer.owner)
    assert client.get(reverse("quotas:address_usage", args=[address.pk])).status_code == 404
    assert client.get(reverse("quotas:service_usage", args=[service.pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, service, make_address):
    address = make_address(service, "anna")
    response = client.get(reverse("quotas:address_usage", args=[address.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_redis_down_shows_the_roll_up(customer_client, service, make_address, settings):
    settings.QUOTAS_REDIS_URL = "redis://127.0.0.1:1/0"
    address = make_address(service, "anna")
    UsageHour.objects.create(
        address=address,
        channel="smtp",
        hour=timezone.now().replace(minute=0, second=0, microsecond=0),
        recipients=42,
    )
    html = customer_client.get(reverse("quotas:address_usage", args=[address.pk])).content.decode()
    assert "nicht erreichbar" in html
    assert "<strong>42</strong> von <strong>500</strong>" in html


def test_english(customer_client, service, make_address, counters):
    address = make_address(service, "anna")
    commit(counters, "anna@muster.ch", 312)
    customer_client.cookies["django_language"] = "en"
    html = customer_client.get(reverse("quotas:address_usage", args=[address.pk])).content.decode()
    assert "In the last 24 h: <strong>312</strong> of <strong>500</strong> recipients" in html
    assert "Every recipient counts" in html


def test_usage_badge_partial(customer, service, make_address, counters, rf):
    address = make_address(service, "anna")
    commit(counters, "anna@muster.ch", 250)
    with translation.override("de"):
        html = render_to_string("quotas/partials/_usage_badge.html", {"address": address})
    assert reverse("quotas:address_usage", args=[address.pk]) in html
    assert "250 / 500 in 24 h" in html
    with translation.override("de"):
        html = render_to_string("quotas/partials/_usage_badge.html", {"service": service})
    assert reverse("quotas:service_usage", args=[service.pk]) in html
    assert "1 Adresse, höchstens 50 % genutzt" in html


def test_service_week_chart_sums_the_roll_up_and_the_live_window(
    customer_client, make_service, make_address, counters
):
    """The week's chart adds the roll-up (summed in the database) and Redis's exact window."""
    service = make_service(plan=Plan.SERVICE_MAIL, quota=10, name="woche.ch")
    for i in range(3):
        address = make_address(service, f"p{i}")
        commit(counters, f"p{i}@woche.ch", 10, instance=f"w{i}")
        for days_ago in (2, 3):
            UsageHour.objects.create(
                address=address,
                channel="smtp",
                hour=(timezone.now() - timedelta(days=days_ago)).replace(minute=0, second=0),
                recipients=7,
            )
    response = customer_client.get(reverse("quotas:service_usage", args=[service.pk]))
    assert response.context["chart_7d"].total == 3 * 10 + 3 * 2 * 7
    assert response.context["chart_24h"].total == 3 * 10


def test_service_usage_pages_through_many_mailboxes(
    customer_client, make_service, make_address, counters, django_assert_max_num_queries
):
    service = make_service(plan=Plan.SERVICE_MAIL, quota=60, name="viele.ch")
    for i in range(55):
        make_address(service, f"m{i:02d}")
    commit(counters, "m54@viele.ch", 30, instance="last")
    url = reverse("quotas:service_usage", args=[service.pk])
    with django_assert_max_num_queries(9):
        first = customer_client.get(url)
    html = first.content.decode()
    assert html.count('<div class="gauge') == 50
    assert "Seite 1 von 2 (55 Adressen)" in html and "?page=2" in html
    # The totals and the busiest mailbox count every mailbox, also those on page 2.
    assert "Insgesamt 30 Empfänger über alle Adressen" in html
    assert first.context["busiest"].address.local_part == "m54"
    second = customer_client.get(url + "?page=2").content.decode()
    assert second.count('<div class="gauge') == 5
