"""Writes for addresses: create (normal and catch-all), edit, disable, delete, mail password,
aliases, forwards and the responder. Views, the admin and the shop call these."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mailservices.models import (
    CATCHALL_LOCAL_PART,
    Address,
    Alias,
    Forward,
    MailService,
    Responder,
)
from mailservices.passwords import hash_mail_password, validate_mail_password, verify_mail_password
from portal.security.services import activity_record

MAX_FORWARDS = 20


def _field_error(field: str, message: str, code: str) -> ValidationError:
    """A ValidationError bound to a form field that keeps its code (dict errors drop it)."""
    return ValidationError({field: ValidationError(message, code=code)})


def normalize_local_part(value: str) -> str:
    """Local parts are case-insensitive: stored and compared in lower case."""
    return (value or "").strip().lower()


def _full_address(service: MailService, local_part: str) -> str:
    return f"{local_part}@{service.domain.unicode_name}"


def _check_name_free(*, service: MailService, local_part: str, field: str) -> None:
    if service.addresses.filter(local_part=local_part).exists():
        raise _field_error(
            field,
            _("Die Adresse %(address)s besteht bereits.")
            % {"address": _full_address(service, local_part)},
            "address_taken",
        )
    if service.aliases.filter(local_part=local_part).exists():
        raise _field_error(
            field,
            _("%(address)s ist bereits ein Alias einer anderen Adresse.")
            % {"address": _full_address(service, local_part)},
            "alias_taken",
        )


def _clean_destinations(values: Iterable[str], *, own_address: str = "") -> list[str]:
    destinations = []
    for raw in values:
        destination = (raw or "").strip().lower()
        if not destination:
            continue
        try:
            validate_email(destination)
        except ValidationError as exc:
            raise _field_error(
                "destination",
                _("„%(value)s“ ist keine gültige E-Mail-Adresse.") % {"value": raw},
                "invalid_destination",
            ) from exc
        if own_address and destination == own_address.lower():
            raise _field_error(
                "destination",
                _("Eine Adresse kann nicht an sich selbst weiterleiten."),
                "forward_loop",
            )
        if destination not in destinations:
            destinations.append(destination)
    return destinations


def _create(
    *,
    service: MailService,
    local_part: str,
    kind: str,
    display_name: str,
    password: str,
    forward_to: Iterable[str],
) -> Address:
    # Lock the service row so two concurrent creations cannot both pass the quota check.
    service = MailService.objects.select_related("domain").select_for_update().get(pk=service.pk)
    if service.status == MailService.Status.SUSPENDED:
        raise ValidationError(
            _("Der E-Mail-Dienst ist gesperrt; es können keine Adressen erstellt werden."),
            code="service_suspended",
        )
    _check_name_free(service=service, local_part=local_part, field="local_part")
    used = service.addresses.count()
    if used >= service.address_quota:
        raise ValidationError(
            ngettext(
                "Das Kontingent dieses E-Mail-Dienstes ist ausgeschöpft (%(used)d von "
                "%(quota)d Adresse). Kaufen Sie weitere Adressen, um eine neue zu erstellen.",
                "Das Kontingent dieses E-Mail-Dienstes ist ausgeschöpft (%(used)d von "
                "%(quota)d Adressen). Kaufen Sie weitere Adressen, um eine neue zu erstellen.",
                service.address_quota,
            )
            % {"used": used, "quota": service.address_quota},
            code="quota_exceeded",
        )
    full = f"{local_part}@{service.domain.name}"
    destinations = _clean_destinations(forward_to, own_address=full)
    if kind == Address.Kind.REDIRECT and not destinations:
        raise _field_error(
            "destination",
            _("Eine Weiterleitung braucht mindestens eine Zieladresse."),
            "redirect_needs_destination",
        )
    address = Address(
        service=service,
        local_part=local_part,
        kind=kind,
        display_name=(display_name or "").strip(),
    )
    if password:
        try:
            validate_mail_password(password, address=full)
        except ValidationError as exc:
            raise ValidationError({"password1": exc.error_list}) from exc
        address.password_hash = hash_mail_password(password)
        address.password_changed_at = timezone.now()
    address.full_clean()
    address.save()
    Forward.objects.bulk_create(
        [Forward(address=address, destination=destination) for destination in destinations]
    )
    kind = "catchall_created" if address.is_catchall else "address_created"
    activity_record(customer=service.domain.customer, kind=kind, target=str(address))
    return address


@transaction.atomic
def address_create(
    *,
    service: MailService,
    local_part: str,
    kind: str = Address.Kind.MAILBOX,
    display_name: str = "",
    password: str = "",
    forward_to: Iterable[str] = (),
) -> Address:
    """Creates an address within the service's quota. `catchall` is reserved (see below)."""
    local_part = normalize_local_part(local_part)
    if local_part == CATCHALL_LOCAL_PART:
        raise _field_error(
            "local_part",
            _(
                "Der Name „catchall“ ist für die Catchall-Adresse reserviert. Erstellen Sie "
                "sie über „Generische E-Mail-Adresse erstellen“ › „Catchall“."
            ),
            "catchall_reserved",
        )
    return _create(
        service=service,
        local_part=local_part,
        kind=kind,
        display_name=display_name,
        password=password,
        forward_to=forward_to,
    )


