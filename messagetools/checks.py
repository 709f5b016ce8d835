"""System checks of the message tools' settings (run by `manage.py check`, not at import)."""

from django.core.checks import Error, register

from messagetools.app_settings import app_settings


@register()
def messagetools_settings(app_configs=None, **kwargs):
    return [
        Error(f"MESSAGETOOLS_{name} must be a positive whole number.", id="messagetools.E001")
        for name in ("MAX_UPLOAD_BYTES", "MAX_PASTE_CHARS", "CHECK_KEEP_DAYS")
        if not isinstance(getattr(app_settings, name), int) or getattr(app_settings, name) <= 0
    ]
