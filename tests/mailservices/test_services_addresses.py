from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mailservices.models import Address, Alias, Forward, MailService, Responder
from mailservices.passwords import verify_mail_password
from mailservices.services import mailservice_add_addresses
from mailservices.services.addresses import (
    address_create,
    address_delete,
    address_set_enabled,
    address_set_password,
    address_test_password,
    address_update,
    alias_create,
    catchall_create,
    forward_create,
    forward_delete,
    responder_save,
)
from tests.mailservices.conftest import MAIL_PASSWORD


def codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def test_create_mailbox_hashes_password(service):
    address = address_create(service=service, local_part=" Anna.Muster ", password=MAIL_PASSWORD)
    assert address.local_part == "anna.muster"
    assert address.password_hash.startswith("{ARGON2ID}")
    assert verify_mail_password(MAIL_PASSWORD, address.password_hash)
    assert address.password_changed_at is not None


def test_create_redirect_with_forwards(service):
    address = address_create(
        service=service,
        local_part="info",
        kind="redirect",
        forward_to=["Chef@Example.org", "chef@example.org"],
    )
    assert address.password_hash == ""
    assert list(address.forwards.values_list("destination", flat=True)) == ["chef@example.org"]


def test_redirect_needs_a_destination(service):
    with pytest.raises(ValidationError) as exc:
        address_create(service=service, local_part="info", kind="redirect")
    assert "redirect_needs_destination" in codes(exc.value)
    assert not Address.objects.exists()


@pytest.mark.parametrize("name", ["catchall", "CatchAll", " catchall "])
def test_normal_flow_refuses_reserved_catchall(service, name):
    with pytest.raises(ValidationError) as exc:
        address_create(service=service, local_part=name, password=MAIL_PASSWORD)
    assert "catchall_reserved" in codes(exc.value)
    assert "Generische E-Mail-Adresse erstellen" in str(exc.value)


@pytest.mark.parametrize("name", ["", "a..b", ".anna", "anna.", "an na", "anna+x", "ä", "a" * 65])
def test_invalid_local_parts(service, name):
    with pytest.raises(ValidationError):
        address_create(service=service, local_part=name, password=MAIL_PASSWORD)
    assert not Address.objects.exists()


def test_quota_is_enforced_and_can_be_raised(make_service, customer):
    service = make_service(customer, plan="service_mail_starter")  # quota 1
    address_create(service=service, local_part="eins", password=MAIL_PASSWORD)
    with pytest.raises(ValidationError) as exc:
        address_create(service=service, local_part="zwei", password=MAIL_PASSWORD)
    assert "quota_exceeded" in codes(exc.value)
    assert "1 von 1" in str(exc.value)
    mailservice_add_addresses(service=service, count=1)
    address_create(service=service, local_part="zwei", password=MAIL_PASSWORD)
    assert service.addresses.count() == 2


def test_duplicate_and_alias_names_are_refused(service, address):
    with pytest.raises(ValidationError) as exc:
        address_create(service=service, local_part="ANNA", password=MAIL_PASSWORD)
    assert "address_taken" in codes(exc.value)
    alias_create(address=address, local_part="kontakt")
    with pytest.raises(ValidationError) as exc:
        address_create(service=service, local_part="kontakt", password=MAIL_PASSWORD)
    assert "alias_taken" in codes(exc.value)


def test_weak_password_leaves_nothing_behind(service):
    with pytest.raises(ValidationError) as exc:
        address_create(service=service, local_part="anna", password="kurz")
    assert "password1" in exc.value.error_dict
    assert not Address.objects.exists()


def test_suspended_service_refuses_addresses(make_service, customer):
    service = make_service(customer, status=MailService.Status.SUSPENDED)
    with pytest.raises(ValidationError) as exc:
        address_create(service=service, local_part="anna", password=MAIL_PASSWORD)
    assert "service_suspended" in codes(exc.value)


def test_catchall_on_paid_service(service):
    catchall = catchall_create(service=service, confirmed=True, password=MAIL_PASSWORD)
    assert catchall.local_part == "catchall" and catchall.is_catchall
    with pytest.raises(ValidationError) as exc:
        catchall_create(service=service, confirmed=True, password=MAIL_PASSWORD)
    assert "catchall_exists" in codes(exc.value)


def test_catchall_needs_confirmation(service):
    with pytest.raises(ValidationError) as exc:
        catchall_create(service=service, confirmed=False, password=MAIL_PASSWORD)
    assert "catchall_not_confirmed" in codes(exc.value)
    assert not service.addresses.exists()


