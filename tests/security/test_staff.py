"""Staff reach /admin/ only with a second factor (set up first, used in this session); staff
sessions end sooner (PORTAL_SECURITY_STAFF_SESSION_SECONDS)."""

import time

import pytest
from django.contrib import admin
from django.urls import reverse

from portal.security.staff import LOGIN_AT_SESSION_KEY
from tests.conftest import PASSWORD, STAFF_TOTP_SECRET
from tests.totp import totp

pytestmark = pytest.mark.django_db


def _admin_pages():
    """The admin index, every app index, every model's list and add page."""
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        pages.append(reverse("admin:app_list", args=[opts.app_label]))
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    return sorted(set(pages))


@pytest.fixture
def staff_without_factor(make_user):
    return make_user("neu-im-support@example.org", is_staff=True, is_superuser=True)


def test_staff_without_a_second_factor_cannot_open_any_admin_page(client, staff_without_factor):
    client.force_login(staff_without_factor)
    pages = _admin_pages()
    assert len(pages) > 30
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == reverse("mfa_index"), page
    # The set-up page explains why.
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 200
    assert "Für die Verwaltung brauchen Sie einen zweiten Faktor" in response.content.decode()


def test_posting_to_the_admin_without_a_factor_changes_nothing(
    client, staff_without_factor, customer
):
    client.force_login(staff_without_factor)
    url = reverse("admin:accounts_user_change", args=[customer.owner.pk])
    response = client.post(url, {"email": "geaendert@example.org"})
    assert response.status_code == 302
    customer.owner.refresh_from_db()
    assert customer.owner.email == "anna@example.org"


def test_staff_with_a_factor_confirm_it_in_a_session_without_one(client, staff_user):
    # A session that never passed a second-factor step (e.g. a password-only form).
    client.force_login(staff_user)
    response = client.get("/admin/shop/order/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=/admin/shop/order/"
    response = client.post(
        "/accounts/2fa/reauthenticate/?next=/admin/shop/order/",
        {"code": totp(STAFF_TOTP_SECRET)},
    )
    assert response.status_code == 302
    assert client.get("/admin/shop/order/").status_code == 200


def test_staff_client_reaches_the_admin(staff_client):
    assert staff_client.get("/admin/").status_code == 200


def test_the_admins_password_only_login_form_is_replaced_by_the_portal_login(client, staff_user):
    response = client.get("/admin/login/?next=/admin/shop/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/shop/"
    response = client.post("/admin/login/", {"username": staff_user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    # Anonymous on an admin page: to the admin login, from there to the portal login.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_portal_login_of_staff_asks_for_the_code_and_opens_the_admin(client, staff_user):
    response = client.post("/accounts/login/", {"login": staff_user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": totp(STAFF_TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.session.get_expiry_age() == 2 * 60 * 60


def test_a_staff_session_expires_after_the_staff_session_time(staff_client, settings):
    settings.PORTAL_SECURITY_STAFF_SESSION_SECONDS = 600
    session = staff_client.session
    session[LOGIN_AT_SESSION_KEY] = time.time() - 601
    session.save()
    response = staff_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in staff_client.session


def test_customer_sessions_keep_their_length(customer_client, settings):
    settings.PORTAL_SECURITY_STAFF_SESSION_SECONDS = 600
    session = customer_client.session
    session[LOGIN_AT_SESSION_KEY] = time.time() - 3600
    session.save()
    assert customer_client.get("/").status_code == 200
    assert customer_client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_a_customer_cannot_use_the_admin(customer_client):
    response = customer_client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
