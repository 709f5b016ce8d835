"""The app-password page: list, create (shown once), revoke, "only app passwords"; htmx and
plain posts; inline errors; tenant isolation; pinned queries; Dovecot's report endpoint."""

import json

import pytest
from django.urls import reverse

from mailservices.apppasswords.app_settings import app_settings
from mailservices.apppasswords.models import AppPassword, AppPasswordsOnly
from mailservices.apppasswords.services import app_password_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_url(address):
    return reverse("apppasswords:address_app_passwords", args=[address.pk])


def only_url(address):
    return reverse("apppasswords:address_app_passwords_only", args=[address.pk])


def revoke_url(app_password):
    return reverse("apppasswords:revoke", args=[app_password.pk])


def test_the_address_page_links_to_the_app_passwords(customer_client, address):
    app_password_create(address=address, name="iPhone Anna", protocols=["imap"])
    html = customer_client.get(reverse("mailservices:address_detail", args=[address.pk])).content
    html = html.decode()
    assert 'id="app-passwords-summary"' in html and "1 App-Passwort" in html
    assert page_url(address) in html


def test_create_shows_the_password_once(customer_client, address):
    response = customer_client.post(
        page_url(address),
        {"name": "iPhone Anna", "protocols": ["imap", "smtp"], "kind": "generate"},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    row = AppPassword.objects.get(address=address)
    password = response.context["created"].password
    html = response.content.decode()
    assert password in html and "Es wird nur jetzt angezeigt" in html
    assert "<html" in html  # a plain post gets the whole page
    assert (row.allow_imap, row.allow_smtp, row.allow_dav) == (True, True, False)
    again = customer_client.get(page_url(address)).content.decode()
    assert password not in again and "iPhone Anna" in again


def test_htmx_create_answers_with_the_section_only(customer_client, address):
    response = customer_client.post(
        page_url(address), {"name": "Tablet", "protocols": ["dav"], "kind": "generate"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="app-passwords"')
    assert response.context["created"].password in html


def test_errors_are_shown_inline_and_nothing_is_created(customer_client, address):
    response = customer_client.post(page_url(address), {"name": "", "kind": "generate"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_name_errors"' in html and 'id="id_protocols_errors"' in html
    response = customer_client.post(
        page_url(address),
        {
            "name": "Eigenes",
            "protocols": ["imap"],
            "kind": "typed",
            "password1": "Murmeltier-Pfad-77?",
            "password2": "anders",
        },
        **HTMX,
    )
    assert 'id="id_password2_errors"' in response.content.decode()
    response = customer_client.post(
        page_url(address),
        {
            "name": "Eigenes",
            "protocols": ["imap"],
            "kind": "typed",
            "password1": "password123",
            "password2": "password123",
        },
    )
    assert 'id="id_password1_errors"' in response.content.decode()
    assert not AppPassword.objects.exists()


def test_a_typed_password_is_accepted(customer_client, address):
    response = customer_client.post(
        page_url(address),
        {
            "name": "Eigenes",
            "protocols": ["imap"],
            "kind": "typed",
            "password1": "Murmeltier-Pfad-77?",
            "password2": "Murmeltier-Pfad-77?",
        },
    )
    assert response.context["created"].password == "Murmeltier-Pfad-77?"
    assert AppPassword.objects.get(address=address).generated is False


def test_revoke_confirms_then_deletes(customer_client, address):
    created = app_password_create(address=address, name="Altes Telefon", protocols=["imap"])
    url = revoke_url(created.app_password)
    confirm = customer_client.get(url)
    assert confirm.status_code == 200 and "Altes Telefon" in confirm.content.decode()
    response = customer_client.post(url)
    assert response.status_code == 302 and response["Location"] == page_url(address)
    assert not AppPassword.objects.exists()
    again = app_password_create(address=address, name="Noch eins", protocols=["imap"])
    response = customer_client.post(revoke_url(again.app_password), **HTMX)
    assert response.status_code == 200 and "Noch eins" not in response.content.decode()
    assert not AppPassword.objects.exists()


def test_only_app_passwords_toggle(customer_client, address):
    app_password_create(address=address, name="iPhone", protocols=["imap"])
    response = customer_client.post(only_url(address), {"enabled": "on"})
    assert response.status_code == 302
    assert AppPasswordsOnly.objects.filter(address=address).exists()
    html = customer_client.get(page_url(address)).content.decode()
    assert "Mail-Passwort wieder zulassen" in html
    response = customer_client.post(only_url(address), {"enabled": ""}, **HTMX)
    assert "Nur noch App-Passwörter zulassen" in response.content.decode()
    assert not AppPasswordsOnly.objects.filter(address=address).exists()


def test_a_redirect_address_has_no_app_password_page(customer_client, service, make_address):
    redirect = make_address(service, "info", kind="redirect", forward_to=["x@example.org"])
    response = customer_client.get(page_url(redirect))
    assert response.status_code == 302


def test_another_customers_app_passwords_are_404_everywhere(customer_client, other_address):
    created = app_password_create(address=other_address, name="Bruno", protocols=["imap"])
    data = {"name": "Einbruch", "protocols": ["imap"], "kind": "generate", "enabled": "on"}
    for url in (page_url(other_address), only_url(other_address), revoke_url(created.app_password)):
        assert customer_client.get(url).status_code in (404, 405), url
        assert customer_client.post(url, data).status_code == 404, url
        assert customer_client.post(url, data, **HTMX).status_code == 404, url
    assert AppPassword.objects.filter(address=other_address).count() == 1
    assert not AppPasswordsOnly.objects.exists()


def test_logged_out_visitors_are_sent_to_the_login(client, address):
    response = client.get(page_url(address))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Session, user and customer (the middleware), the address with its "only" flag, the app
# passwords: whatever their number.
PAGE_QUERIES = 7


def test_page_queries_do_not_grow_with_the_number_of_app_passwords(customer_client, address):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert customer_client.get(page_url(address)).status_code == 200
        return len(ctx.captured_queries)

    app_password_create(address=address, name="eins", protocols=["imap"])
    one = count()
    for n in range(15):
        AppPassword.objects.create(
            address=address,
            name=f"Gerät {n}",
            lookup_key=f"{n:04x}",
            password_hash="x",
            last_used_ip="192.0.2.1",
        )
    assert count() == one == PAGE_QUERIES


def report(client, body, token=None):
    token = token if token is not None else app_settings.REPORT_TOKEN
    return client.post(
        reverse("apppasswords:auth_report") + "?command=report",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_dovecots_report_records_the_last_use(client, address):
    created = app_password_create(address=address, name="iPhone", protocols=["imap"])
    body = {
        "login": "anna@beispiel.ch",
        "remote": "198.51.100.23",
        "protocol": "imap",
        "app_password": str(created.app_password.pk),
        "success": True,
        "policy_reject": False,
    }
    assert report(client, body, token="falsch").status_code == 403
    assert AppPassword.objects.get().last_used_at is None
    response = report(client, body)
    assert response.status_code == 200 and response.json() == {"status": 0, "msg": ""}
    row = AppPassword.objects.get()
    assert (row.last_used_ip, row.last_used_service) == ("198.51.100.23", "imap")
    assert report(client, {**body, "success": False, "remote": "203.0.113.1"}).status_code == 200
    assert AppPassword.objects.get().last_used_ip == "198.51.100.23"
    assert client.get(reverse("apppasswords:auth_report")).status_code == 405


def test_reports_of_failed_logins_cost_no_query(client, django_assert_num_queries):
    # Dovecot reports every authentication, also each guess of an attacker.
    body = {"login": "anna@beispiel.ch", "remote": "203.0.113.1", "protocol": "imap"}
    with django_assert_num_queries(0):
        assert report(client, {**body, "app_password": "", "success": False}).status_code == 200
        assert report(client, {**body, "app_password": "", "success": True}).status_code == 200


def test_the_address_card_costs_one_query(customer_client, address, django_assert_num_queries):
    from django.template import Context, Template

    from mailservices.apppasswords.services import app_passwords_only_set

    app_password_create(address=address, name="iPhone", protocols=["imap"])
    app_passwords_only_set(address=address, enabled=True)
    template = Template('{% include "apppasswords/partials/_address_card.html" %}')
    with django_assert_num_queries(1):
        html = template.render(Context({"address": address}))
    assert "1 App-Passwort" in html and "nur App-Passwörter" in html
