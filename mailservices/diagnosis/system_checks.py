"""Django system checks of the diagnosis settings: wrong provider facts are reported at start-up.

(Not `checks.py`: in this app `checks/` are the DNS checks a diagnosis runs.)
"""

from django.core import checks

from mailservices.diagnosis.app_settings import app_settings
from portal.core.app_settings import app_settings as portal_settings
from portal.core.checks import networks_invalid


@checks.register()
def provider_facts(app_configs=None, **kwargs):
    from mailservices.diagnosis.resolver import parse_nameserver

    errors = []
    if not portal_settings.MX_HOSTS:
        errors.append(
            checks.Error("PORTAL_MX_HOSTS is empty.", id="diagnosis.E001", obj="settings")
        )
    for value in networks_invalid(portal_settings.OUTBOUND_IPS):
        errors.append(
            checks.Error(
                f"PORTAL_OUTBOUND_IPS: {value!r} is not an address or network.",
                id="diagnosis.E002",
                obj="settings",
            )
        )
    if not portal_settings.OUTBOUND_IPS:
        errors.append(
            checks.Error("PORTAL_OUTBOUND_IPS is empty.", id="diagnosis.E003", obj="settings")
        )
    nameserver = app_settings.NAMESERVER
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
