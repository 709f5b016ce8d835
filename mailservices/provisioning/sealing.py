"""DKIM private keys sealed at rest: Fernet with the keys of `PORTAL_DKIM_SEAL_KEYS`, or,
when that is empty, keys derived (HKDF-SHA256) from SECRET_KEY and SECRET_KEY_FALLBACKS.
The first key seals, every one opens, so the sealing key can change without a flag day
(`manage.py dkim_keys --reseal` seals everything with the first one).

The database holds only sealed keys: a leaked dump or a daemon's read-only role sees no
private key. The portal opens them where it needs them, and `manage.py dkim_keys` hands
them to the signer (OpenDKIM) as key files on the mail host.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

SEALED_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80, base64)


def derived_key(secret: str) -> str:
    """A Fernet key made from a Django secret key (its own purpose: nothing else signs
    or encrypts with it)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal dkim seal")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode())).decode("ascii")


def seal_keys() -> list[str]:
    from mailservices.hosteddns.app_settings import app_settings

    keys = app_settings.DKIM_SEAL_KEYS
    if keys:
        return keys
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [derived_key(secret) for secret in secrets if secret]


def _fernet() -> MultiFernet:
    keys = seal_keys()
    if not keys:
        raise ImproperlyConfigured("No key to seal DKIM keys (PORTAL_DKIM_SEAL_KEYS, SECRET_KEY).")
    return MultiFernet([Fernet(key) for key in keys])


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


def seal(text: str) -> str:
    """The sealed form of `text` ("" stays "": no key)."""
    if not text or is_sealed(text):
        return text
    return _fernet().encrypt(text.encode()).decode("ascii")


def unseal(value: str) -> str:
    """The clear text of a sealed value; a value that is not sealed (written before the
    keys were sealed) is returned as it is."""
    if not value or not is_sealed(value):
        return value
    try:
        return _fernet().decrypt(value.encode("ascii")).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A DKIM key cannot be opened with PORTAL_DKIM_SEAL_KEYS (was its sealing key "
            "removed from the list?)."
        ) from exc


def reseal(value: str) -> str:
    """Sealed again with the first key (after a new key was put in front of the list)."""
    return (
        _fernet().rotate(value.encode("ascii")).decode("ascii") if is_sealed(value) else seal(value)
    )


class SealedTextField(models.TextField):
    """A text column holding a sealed secret: Python code sees the clear text, the database
    only the token. Never filter on it (every seal differs)."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else unseal(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else seal(value)
