"""The old provider's password, encrypted with the key from the settings (Fernet)."""

import json

from cryptography.fernet import Fernet, InvalidToken

from mailservices.mailboxes.app_settings import app_settings


def _fernet() -> Fernet:
    return Fernet(app_settings.IMPORT_KEY)


def seal(data: dict) -> str:
    """A token holding `data` (e.g. the password); readable only with the key."""
    return _fernet().encrypt(json.dumps(data).encode()).decode("ascii")


def unseal(token: str, *, ttl: int | None = None) -> dict | None:
    """The data of a token, or None if it is missing, tampered with or older than `ttl` s."""
    if not token:
        return None
    try:
        return json.loads(_fernet().decrypt(token.encode("ascii"), ttl=ttl))
    except (InvalidToken, ValueError):
        return None
