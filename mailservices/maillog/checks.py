"""System checks of the delivery log's settings (run by `manage.py check`, not at import)."""

from django.core.checks import Error, register

from mailservices.maillog.app_settings import app_settings


@register()
def maillog_settings_check(app_configs=None, **kwargs):
    errors = []
    if int(app_settings.RETENTION_DAYS) <= 0:
        errors.append(Error("PORTAL_MAILLOG_RETENTION_DAYS must be positive", id="maillog.E001"))
    if int(app_settings.BATCH_LINES) <= 0:
        errors.append(Error("PORTAL_MAILLOG_BATCH_LINES must be positive", id="maillog.E002"))
    return errors
