"""Weak mail passwords (issue 19 item 6): among Django's 20,000 common passwords or
containing the address's local part -> refused with a clear message on the forms."""

import pytest
from django.core.exceptions import ValidationError

from mailservices.passwords import validate_mail_password
from mailservices.services.addresses import address_create

pytestmark = pytest.mark.django_db

GOOD = "Gletscher-Weg-2026!"


@pytest.mark.parametrize("password", ["password123", "1q2w3e4r5t", "qwertyuiop", "Iloveyou12"])
def test_common_passwords_are_refused_with_a_clear_message(password):
    with pytest.raises(ValidationError) as exc:
        validate_mail_password(password, address="anna@beispiel.ch")
    (error,) = [e for e in exc.value.error_list if e.code == "password_too_common"]
    assert "häufigsten Passwörtern" in error.message


def test_the_local_part_is_named_in_the_message():
    with pytest.raises(ValidationError) as exc:
        validate_mail_password("Ferien-Bettina-2026", address="bettina@beispiel.ch")
    (error,) = exc.value.error_list
    assert error.code == "password_contains_address"
    assert "„bettina“" in error.message


def test_the_address_create_form_shows_the_refusal_inline(customer_client, make_service):
    service = make_service()
    response = customer_client.post(
        f"/services/{service.pk}/addresses/new/",
        {
            "local_part": "info",
            "kind": "mailbox",
            "password1": "password123",
            "password2": "password123",
        },  # fmt: skip
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "häufigsten Passwörtern" in body
    assert not service.addresses.filter(local_part="info").exists()

    response = customer_client.post(
        f"/services/{service.pk}/addresses/new/",
        {
            "local_part": "info",
            "kind": "mailbox",
            "password1": "Info-Postfach-77!",
            "password2": "Info-Postfach-77!",
        },  # fmt: skip
    )
    assert "„info“" in response.content.decode()
    assert not service.addresses.filter(local_part="info").exists()


def test_the_mail_password_form_shows_the_refusal_inline(customer_client, make_service):
    address = address_create(service=make_service(), local_part="anna", password=GOOD)
    old_hash = address.password_hash
    for password, text in [
        ("iloveyou123", "häufigsten Passwörtern"),
        ("Anna-2026-Ferien", "„anna“"),
    ]:
        response = customer_client.post(
            f"/addresses/{address.pk}/password/",
            {"action": "set", "password1": password, "password2": password},
        )
        assert response.status_code == 200
        assert text in response.content.decode()
    address.refresh_from_db()
    assert address.password_hash == old_hash


def test_a_strong_password_is_accepted(customer_client, make_service):
    address = address_create(service=make_service(), local_part="anna", password=GOOD)
    response = customer_client.post(
        f"/addresses/{address.pk}/password/",
        {"action": "set", "password1": "Berg-Tal-Fluss-88!", "password2": "Berg-Tal-Fluss-88!"},
    )
    assert response.status_code == 302
