"""Writes of app passwords: create (shown once), revoke, "only app passwords", last use."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailservices.apppasswords import keys
from mailservices.apppasswords.app_settings import app_settings
from mailservices.apppasswords.models import AppPassword, AppPasswordsOnly
from mailservices.models import Address
from mailservices.passwords import hash_mail_password, validate_mail_password
from portal.security.models import Activity
from portal.security.services import activity_record

_GENERATE_ATTEMPTS = 50


@dataclass(frozen=True)
class CreatedAppPassword:
    """The new app password and its clear text, which exists only in this response."""

    app_password: AppPassword
    password: str


def _login(address: Address) -> str:
    return f"{address.local_part}@{address.service.domain.name}"


def _record(address: Address, kind: str, detail: str) -> None:
    """One activity entry, emailed to the customer's owner (portal.security)."""
    activity_record(
        customer=address.service.domain.customer,
        kind=kind,
        target=f"{_login(address)} ({detail})",
    )


def _require_mailbox(address: Address) -> None:
    if address.kind != Address.Kind.MAILBOX:
        raise ValidationError(
            _("Eine reine Weiterleitung hat kein Postfach und keine App-Passwörter."),
            code="redirect_no_password",
        )


@transaction.atomic
def app_password_create(
    *, address: Address, name: str, protocols: list[str] | tuple[str, ...], password: str = ""
) -> CreatedAppPassword:
    """A new app password for `address`: generated unless `password` is typed (then checked
    like a mail password). Its clear text is returned once and never stored."""
    _require_mailbox(address)
    Address.objects.select_for_update().filter(pk=address.pk).first()  # one creator at a time
    name = " ".join(name.split())
    unknown = set(protocols) - set(keys.PROTOCOLS)
    if unknown or not protocols:
        raise ValidationError(
            {"protocols": _("Wählen Sie mindestens ein Protokoll.")}, code="protocols"
        )
    existing = AppPassword.objects.filter(address=address)
    if existing.count() >= app_settings.MAX_PER_ADDRESS:
        raise ValidationError(
            _("Diese Adresse hat bereits %(max)d App-Passwörter. Widerrufen Sie zuerst ein altes.")
            % {"max": app_settings.MAX_PER_ADDRESS},
            code="too_many",
        )
    if existing.filter(name__iexact=name).exists():
        raise ValidationError(
            {"name": _("Diese Adresse hat schon ein App-Passwort mit diesem Namen.")},
            code="name_taken",
        )
    secret = app_settings.LOOKUP_SECRET
    typed = bool(password)
    taken = set(existing.values_list("lookup_key", flat=True))
    if typed:
        try:
            validate_mail_password(password, address=f"{address.local_part}@")
        except ValidationError as exc:
            raise ValidationError({"password1": exc.error_list}) from exc
        key = keys.lookup_key(password, secret)
        if key in taken:  # 1 in 65,536 per existing app password
            raise ValidationError(
                {"password1": _("Bitte wählen Sie ein anderes Passwort.")}, code="key_taken"
            )
    else:
        for _attempt in range(_GENERATE_ATTEMPTS):
            password = keys.generate_password()
            key = keys.lookup_key(password, secret)
            if key not in taken:
                break
        else:  # pragma: no cover - needs thousands of app passwords on one address
            raise ValidationError(_("Bitte versuchen Sie es noch einmal."), code="key_taken")
    app_password = AppPassword(
        address=address,
        name=name,
        lookup_key=key,
        password_hash=hash_mail_password(password),
        generated=not typed,
        allow_imap="imap" in protocols,
        allow_smtp="smtp" in protocols,
        allow_dav="dav" in protocols,
    )
    app_password.full_clean()
    app_password.save()
    _record(address, Activity.Kind.APP_PASSWORD_CREATED, f"„{app_password.name}“")
    return CreatedAppPassword(app_password=app_password, password=password)


@transaction.atomic
def app_password_revoke(*, app_password: AppPassword) -> None:
    """Deletes the app password: the next login with it fails (Dovecot keeps no cache)."""
    address = app_password.address
    name = app_password.name
    app_password.delete()
    _record(address, Activity.Kind.APP_PASSWORD_REVOKED, f"„{name}“")


@transaction.atomic
def app_passwords_only_set(*, address: Address, enabled: bool) -> bool:
    """Switches "only app passwords" for the address; returns whether anything changed."""
    _require_mailbox(address)
    if enabled:
        _row, changed = AppPasswordsOnly.objects.get_or_create(address=address)
        detail = _("nur noch App-Passwörter")
    else:
        changed = AppPasswordsOnly.objects.filter(address=address).delete()[0] > 0
        detail = _("Mail-Passwort wieder zugelassen")
    if changed:
        _record(address, Activity.Kind.APP_PASSWORDS_ONLY, detail)
    return changed


def app_password_record_use(*, use: keys.Use, now=None) -> bool:
    """Remembers when, from where and over what an app password last logged in (Dovecot's
    report or the DAV server). Only for the address that logged in; one UPDATE."""
    local, _at, domain = use.login.rpartition("@")
    updated = AppPassword.objects.filter(
        pk=use.app_password_id,
        address__local_part=local,
        address__service__domain__name=domain,
    ).update(
        last_used_at=now or timezone.now(),
        last_used_ip=use.ip,
        last_used_service=use.service[:10],
    )
    return updated > 0
