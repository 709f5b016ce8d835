"""System checks of the shop's settings: the creditor account must make valid QR-bills."""

from django.core import checks
from stdnum import iban

from portal.shop.app_settings import app_settings


@checks.register(checks.Tags.compatibility)
def check_creditor_account(app_configs, **kwargs):
    errors = []
    account = app_settings.CREDITOR_IBAN
    if not iban.is_valid(account) or iban.compact(account)[:2] not in ("CH", "LI"):
        errors.append(
            checks.Error(
                "PORTAL_CREDITOR_IBAN must be a valid Swiss or Liechtenstein IBAN (QR-IBAN or "
                "normal IBAN) for the QR-bill.",
                id="shop.E001",
            )
        )
    for name in ("NAME", "STREET", "POSTCODE", "TOWN", "COUNTRY"):
        if not getattr(app_settings, f"CREDITOR_{name}"):
            errors.append(
                checks.Error(f"PORTAL_CREDITOR_{name} must be set for invoices.", id="shop.E002")
            )
    if app_settings.INVOICE_DUE_DAYS < 1:
        errors.append(checks.Error("PORTAL_INVOICE_DUE_DAYS must be at least 1.", id="shop.E003"))
    return errors
