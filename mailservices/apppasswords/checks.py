"""System checks of the app-password settings."""

import re

from django.core.checks import Error, register

from mailservices.apppasswords.app_settings import app_settings


@register()
def check_settings(app_configs=None, **kwargs):
    errors = []
    # Dovecot reads the secret inside `%{sha256;...,salt=SECRET:password}`.
    if not re.fullmatch(r"[0-9A-Za-z]{16,128}", app_settings.LOOKUP_SECRET):
        errors.append(
            Error(
                "PORTAL_APPPASSWORDS_LOOKUP_SECRET must be 16-128 letters or digits",
                id="apppasswords.E001",
            )
        )
    if not re.fullmatch(r"[!-~]{16,200}", app_settings.REPORT_TOKEN):
        errors.append(
            Error(
                "PORTAL_APPPASSWORDS_REPORT_TOKEN must be 16-200 printable characters",
                id="apppasswords.E002",
            )
        )
    if app_settings.MAX_PER_ADDRESS < 1:
        errors.append(
            Error("PORTAL_APPPASSWORDS_MAX_PER_ADDRESS must be positive", id="apppasswords.E003")
        )
    return errors
