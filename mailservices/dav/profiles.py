"""CalDAV and CardDAV payloads for an address's Apple configuration profile (.mobileconfig).

`mailservices.autoconfig.apple_mobileconfig` adds them beside the mail account, so one
profile sets up mail, calendars and contacts; the device asks for the mail password.
"""

import uuid

from mailservices.dav.account import dav_account
from portal.core.app_settings import app_settings as portal_settings


def dav_payloads(*, username: str, email: str, identifier: str) -> list[dict]:
    """The two payloads for `username` (the login); `identifier` is the profile's id."""
    account = dav_account(username)
    provider = portal_settings.PROVIDER_NAME
    payloads = []
    for kind, prefix, label in (
        ("caldav", "CalDAV", "Kalender"),
        ("carddav", "CardDAV", "Kontakte"),
    ):
        payload_id = f"{identifier}.{kind}"
        payloads.append(
            {
                "PayloadType": f"com.apple.{kind}.account",
                "PayloadVersion": 1,
                "PayloadIdentifier": payload_id,
                "PayloadUUID": str(uuid.uuid5(uuid.NAMESPACE_DNS, payload_id)).upper(),
                "PayloadDisplayName": f"{label} {email}",
                f"{prefix}AccountDescription": f"{label} {email} ({provider})",
                f"{prefix}HostName": account.host,
                f"{prefix}Port": account.port,
                f"{prefix}UseSSL": account.use_ssl,
                f"{prefix}PrincipalURL": account.principal_path,
                f"{prefix}Username": username,
            }
        )
    return payloads
