import re

import pytest
from django.core import mail
from django.urls import reverse

from portal.accounts.models import Customer, Membership, User
from tests.conftest import PASSWORD


def _signup(client, email="neu@example.org", password=PASSWORD):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password},
    )


@pytest.mark.django_db
def test_signup_creates_owner_customer_and_requires_verification(client):
    response = _signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="neu@example.org")
    customer = Customer.objects.get(owner=user)
    assert Membership.objects.get(customer=customer, user=user).role == "owner"
    # Mandatory verification: not logged in until the link is followed.
    assert client.get(reverse("dashboard:overview")).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    path = link.group(0).split("testserver", 1)[1]
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(path)
    assert response.status_code == 302
    overview = client.get(reverse("dashboard:overview"))
    assert overview.status_code == 200
    assert customer.number in overview.content.decode()


@pytest.mark.django_db
def test_signup_rejects_weak_password_with_inline_error(client):
    response = _signup(client, password="1234")
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert not User.objects.filter(email="neu@example.org").exists()


@pytest.mark.django_db
def test_signup_email_is_unique_case_insensitively(client, make_user):
    make_user("Gross@Example.org".lower())
    _signup(client, email="GROSS@example.org")
    assert User.objects.filter(email__iexact="gross@example.org").count() == 1


@pytest.mark.django_db
def test_login_with_verified_email(client, make_user):
    make_user("login@example.org")
    response = client.post(
        reverse("account_login"), {"login": "login@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_customer_pages_need_login(client):
    response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.django_db
def test_user_without_customer_gets_404(client, make_user):
    client.force_login(make_user("lost@example.org"))
    assert client.get(reverse("dashboard:overview")).status_code == 404


@pytest.mark.django_db
def test_password_reset_sends_mail(client, make_user):
    make_user("vergessen@example.org")
    response = client.post(reverse("account_reset_password"), {"email": "vergessen@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "vergessen@example.org" in mail.outbox[0].to


@pytest.mark.django_db
def test_login_is_rate_limited(client, make_user):
    make_user("ziel@example.org")
    url = reverse("account_login")
    for _ in range(6):
        client.post(url, {"login": "ziel@example.org", "password": "falsch-falsch"})
    # allauth's "login_failed" limit (5 per key per 5 minutes): even the right password is
    # refused now, with a clear message.
    response = client.post(url, {"login": "ziel@example.org", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_customer_numbers_are_unique(make_customer):
    numbers = {make_customer().number for _ in range(5)}
    assert len(numbers) == 5