@transaction.atomic
def catchall_create(
    *,
    service: MailService,
    confirmed: bool,
    kind: str = Address.Kind.MAILBOX,
    password: str = "",
    forward_to: Iterable[str] = (),
) -> Address:
    """Creates the service's catch-all address (docs/product.md §2): paid services only, one
    per domain, and only after the customer confirmed the warning."""
    if not service.is_paid:
        raise ValidationError(
            _(
                "Catchall-Adressen gibt es nur bei kostenpflichtigen E-Mail-Diensten. Wechseln "
                "Sie auf ein kostenpflichtiges Angebot, um eine Catchall-Adresse zu erstellen."
            ),
            code="catchall_unpaid",
        )
    if service.addresses.filter(local_part=CATCHALL_LOCAL_PART).exists():
        raise ValidationError(
            _("Für %(domain)s besteht bereits eine Catchall-Adresse.")
            % {"domain": service.domain.unicode_name},
            code="catchall_exists",
        )
    if not confirmed:
        raise _field_error(
            "confirm",
            _("Bitte bestätigen Sie, dass Sie die Hinweise gelesen haben."),
            "catchall_not_confirmed",
        )
    return _create(
        service=service,
        local_part=CATCHALL_LOCAL_PART,
        kind=kind,
        display_name="",
        password=password,
        forward_to=forward_to,
    )


@transaction.atomic
def address_update(*, address: Address, display_name: str, enabled: bool) -> Address:
    """Changes what the customer may edit after creation (the mailbox's storage comes from
    the plan or a staff override: mailservices.mailboxes)."""
    address.display_name = (display_name or "").strip()
    address.enabled = enabled
    address.full_clean()
    address.save(update_fields=["display_name", "enabled", "updated_at"])
    return address


@transaction.atomic
def address_set_enabled(*, address: Address, enabled: bool) -> Address:
    """Disables (mail to it is rejected, login refused) or enables an address again."""
    address.enabled = enabled
    address.save(update_fields=["enabled", "updated_at"])
    return address


@transaction.atomic
def address_delete(*, address: Address) -> None:
    """Deletes the address with its aliases, forwards and responder."""
    customer = address.service.domain.customer
    activity_record(customer=customer, kind="address_deleted", target=address)
    address.delete()


@transaction.atomic
def address_set_password(*, address: Address, password: str) -> Address:
    """Sets a new mail password (hashed for Dovecot); clients must then be updated."""
    if address.kind != Address.Kind.MAILBOX:
        raise ValidationError(
            _("Eine reine Weiterleitung hat kein Postfach und kein Passwort."),
            code="redirect_no_password",
        )
    try:
        validate_mail_password(password, address=f"{address.local_part}@")
    except ValidationError as exc:
        raise ValidationError({"password1": exc.error_list}) from exc
    address.password_hash = hash_mail_password(password)
    address.password_changed_at = timezone.now()
    address.password_tested_at = None
    address.save(
        update_fields=["password_hash", "password_changed_at", "password_tested_at", "updated_at"]
    )
    customer = address.service.domain.customer
    activity_record(customer=customer, kind="mail_password_changed", target=address)
    return address


