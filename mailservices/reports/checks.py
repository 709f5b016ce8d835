"""System checks of the reports' settings."""

from django.core.checks import Error, register

from mailservices.reports.app_settings import app_settings


@register()
def reports_settings_check(app_configs=None, **kwargs):
    errors = []
    for address in app_settings.ADDRESSES:
        if "@" not in address or address.startswith("@") or address.endswith("@"):
            errors.append(
                Error(f"PORTAL_REPORTS_ADDRESSES: {address!r} is not an address", id="reports.E001")
            )
    if int(app_settings.MAX_MAIL_BYTES) <= 0 or int(app_settings.KEEP_DAYS) <= 0:
        errors.append(
            Error("PORTAL_REPORTS_MAX_MAIL_BYTES/KEEP_DAYS must be positive", id="reports.E002")
        )
    return errors
