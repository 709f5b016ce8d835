"""Services: create (generated or typed, shown once), revoke, "only app passwords", last use,
the activity log with its email."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from mailservices.apppasswords import keys
from mailservices.apppasswords.app_settings import app_settings
from mailservices.apppasswords.models import AppPassword, AppPasswordsOnly
from mailservices.apppasswords.services import (
    app_password_create,
    app_password_record_use,
    app_password_revoke,
    app_passwords_only_set,
)
from mailservices.passwords import verify_mail_password
from portal.security.models import Activity

pytestmark = pytest.mark.django_db


def test_a_generated_password_is_returned_once_and_stored_only_as_hash(address):
    created = app_password_create(address=address, name=" iPhone   Anna ", protocols=["imap"])
    row = AppPassword.objects.get(pk=created.app_password.pk)
    assert row.name == "iPhone Anna"
    assert row.generated is True
    assert (row.allow_imap, row.allow_smtp, row.allow_dav) == (True, False, False)
    assert row.password_hash.startswith("{ARGON2ID}$argon2id$")
    assert verify_mail_password(created.password, row.password_hash)
    assert row.lookup_key == keys.lookup_key(created.password, app_settings.LOOKUP_SECRET)
    stored = [str(value) for value in AppPassword.objects.values().get(pk=row.pk).values()]
    assert not any(created.password in value for value in stored)


def test_a_typed_password_is_checked_like_a_mail_password(address):
    with pytest.raises(ValidationError) as exc:
        app_password_create(address=address, name="Alt", protocols=["imap"], password="password123")
    assert "password1" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        app_password_create(
            address=address, name="Alt", protocols=["imap"], password="anna-war-hier-2026"
        )
    assert "password1" in exc.value.message_dict  # contains the address's name
    created = app_password_create(
        address=address, name="Eigenes", protocols=["smtp"], password="Murmeltier-Pfad-77?"
    )
    assert created.app_password.generated is False
    assert verify_mail_password("Murmeltier-Pfad-77?", created.app_password.password_hash)


def test_names_are_unique_per_address_and_protocols_required(address, other_address):
    app_password_create(address=address, name="iPhone", protocols=["imap"])
    with pytest.raises(ValidationError) as exc:
        app_password_create(address=address, name="IPHONE", protocols=["imap"])
    assert "name" in exc.value.message_dict
    app_password_create(address=other_address, name="iPhone", protocols=["imap"])
    with pytest.raises(ValidationError) as exc:
        app_password_create(address=address, name="Tablet", protocols=[])
    assert "protocols" in exc.value.message_dict
    with pytest.raises(ValidationError):
        app_password_create(address=address, name="Tablet", protocols=["pop3"])


def test_at_most_the_configured_number_per_address(address, settings):
    settings.PORTAL_APPPASSWORDS_MAX_PER_ADDRESS = 2
    app_password_create(address=address, name="a", protocols=["imap"])
    app_password_create(address=address, name="b", protocols=["imap"])
    with pytest.raises(ValidationError, match="bereits 2"):
        app_password_create(address=address, name="c", protocols=["imap"])


def test_lookup_keys_never_collide_within_an_address(address, settings, monkeypatch):
    # With a one-bit key every second generated password would collide: the service draws
    # again until the key is free, and refuses a typed password whose key is taken.
    monkeypatch.setattr(keys, "lookup_key", lambda password, secret: password[0])
    first = app_password_create(
        address=address, name="a", protocols=["imap"], password="Xylophon-Berg-17"
    )
    second = app_password_create(address=address, name="b", protocols=["imap"])
    assert first.app_password.lookup_key != second.app_password.lookup_key
    with pytest.raises(ValidationError) as exc:
        app_password_create(
            address=address, name="c", protocols=["imap"], password="Xaver-Pfad-Stein-9"
        )
    assert "password1" in exc.value.message_dict


def test_a_redirect_has_no_app_passwords(service, make_address):
    redirect = make_address(service, "info", kind="redirect", forward_to=["x@example.org"])
    with pytest.raises(ValidationError):
        app_password_create(address=redirect, name="x", protocols=["imap"])
    with pytest.raises(ValidationError):
        app_passwords_only_set(address=redirect, enabled=True)


def test_security_changes_are_logged_and_emailed(
    address, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = app_password_create(address=address, name="iPhone Anna", protocols=["imap"])
        app_passwords_only_set(address=address, enabled=True)
        app_passwords_only_set(address=address, enabled=True)  # no change, no entry
        app_password_revoke(app_password=created.app_password)
    Kind = Activity.Kind
    entries = list(
        Activity.objects.filter(
            customer=customer,
            kind__in=[
                Kind.APP_PASSWORD_CREATED,
                Kind.APP_PASSWORD_REVOKED,
                Kind.APP_PASSWORDS_ONLY,
            ],
        ).order_by("id")
    )
    assert [(e.kind, e.target) for e in entries] == [
        (Kind.APP_PASSWORD_CREATED, "anna@beispiel.ch („iPhone Anna“)"),
        (Kind.APP_PASSWORDS_ONLY, "anna@beispiel.ch (nur noch App-Passwörter)"),
        (Kind.APP_PASSWORD_REVOKED, "anna@beispiel.ch („iPhone Anna“)"),
    ]
    # Each one went to the customer's owner by email, never with the password.
    sent = [m for m in mail.outbox if customer.owner.email in m.to]
    assert len(sent) == 3
    assert "App-Passwort erstellt" in sent[0].subject
    assert all(created.password not in m.body for m in mail.outbox)


def test_only_app_passwords_switches_on_and_off(address):
    assert app_passwords_only_set(address=address, enabled=True) is True
    assert AppPasswordsOnly.objects.filter(address=address).exists()
    assert app_passwords_only_set(address=address, enabled=False) is True
    assert app_passwords_only_set(address=address, enabled=False) is False
    assert not AppPasswordsOnly.objects.filter(address=address).exists()


def test_last_use_is_recorded_only_for_the_address_that_logged_in(address, other_address):
    created = app_password_create(address=address, name="iPhone", protocols=["imap"])
    pk = created.app_password.pk
    wrong = keys.Use(app_password_id=pk, login="bruno@fremd.ch", ip="192.0.2.1", service="imap")
    assert app_password_record_use(use=wrong) is False
    right = keys.Use(app_password_id=pk, login="anna@beispiel.ch", ip="192.0.2.9", service="imap")
    assert app_password_record_use(use=right) is True
    row = AppPassword.objects.get(pk=pk)
    assert (row.last_used_ip, row.last_used_service) == ("192.0.2.9", "imap")
    assert row.last_used_at is not None