@transaction.atomic
def address_test_password(*, address: Address, password: str) -> bool:
    """Checks a typed password against the stored hash as the IMAP server does; remembers
    a success (the onboarding step "test the password")."""
    ok = verify_mail_password(password, address.password_hash)
    if ok:
        address.password_tested_at = timezone.now()
        address.save(update_fields=["password_tested_at"])
    return ok


@transaction.atomic
def alias_create(*, address: Address, local_part: str) -> Alias:
    """Adds another name on the same domain that delivers to `address`."""
    local_part = normalize_local_part(local_part)
    if local_part == CATCHALL_LOCAL_PART:
        raise _field_error(
            "local_part",
            _("Der Name „catchall“ ist für die Catchall-Adresse reserviert."),
            "catchall_reserved",
        )
    service = MailService.objects.select_for_update().get(pk=address.service_id)
    _check_name_free(service=service, local_part=local_part, field="local_part")
    alias = Alias(service=service, local_part=local_part, address=address)
    alias.full_clean()
    alias.save()
    return alias


@transaction.atomic
def alias_delete(*, alias: Alias) -> None:
    alias.delete()


@transaction.atomic
def forward_create(*, address: Address, destination: str) -> Forward:
    """Adds a forwarding destination (a copy for a mailbox, the target of a redirect)."""
    full = f"{address.local_part}@{address.service.domain.name}"
    (cleaned,) = _clean_destinations([destination], own_address=full) or [""]
    if not cleaned:
        raise _field_error("destination", _("Bitte geben Sie eine Zieladresse ein."), "required")
    if address.forwards.filter(destination=cleaned).exists():
        raise _field_error(
            "destination",
            _("An %(value)s wird bereits weitergeleitet.") % {"value": cleaned},
            "forward_exists",
        )
    if address.forwards.count() >= MAX_FORWARDS:
        raise _field_error(
            "destination",
            _("Höchstens %(max)d Weiterleitungen pro Adresse.") % {"max": MAX_FORWARDS},
            "forward_max",
        )
    forward = Forward(address=address, destination=cleaned)
    forward.full_clean()
    forward.save()
    return forward


@transaction.atomic
def forward_delete(*, forward: Forward) -> None:
    """Removes a destination; a redirect keeps at least one, else its mail would be lost."""
    address = forward.address
    if address.kind == Address.Kind.REDIRECT and address.forwards.count() <= 1:
        raise ValidationError(
            _(
                "Eine Weiterleitung braucht mindestens eine Zieladresse. Fügen Sie zuerst eine "
                "andere hinzu oder löschen Sie die Adresse."
            ),
            code="redirect_needs_destination",
        )
    forward.delete()


@transaction.atomic
def responder_save(
    *,
    address: Address,
    enabled: bool,
    subject: str,
    body: str,
    starts_at: datetime,
    ends_at: datetime | None,
    interval_days: int,
) -> Responder:
    """Creates or replaces the address's automatic reply."""
    responder = Responder.objects.filter(address=address).first() or Responder(address=address)
    responder.enabled = enabled
    responder.subject = subject.strip()
    responder.body = body.strip()
    responder.starts_at = starts_at
    responder.ends_at = ends_at
    responder.interval_days = interval_days
    if ends_at is not None and ends_at <= starts_at:
        raise _field_error(
            "ends_at", _("Das Ende muss nach dem Beginn liegen."), "ends_before_start"
        )
    responder.full_clean()
    responder.save()
    return responder


@transaction.atomic
def responder_delete(*, address: Address) -> None:
    Responder.objects.filter(address=address).delete()


def address_note_client_setup(*, service: MailService, local_part: str) -> None:
    """Remembers the first time a mail client fetched its settings for an address (the
    onboarding step "set up a device"). One UPDATE; nothing if the address does not exist."""
    Address.objects.filter(
        service=service, local_part=normalize_local_part(local_part), client_configured_at=None
    ).update(client_configured_at=timezone.now())
