"""The shop's settings: the creditor on invoices and QR-bills, and the payment term.

`PORTAL_CREDITOR_*`, `PORTAL_VAT_NUMBER` and `PORTAL_INVOICE_DUE_DAYS` are set from the
environment in `portal/settings/provider.py`, which holds their (fictional) defaults.
"""

# ruff: noqa: N802 - settings are upper case, as in django.conf.settings

from portal.core.conf import AppSettings


class ShopSettings(AppSettings):
    prefix = "PORTAL_"

    @property
    def CREDITOR_IBAN(self) -> str:
        """The account invoices are paid to: a QR-IBAN (QR reference) or an IBAN (SCOR)."""
        return self._setting("CREDITOR_IBAN", "")

    @property
    def CREDITOR_NAME(self) -> str:
        return self._setting("CREDITOR_NAME", "")

    @property
    def CREDITOR_STREET(self) -> str:
        return self._setting("CREDITOR_STREET", "")

    @property
    def CREDITOR_HOUSE_NUMBER(self) -> str:
        return self._setting("CREDITOR_HOUSE_NUMBER", "")

    @property
    def CREDITOR_POSTCODE(self) -> str:
        return self._setting("CREDITOR_POSTCODE", "")

    @property
    def CREDITOR_TOWN(self) -> str:
        return self._setting("CREDITOR_TOWN", "")

    @property
    def CREDITOR_COUNTRY(self) -> str:
        """Two-letter country code of the creditor's address."""
        return self._setting("CREDITOR_COUNTRY", "CH")

    @property
    def VAT_NUMBER(self) -> str:
        """The provider's VAT number, printed on every invoice."""
        return self._setting("VAT_NUMBER", "")

    @property
    def TERMS_URL(self) -> str:
        """The terms (AGB) the customer accepts at the checkout, linked at its checkbox."""
        return self._setting("TERMS_URL", "")

    @property
    def INVOICE_DUE_DAYS(self) -> int:
        """Days between the invoice date and its due date."""
        return int(self._setting("INVOICE_DUE_DAYS", 30))


app_settings = ShopSettings()