def test_catchall_refused_on_free_service(make_service, customer):
    service = make_service(customer, plan="my_ksuite")
    with pytest.raises(ValidationError) as exc:
        catchall_create(service=service, confirmed=True, password=MAIL_PASSWORD)
    assert "catchall_unpaid" in codes(exc.value)
    assert "kostenpflichtigen" in str(exc.value)


def test_catchall_counts_against_quota(make_service, customer):
    service = make_service(customer, plan="service_mail_starter")
    address_create(service=service, local_part="eins", password=MAIL_PASSWORD)
    with pytest.raises(ValidationError) as exc:
        catchall_create(service=service, confirmed=True, password=MAIL_PASSWORD)
    assert "quota_exceeded" in codes(exc.value)


def test_update_disable_delete(service, address):
    alias_create(address=address, local_part="kontakt")
    forward_create(address=address, destination="x@example.net")
    address_update(address=address, display_name=" Anna ", enabled=True)
    address.refresh_from_db()
    assert address.display_name == "Anna"
    with pytest.raises(ValidationError):
        address_update(address=address, display_name="x" * 121, enabled=True)
    address_set_enabled(address=address, enabled=False)
    address.refresh_from_db()
    assert address.enabled is False
    address_delete(address=address)
    assert not Address.objects.exists()
    assert not Alias.objects.exists() and not Forward.objects.exists()


def test_set_and_test_password(address):
    assert address_test_password(address=address, password=MAIL_PASSWORD) is True
    address.refresh_from_db()
    assert address.password_tested_at is not None
    address_set_password(address=address, password="Neues-Passwort-Berg-77")
    address.refresh_from_db()
    assert address.password_tested_at is None  # must be tested again after a change
    assert address_test_password(address=address, password=MAIL_PASSWORD) is False
    assert address_test_password(address=address, password="Neues-Passwort-Berg-77") is True


def test_redirect_has_no_password(service):
    redirect = address_create(
        service=service, local_part="info", kind="redirect", forward_to=["a@example.org"]
    )
    with pytest.raises(ValidationError):
        address_set_password(address=redirect, password="Neues-Passwort-Berg-77")


def test_alias_rules(service, address):
    alias = alias_create(address=address, local_part="Kontakt")
    assert alias.local_part == "kontakt"
    with pytest.raises(ValidationError):
        alias_create(address=address, local_part="kontakt")
    with pytest.raises(ValidationError):
        alias_create(address=address, local_part="anna")
    with pytest.raises(ValidationError):
        alias_create(address=address, local_part="catchall")


def test_forward_rules(service, address):
    forward_create(address=address, destination="Anna@Example.NET")
    with pytest.raises(ValidationError) as exc:
        forward_create(address=address, destination="anna@example.net")
    assert "forward_exists" in codes(exc.value)
    with pytest.raises(ValidationError) as exc:
        forward_create(address=address, destination="anna@beispiel.ch")
    assert "forward_loop" in codes(exc.value)
    with pytest.raises(ValidationError):
        forward_create(address=address, destination="kein-mail")


def test_redirect_keeps_its_last_forward(service):
    redirect = address_create(
        service=service, local_part="info", kind="redirect", forward_to=["a@example.org"]
    )
    forward = redirect.forwards.get()
    with pytest.raises(ValidationError):
        forward_delete(forward=forward)
    second = forward_create(address=redirect, destination="b@example.org")
    forward_delete(forward=second)
    assert redirect.forwards.count() == 1


def test_responder_save_and_replace(address):
    now = timezone.now()
    responder_save(
        address=address,
        enabled=True,
        subject="Ferien",
        body="Bin weg.",
        starts_at=now,
        ends_at=now + timedelta(days=3),
        interval_days=3,
    )
    responder_save(
        address=address,
        enabled=False,
        subject="Anders",
        body="Text",
        starts_at=now,
        ends_at=None,
        interval_days=7,
    )
    responder = Responder.objects.get()
    assert (responder.subject, responder.enabled, responder.ends_at) == ("Anders", False, None)
    with pytest.raises(ValidationError):
        responder_save(
            address=address,
            enabled=True,
            subject="x",
            body="y",
            starts_at=now,
            ends_at=now - timedelta(hours=1),
            interval_days=7,
        )
    with pytest.raises(ValidationError):
        responder_save(
            address=address,
            enabled=True,
            subject="x",
            body="y",
            starts_at=now,
            ends_at=None,
            interval_days=31,
        )
