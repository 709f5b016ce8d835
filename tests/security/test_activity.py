"""The activity log: logins (time, IP, device), security changes with an email, changes in
the account (addresses, catch-all, staff limits, orders), the "Aktivitäten" page (tenant
isolation, pagination, pinned queries) and the 12-month retention."""

import importlib
from datetime import timedelta

import pytest
from allauth.core.context import request_context
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from mailservices.services.addresses import address_delete, catchall_create
from portal.security.devices import DEVICE_COOKIE, device_name
from portal.security.models import Activity
from portal.security.schedule import SCHEDULE
from portal.security.services import activities_prune, activity_notify_send, activity_record
from quotas.services import sending_limit_override_create
from tests.conftest import PASSWORD
from tests.totp import totp

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
MAIL_PASSWORD = "Gletscher-Weg-2026!"


def _log_in(client, email="anna@example.org", agent=FIREFOX):
    response = client.post(
        "/accounts/login/",
        {"login": email, "password": PASSWORD},
        headers={"user-agent": agent},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302, response.content[:500]
    return response


@pytest.mark.parametrize(
    ("agent", "name"),
    [
        (FIREFOX, "Firefox · Windows"),
        (IPHONE, "Safari · iPhone"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
            "Chrome · Linux",
        ),  # fmt: skip
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) Chrome/131.0 Safari/537.36 Edg/131.0",
            "Edge · macOS",
        ),  # fmt: skip
        ("", ""),
    ],
)
def test_device_names(agent, name):
    assert device_name(agent) == name


def test_a_login_is_recorded_with_ip_and_device_and_a_device_cookie(
    client, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _log_in(client)
    activity = Activity.objects.get(kind="login")
    assert activity.customer == customer
    assert activity.actor == "anna@example.org"
    assert str(activity.ip) == "203.0.113.7"
    assert activity.device == "Firefox · Windows"
    assert not activity.new_device  # the very first login is no alarm
    assert mail.outbox == []
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and len(cookie.value) >= 20
    assert activity.device_key and cookie.value not in activity.device_key


def test_a_login_from_a_new_device_sends_an_email_a_known_one_does_not(
    client, customer, django_capture_on_commit_callbacks
):
    _log_in(client)  # the browser keeps its device cookie
    client.post("/accounts/logout/")
    with django_capture_on_commit_callbacks(execute=True):
        _log_in(client)
    assert mail.outbox == []
    assert Activity.objects.filter(kind="login", new_device=False).count() == 2

    client.cookies.clear()  # another device: no cookie
    with django_capture_on_commit_callbacks(execute=True):
        _log_in(client, agent=IPHONE)
    activity = Activity.objects.get(new_device=True)
    assert activity.device == "Safari · iPhone"
    (message,) = mail.outbox
    assert message.to == ["anna@example.org"]
    assert "neuen Gerät" in message.subject
    assert "Safari · iPhone" in message.body and "203.0.113.7" in message.body
    assert "/accounts/password/change/" in message.body


def test_a_portal_password_change_is_recorded_and_mailed(
    customer_client, customer, django_capture_on_commit_callbacks
):
    new = "Noch-sichereres-Passwort-43"
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": new, "password2": new},
        )
    assert response.status_code == 302
    activity = Activity.objects.get(kind="password_changed")
    assert activity.customer == customer and activity.actor == "anna@example.org"
    (message,) = mail.outbox
    assert "Sicherheitshinweis: Portal-Passwort geändert" in message.subject
    assert activity_notify_send(activity_id=activity.pk) is False  # a second run sends nothing
    assert len(mail.outbox) == 1


def test_setting_up_totp_is_recorded_and_mailed(
    customer_client, customer, django_capture_on_commit_callbacks
):
    # allauth asks for the password again before a second factor is added.
    customer_client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    customer_client.get("/accounts/2fa/totp/activate/")
    secret = customer_client.session["mfa.totp.secret"]
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post("/accounts/2fa/totp/activate/", {"code": totp(secret)})
    assert response.status_code == 302
    activity = Activity.objects.get(kind="mfa_added")  # recovery codes came with it
    assert activity.target == "TOTP"
    (message,) = mail.outbox
    assert "Zweiter Faktor eingerichtet" in message.subject


