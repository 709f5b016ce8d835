"""Validation of domain names and local parts, shared by models and forms."""

import re

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Dot-atom local parts (RFC 5321) as mail providers allow them: letters, digits and . _ - +
# no leading, trailing or doubled dots. `+` is reserved for sub-addressing (user+tag@).
LOCAL_PART_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]|\.(?!\.))*(?<!\.)$")
LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def validate_local_part(value: str) -> None:
    if not value or len(value) > 64 or not LOCAL_PART_RE.match(value):
        raise ValidationError(
            _(
                "Erlaubt sind Kleinbuchstaben, Ziffern sowie . _ - (nicht am Anfang oder Ende, "
                "keine zwei Punkte hintereinander), höchstens 64 Zeichen."
            ),
            code="invalid_local_part",
        )


def to_a_label(name: str) -> str:
    """The ASCII (A-label) form of a domain typed by a person; raises ValidationError."""
    cleaned = name.strip().rstrip(".").lower()
    try:
        ascii_name = idna.encode(cleaned, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise ValidationError(
            _("„%(name)s“ ist kein gültiger Domainname."),
            code="invalid_domain",
            params={"name": name},
        ) from exc
    validate_domain_name(ascii_name)
    return ascii_name


def validate_domain_name(value: str) -> None:
    labels = value.split(".")
    if (
        len(value) > 253
        or len(labels) < 2
        or not all(LABEL_RE.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError(
            _("„%(name)s“ ist kein gültiger Domainname."),
            code="invalid_domain",
            params={"name": value},
        )
