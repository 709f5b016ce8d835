"""System checks of the provider's facts and of the apps' periodic jobs."""

import ipaddress
from urllib.parse import urlsplit

from django.core import checks

from portal.core.app_settings import app_settings
from portal.core.schedules import schedule_conflicts


@checks.register()
def provider_settings(app_configs=None, **kwargs):
    errors = []
    url = urlsplit(app_settings.BASE_URL)
    if url.scheme not in ("http", "https") or not url.netloc:
        errors.append(
            checks.Error(
                f"PORTAL_BASE_URL {app_settings.BASE_URL!r} is not an http(s) URL.",
                id="core.E001",
                obj="settings",
            )
        )
    for name in ("PROVIDER_NAME", "PROVIDER_DOMAIN", "MAIL_HOST", "ABUSE_EMAIL"):
        if not getattr(app_settings, name):
            errors.append(checks.Error(f"PORTAL_{name} is empty.", id="core.E002", obj="settings"))
    return errors


@checks.register()
def periodic_jobs(app_configs=None, **kwargs):
    return [
        checks.Error(
            f"Periodic job {name!r} is declared by both {first} and {second}.",
            hint="Prefix each entry of an app's SCHEDULE with the app's label.",
            id="core.E003",
        )
        for name, first, second in schedule_conflicts()
    ]


def networks_invalid(values) -> list[str]:
    """The values of a list setting that are not an IP address or network."""
    invalid = []
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            invalid.append(value)
    return invalid
