"""Writes for mail services. The shop's provisioning and the admin call these too.

Split by sub-domain: domains and services here, addresses in `addresses.py`.
"""

from mailservices.services.services import (
    domain_create,
    mailservice_add_addresses,
    mailservice_change_plan,
    mailservice_create,
    mailservice_update_settings,
)

__all__ = [
    "domain_create",
    "mailservice_add_addresses",
    "mailservice_change_plan",
    "mailservice_create",
    "mailservice_update_settings",
]
