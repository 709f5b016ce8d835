"""Writes for mail services. The shop's provisioning and the admin call these too.

Split by sub-domain: `domains.py`, `mailservices.py` and `addresses.py`.
"""

from mailservices.services.domains import domain_create
from mailservices.services.mailservices import (
    mailservice_add_addresses,
    mailservice_change_plan,
    mailservice_create,
    mailservice_staff_update,
    mailservice_update_settings,
)

__all__ = [
    "domain_create",
    "mailservice_add_addresses",
    "mailservice_change_plan",
    "mailservice_create",
    "mailservice_staff_update",
    "mailservice_update_settings",
]
