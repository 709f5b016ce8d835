"""Mail passwords: hashed so that Dovecot verifies them as the IMAP server would.

The stored form is Dovecot's `{ARGON2ID}$argon2id$v=19$m=…,t=…,p=…$salt$hash` (the same
string `doveadm pw -s ARGON2ID` prints). The portal login password is unrelated.
"""

import re

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mailservices.app_settings import app_settings

SCHEME = "{ARGON2ID}"
MIN_LENGTH = 10


def _hasher() -> PasswordHasher:
    return PasswordHasher(**app_settings.PASSWORD_ARGON2, type=Type.ID)


def hash_mail_password(password: str) -> str:
    """The Dovecot-compatible hash of a mail password."""
    return SCHEME + _hasher().hash(password)


def verify_mail_password(password: str, stored: str) -> bool:
    """True if `password` matches `stored` (a `{ARGON2ID}` or `{ARGON2I}` Dovecot hash)."""
    if not stored or not password:
        return False
    match = re.match(r"^\{(ARGON2ID|ARGON2I)\}(\$argon2.+)$", stored)
    if not match:
        return False
    try:
        # Parameters come from the stored hash itself, so old costs keep verifying.
        return _hasher().verify(match.group(2), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_strength(password: str) -> int:
    """A rough score 0-4 for the meter; the same formula runs in mailservices.js."""
    if not password:
        return 0
    classes = sum(
        bool(re.search(pattern, password))
        for pattern in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")
    )
    unique = len(set(password))
    score = 0
    if len(password) >= MIN_LENGTH:
        score += 1
    if len(password) >= 14:
        score += 1
    if classes >= 3:
        score += 1
    if len(password) >= 18 or (classes == 4 and len(password) >= 12):
        score += 1
    if unique < 5:
        score = min(score, 1)
    return score


def validate_mail_password(password: str, *, address: str = "") -> None:
    """Rejects short, common, purely numeric passwords and ones that contain the address."""
    errors = []
    if len(password) < MIN_LENGTH:
        errors.append(
            ValidationError(
                _("Das Passwort muss mindestens %(min)d Zeichen lang sein.") % {"min": MIN_LENGTH},
                code="password_too_short",
            )
        )
    local_part = address.split("@", 1)[0].lower()
    if len(local_part) >= 3 and local_part in password.lower():
        errors.append(
            ValidationError(
                _("Das Passwort darf den Namen der Adresse („%(name)s“) nicht enthalten.")
                % {"name": local_part},
                code="password_contains_address",
            )
        )
    if len(set(password)) < 5:
        errors.append(
            ValidationError(
                _("Das Passwort besteht aus zu wenigen verschiedenen Zeichen."),
                code="password_repetitive",
            )
        )
    try:
        password_validation.validate_password(
            password,
            password_validators=[
                password_validation.CommonPasswordValidator(),
                password_validation.NumericPasswordValidator(),
            ],
        )
    except ValidationError as exc:
        errors.extend(_clearer(error) for error in exc.error_list)
    if errors:
        raise ValidationError(errors)


def _clearer(error: ValidationError) -> ValidationError:
    """Django's terse "too common" (its list of 20,000 leaked passwords) said plainly."""
    if error.code != "password_too_common":
        return error
    message = _(
        "Dieses Passwort gehört zu den häufigsten Passwörtern aus Datenlecks und wird bei "
        "Angriffen zuerst ausprobiert. Bitte wählen Sie ein anderes."
    )
    return ValidationError(message, code=error.code)
