"""System checks of the quotas settings (run by `manage.py check`, not at import)."""

import ipaddress

from django.core.checks import Error, register

from portal.core.redisconn import parse_sentinel_url
from quotas.app_settings import app_settings as quota_settings


@register()
def quota_settings_check(app_configs=None, **kwargs):
    errors = []
    for value in quota_settings.PHP_MAIL_NETWORKS:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            errors.append(
                Error(f"QUOTAS_PHP_MAIL_NETWORKS: {value!r} is not a network", id="quotas.E001")
            )
    for name in ("WINDOW_SECONDS", "RESERVATION_SECONDS", "UNKNOWN_SENDER_LIMIT"):
        if int(getattr(quota_settings, name)) <= 0:
            errors.append(Error(f"QUOTAS_{name} must be positive", id="quotas.E002"))
    url = quota_settings.REDIS_URL
    if not url.startswith(("redis://", "rediss://", "unix://", "sentinel://")):
        errors.append(
            Error("QUOTAS_REDIS_URL must be a redis:// or sentinel:// URL", id="quotas.E003")
        )
    elif url.startswith("sentinel://"):
        try:
            parse_sentinel_url(url)
        except ValueError as exc:
            errors.append(Error(f"QUOTAS_REDIS_URL: {exc}", id="quotas.E003"))
    return errors
