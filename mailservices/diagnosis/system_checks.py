"""System checks for the diagnosis settings: wrong provider facts are reported at start-up."""

import ipaddress

from django.conf import settings
from django.core import checks


@checks.register()
def provider_facts(app_configs=None, **kwargs):
    from mailservices.diagnosis.resolver import parse_nameserver

    errors = []
    if not settings.PORTAL_MX_HOSTS:
        errors.append(
            checks.Error("PORTAL_MX_HOSTS is empty.", id="diagnosis.E001", obj="settings")
        )
    for value in settings.PORTAL_OUTBOUND_IPS:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            errors.append(
                checks.Error(
                    f"PORTAL_OUTBOUND_IPS: {value!r} is not an address or network.",
                    id="diagnosis.E002",
                    obj="settings",
                )
            )
    if not settings.PORTAL_OUTBOUND_IPS:
        errors.append(
            checks.Error("PORTAL_OUTBOUND_IPS is empty.", id="diagnosis.E003", obj="settings")
        )
    nameserver = settings.PORTAL_DIAGNOSIS_NAMESERVER
    if nameserver:
        try:
            parse_nameserver(nameserver)
        except (ValueError, OSError) as exc:
            errors.append(
                checks.Error(
                    f"PORTAL_DIAGNOSIS_NAMESERVER {nameserver!r}: {exc}",
                    id="diagnosis.E004",
                    obj="settings",
                )
            )
    return errors