def test_changes_in_the_account_are_recorded_with_who_did_them(
    customer_client, customer, make_service, staff_user, django_capture_on_commit_callbacks
):
    service = make_service(customer, "firma.ch", plan="service_mail")
    response = customer_client.post(
        f"/services/{service.pk}/addresses/new/",
        {
            "local_part": "info",
            "kind": "mailbox",
            "password1": MAIL_PASSWORD,
            "password2": MAIL_PASSWORD,
        },  # fmt: skip
    )
    assert response.status_code == 302
    created = Activity.objects.get(kind="address_created")
    assert (created.target, created.actor, str(created.ip)) == (
        "info@firma.ch",
        "anna@example.org",
        "127.0.0.1",
    )
    address = service.addresses.get(local_part="info")
    with django_capture_on_commit_callbacks(execute=True):
        customer_client.post(
            f"/addresses/{address.pk}/password/",
            {"action": "set", "password1": "Berg-Tal-Fluss-88!", "password2": "Berg-Tal-Fluss-88!"},
        )
    assert Activity.objects.filter(kind="mail_password_changed", target="info@firma.ch").exists()
    assert mail.outbox[-1].to == ["anna@example.org"]

    # Staff change a limit in the admin: the customer sees "staff", not who.
    request = RequestFactory().post("/admin/", REMOTE_ADDR="10.0.0.9")
    request.user = staff_user
    with request_context(request):
        sending_limit_override_create(
            address=address, limit=2000, reason="Newsletter", request_reference="T-1",
            approved_by=staff_user,
        )  # fmt: skip
    limit = Activity.objects.get(kind="limit_changed")
    assert limit.by_staff and limit.customer == customer and "2000" in limit.target

    address_delete(address=address)  # without a request (a command, a task): no who/IP
    deleted = Activity.objects.get(kind="address_deleted")
    assert (deleted.target, deleted.actor, deleted.ip) == ("info@firma.ch", "", None)


def test_catchall_and_orders_are_recorded(customer, make_service):
    service = make_service(customer, "firma.ch", plan="service_mail")
    if service.is_paid:
        catchall_create(service=service, confirmed=True, password=MAIL_PASSWORD)
        assert Activity.objects.filter(kind="catchall_created", customer=customer).exists()
    shop_conftest = importlib.import_module("tests.shop.conftest")
    from portal.shop.models import Product
    from portal.shop.selectors import cart_summary
    from portal.shop.services import cart_add_service, order_place

    if not Product.objects.exists():
        from django.apps import apps

        shop_conftest._catalogue.load(apps, None)
    cart_add_service(
        customer=customer,
        domain_name="neu-bestellt.ch",
        plan_product=Product.objects.get(code="service-mail-starter"),
        register_domain=True,
    )
    order = order_place(
        customer=customer,
        token=cart_summary(customer=customer).token,
        billing=shop_conftest.BILLING,
        accept_terms=True,
    )
    assert Activity.objects.get(kind="order_placed").target == order.number


def _fill(customer, count):
    Activity.objects.bulk_create(
        [Activity(customer=customer, kind="login", actor="anna@example.org") for _ in range(count)]
    )


def test_the_activity_page_lists_only_the_own_account_paginated(
    customer_client, customer, other_customer, staff_user, django_assert_num_queries
):
    _fill(customer, 60)
    activity_record(customer=customer, kind="limit_changed", target="x: 5", user=staff_user)
    activity_record(customer=other_customer, kind="address_created", target="geheim@bruno.ch")
    customer_client.get("/")  # warm the session
    # session, user, customer, activities count + page, cart badge, guide links
    with django_assert_num_queries(7):
        response = customer_client.get("/activity/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Aktivitäten" in body and "geheim@bruno.ch" not in body
    assert "support@example.org" not in body  # staff stay anonymous to customers
    assert "Mitarbeitende von" in body
    assert body.count("<tr>") == 1 + 50
    _fill(customer, 100)
    with django_assert_num_queries(7):
        page2 = customer_client.get("/activity/?page=2")
    assert page2.status_code == 200 and page2.content.decode().count("<tr>") == 1 + 50


def test_the_activity_page_needs_a_login(client):
    assert client.get("/activity/").status_code == 302


def test_the_activity_page_needs_a_customer_account(staff_client):
    assert staff_client.get("/activity/").status_code == 404


def test_entries_are_kept_twelve_months(customer):
    _fill(customer, 2)
    old, recent = Activity.objects.all()
    Activity.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=366))
    Activity.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=360))
    assert activities_prune() == 1
    assert list(Activity.objects.all()) == [recent]
    assert SCHEDULE["security-activities-prune"]["task"] == "security.activities_prune"


@pytest.mark.parametrize(
    ("language", "heading", "kind"),
    [
        ("en", "Activity", "Order placed"),
        ("fr", "Activités", "Commande passée"),
        ("it", "Attività", "Ordine effettuato"),
    ],  # fmt: skip
)
def test_the_activity_page_speaks_the_customers_language(
    customer_client, customer, language, heading, kind
):
    customer.owner.language = language
    customer.owner.save(update_fields=["language"])
    activity_record(customer=customer, kind="order_placed", target="B-1")
    body = customer_client.get("/activity/").content.decode()
    assert f"<h1>{heading}</h1>" in body and kind in body
