"""System checks of the mailboxes settings (run by `manage.py check`, not at import)."""

from django.core.checks import Error, register

from mailservices.mailboxes.app_settings import app_settings


@register()
def mailboxes_settings_check(app_configs=None, **kwargs):
    from cryptography.fernet import Fernet

    errors = []
    try:
        Fernet(app_settings.IMPORT_KEY)
    except (ValueError, TypeError):
        errors.append(
            Error(
                "PORTAL_MAILBOXES_IMPORT_KEY must be a Fernet key (32 url-safe base64 bytes)",
                id="mailboxes.E001",
            )
        )
    if not app_settings.MASTER_USER or "*" in app_settings.MASTER_USER:
        errors.append(
            Error("PORTAL_MAILBOXES_MASTER_USER must be set, without '*'", id="mailboxes.E002")
        )
    levels = app_settings.STORAGE_ALERT_LEVELS
    if not levels or any(not 0 < int(level) <= 100 for level in levels):
        errors.append(
            Error("PORTAL_MAILBOXES_STORAGE_ALERT_LEVELS: percentages 1-100", id="mailboxes.E003")
        )
    if app_settings.IMPORT_BATCH_MESSAGES < 1 or app_settings.MAX_MESSAGE_BYTES < 1:
        errors.append(
            Error(
                "PORTAL_MAILBOXES_IMPORT_BATCH_MESSAGES and _MAX_MESSAGE_BYTES must be positive",
                id="mailboxes.E004",
            )
        )
    return errors
