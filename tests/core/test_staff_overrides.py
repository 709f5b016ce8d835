"""The staff-override shape both apps share: the abstract model's fields and rules, and the
save/end services, tried on sending limits and on storage alike."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from mailservices.mailboxes.models import StorageOverride
from mailservices.mailboxes.services import storage_override_create, storage_override_end
from mailservices.services.addresses import address_create
from portal.core.models import StaffOverride
from quotas.models import SendingLimitOverride
from quotas.services import sending_limit_override_create, sending_limit_override_end

pytestmark = pytest.mark.django_db

KINDS = {
    "sending": (SendingLimitOverride, sending_limit_override_create, sending_limit_override_end,
                {"limit": 500}),
    "storage": (StorageOverride, storage_override_create, storage_override_end,
                {"quota_mb": 20_480}),
}  # fmt: skip


@pytest.fixture
def address(make_service):
    return address_create(service=make_service(), local_part="info", password="Firn-Grat-2026")


@pytest.fixture(params=sorted(KINDS))
def kind(request):
    return KINDS[request.param]


def _create(kind, address, approved_by, **fields):
    model, create, _end, value = kind
    return create(
        address=address,
        approved_by=approved_by,
        **{
            "reason": "  Newsletter an Vereinsmitglieder  ",
            "request_reference": " T-4711 ",
            **value,
            **fields,
        },
    )


def test_both_overrides_are_staff_overrides_with_the_same_fields():
    shared = {f.name for f in StaffOverride._meta.fields}
    assert shared == {
        "reason", "request_reference", "approved_by", "starts_at", "ends_at", "created_at",
        "ended_at", "ended_by",
    }  # fmt: skip
    for model in (SendingLimitOverride, StorageOverride):
        assert issubclass(model, StaffOverride)
        assert shared <= {f.name for f in model._meta.fields}
        assert model._meta.ordering == ["-created_at", "-pk"]
        names = {c.name for c in model._meta.constraints}
        prefix = "override" if model is SendingLimitOverride else "storage_override"
        assert {f"{prefix}_ends_after_start", f"{prefix}_reason_and_reference"} <= names


def test_the_shared_model_needs_no_migration():
    out = StringIO()
    call_command("makemigrations", "quotas", "mailboxes", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_a_new_override_ends_the_active_one_and_keeps_the_history(kind, address, staff_user):
    model = kind[0]
    first = _create(kind, address, staff_user)
    assert (first.reason, first.request_reference) == ("Newsletter an Vereinsmitglieder", "T-4711")
    second = _create(kind, address, staff_user)
    first.refresh_from_db()
    assert first.ended_at is not None and first.ended_by == staff_user
    assert list(model.objects.active().filter(address=address)) == [second]
    assert list(model.objects.filter(address=address)) == [second, first]  # newest first


def test_only_staff_set_or_end_overrides(kind, address, staff_user, make_user):
    model, _create_service, end, _value = kind
    with pytest.raises(ValidationError, match="Nur Mitarbeitende"):
        _create(kind, address, make_user())
    override = _create(kind, address, staff_user)
    with pytest.raises(ValidationError, match="Nur Mitarbeitende"):
        end(override=override, ended_by=make_user())
    assert model.objects.active().filter(pk=override.pk).exists()


def test_ending_twice_changes_nothing(kind, address, staff_user, make_user):
    model, _create_service, end, _value = kind
    override = _create(kind, address, staff_user)
    ended = end(override=override, ended_by=staff_user)
    other = make_user(is_staff=True)
    again = end(override=override, ended_by=other)
    assert again.ended_at == ended.ended_at and again.ended_by == staff_user
    assert not model.objects.active().filter(pk=override.pk).exists()


def test_the_end_must_follow_the_start_and_reason_and_reference_are_required(
    kind, address, staff_user
):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        _create(kind, address, staff_user, starts_at=now, ends_at=now - timedelta(days=1))
    assert "ends_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _create(kind, address, staff_user, reason="   ", request_reference="")
    assert {"reason", "request_reference"} <= set(error.value.message_dict)
    assert not kind[0].objects.exists()


def test_a_planned_override_is_not_active_yet(kind, address, staff_user):
    later = timezone.now() + timedelta(days=2)
    override = _create(kind, address, staff_user, starts_at=later)
    model = kind[0]
    assert not model.objects.active().filter(pk=override.pk).exists()
    assert model.objects.active(later + timedelta(minutes=1)).filter(pk=override.pk).exists()
