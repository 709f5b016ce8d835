"""System checks of the DAV settings (run by `manage.py check`, not at import)."""

from urllib.parse import urlsplit

from django.core.checks import Error, register

from mailservices.dav.app_settings import app_settings
from mailservices.dav.login import parse_rules


@register()
def dav_settings_check(app_configs=None, **kwargs):
    errors = []
    url = urlsplit(app_settings.PUBLIC_URL)
    if url.scheme not in ("http", "https") or not url.hostname:
        errors.append(Error("PORTAL_DAV_PUBLIC_URL must be an http(s) URL", id="dav.E001"))
    try:
        parse_rules(app_settings.FAILED_LOGIN_LIMITS)
    except ValueError as exc:
        errors.append(Error(f"PORTAL_DAV_FAILED_LOGIN_LIMITS: {exc}", id="dav.E002"))
    for name in ("MAX_UPLOAD_BYTES", "MAX_CONNECTIONS", "TIMEOUT_SECONDS"):
        if getattr(app_settings, name) <= 0:
            errors.append(Error(f"PORTAL_DAV_{name} must be positive", id="dav.E003"))
    for name in ("FAILED_LOGIN_DELAY", "VERIFY_CACHE_SECONDS", "DELETED_GRACE_DAYS"):
        if getattr(app_settings, name) < 0:
            errors.append(Error(f"PORTAL_DAV_{name} must not be negative", id="dav.E004"))
    return errors
