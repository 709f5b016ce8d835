"""Services saving and ending a `StaffOverride` (sending limits, storage): the steps both
apps share. The app's service names what is overridden, checks its own rules, records the
activity and calls these inside its transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.core.models import StaffOverride, StaffOverrideQuerySet


@transaction.atomic
def staff_override_save(
    *, override: StaffOverride, replaces: StaffOverrideQuerySet, refused: str, **end_fields
) -> StaffOverride:
    """Validates and saves a new override; the ones in `replaces` active now end with it.

    `refused` is the message when the approver is not staff; `end_fields` go on the rows it
    replaces (e.g. an end note).
    """
    if not override.approved_by.is_staff:
        raise ValidationError(refused)
    override.reason = override.reason.strip()
    override.request_reference = override.request_reference.strip()
    override.starts_at = override.starts_at or timezone.now()
    override.full_clean()
    now = timezone.now()
    replaces.active(now).update(ended_at=now, ended_by=override.approved_by, **end_fields)
    override.save()
    return override


@transaction.atomic
def staff_override_end(
    *, override: StaffOverride, ended_by, refused: str, **end_fields
) -> StaffOverride:
    """Ends an override early (its plan value applies again); ending twice changes nothing.

    `refused` is the message when `ended_by` is not staff; `end_fields` are stored with it.
    """
    if not ended_by.is_staff:
        raise ValidationError(refused)
    override = type(override)._default_manager.select_for_update().get(pk=override.pk)
    if override.ended_at is None:
        override.ended_at = timezone.now()
        override.ended_by = ended_by
        for name, value in end_fields.items():
            setattr(override, name, value)
        override.save(update_fields=["ended_at", "ended_by", *end_fields])
    return override
