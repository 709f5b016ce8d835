"""Staff manage overrides in the admin (through the service) and see usage."""

from django.urls import reverse

from mailservices.plans import Plan
from quotas.models import SendingLimitOverride


def add_override(client, address, **extra):
    data = {
        "address": address.pk,
        "channel": "smtp",
        "limit": "900",
        "reason": "Jahresversand des Vereins",
        "request_reference": "T-2026-114",
        "starts_at_0": "27.11.2026",
        "starts_at_1": "08:00:00",
        "ends_at_0": "",
        "ends_at_1": "",
        **extra,
    }
    return client.post(reverse("admin:quotas_sendinglimitoverride_add"), data)


def test_staff_adds_an_override_and_is_recorded_as_approver(
    staff_client, staff_user, make_service, make_address
):
    address = make_address(make_service(plan=Plan.SERVICE_MAIL_STARTER, name="verein.ch"), "info")
    response = add_override(staff_client, address)
    assert response.status_code == 302
    override = SendingLimitOverride.objects.get()
    assert (override.limit, override.approved_by, override.request_reference) == (
        900,
        staff_user,
        "T-2026-114",
    )
    change = staff_client.get(
        reverse("admin:quotas_sendinglimitoverride_change", args=[override.pk])
    )
    assert change.status_code == 200
    assert b'name="limit"' not in change.content  # history is read-only


def test_free_address_gets_an_inline_error(staff_client, make_service, make_address):
    address = make_address(make_service(plan=Plan.MY_KSUITE, name="gratis.ch"), "ich")
    response = add_override(staff_client, address)
    assert response.status_code == 200
    assert "Nur bezahlte Adressen" in response.content.decode()
    assert not SendingLimitOverride.objects.exists()


def test_end_action_keeps_the_row(staff_client, staff_user, make_service, make_address):
    address = make_address(make_service(plan=Plan.KSUITE_PRO, name="ende.ch"), "chef")
    add_override(staff_client, address)
    override = SendingLimitOverride.objects.get()
    staff_client.post(
        reverse("admin:quotas_sendinglimitoverride_changelist"),
        {"action": "end_overrides", "_selected_action": [override.pk]},
    )
    override.refresh_from_db()
    assert override.ended_at is not None and override.ended_by == staff_user


def test_usage_pages_for_staff(staff_client, counters, make_service, make_address):
    from django.utils import timezone

    from quotas.counters import counter_id

    make_address(make_service(plan=Plan.KSUITE_PRO, name="live.ch"), "anna")
    counters.commit(
        counter_id(channel="smtp", sender="anna@live.ch"),
        instance="x",
        recipients=77,
        limit=1440,
        now=timezone.now(),
    )
    live = staff_client.get(reverse("admin:quotas_usage_live"))
    assert live.status_code == 200
    assert "anna@live.ch" in live.content.decode() and ">77<" in live.content.decode()
    assert staff_client.get(reverse("admin:quotas_usagehour_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:quotas_usagealert_changelist")).status_code == 200


def test_customers_cannot_reach_the_admin(customer_client):
    response = customer_client.get(reverse("admin:quotas_sendinglimitoverride_changelist"))
    assert response.status_code == 302
