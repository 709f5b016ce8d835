"""System checks of the hosted-DNS settings: wrong values are reported at start-up."""

from cryptography.fernet import Fernet
from django.core import checks

from mailservices.hosteddns import mtasts
from mailservices.hosteddns.app_settings import app_settings


def _error(message: str, number: int) -> checks.Error:
    return checks.Error(message, id=f"hosteddns.E{number:03d}", obj="settings")


@checks.register()
def hosted_dns_settings(app_configs=None, **kwargs):
    from mailservices.diagnosis.resolver import parse_nameserver

    errors = []
    if not app_settings.DNS_NAMESERVERS:
        errors.append(_error("PORTAL_DNS_NAMESERVERS is empty.", 1))
    if "@" not in app_settings.DNS_HOSTMASTER:
        errors.append(_error("PORTAL_DNS_HOSTMASTER must be an address (hostmaster@…).", 2))
    if app_settings.DNS_SERVER:
        try:
            parse_nameserver(app_settings.DNS_SERVER)
        except (ValueError, OSError):
            errors.append(_error("PORTAL_DNS_SERVER must be HOST:PORT.", 3))
    if app_settings.MTA_STS_MODE not in mtasts.MODES:
        errors.append(_error("PORTAL_MTA_STS_MODE must be enforce, testing or none.", 4))
    if not 86400 <= app_settings.MTA_STS_MAX_AGE <= mtasts.MAX_AGE_MAX:
        errors.append(_error("PORTAL_MTA_STS_MAX_AGE must be 86400 to 31557600 seconds.", 5))
    if not app_settings.TLSRPT_RUA.startswith(("mailto:", "https:")):
        errors.append(_error("PORTAL_TLSRPT_RUA must start with mailto: or https:.", 6))
    if not app_settings.MTA_STS_HOST:
        errors.append(_error("PORTAL_MTA_STS_HOST is empty.", 7))
    if app_settings.DKIM_ROTATION_GRACE_DAYS < 1 or app_settings.DKIM_ROTATE_AFTER_DAYS < 1:
        errors.append(_error("PORTAL_DKIM_ROTATION_GRACE_DAYS/ROTATE_AFTER_DAYS must be >= 1.", 8))
    for key in app_settings.DKIM_SEAL_KEYS:
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                _error("PORTAL_DKIM_SEAL_KEYS: each must be a Fernet key (32 bytes, base64).", 9)
            )
            break
    return errors
