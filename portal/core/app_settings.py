"""The provider's facts every app uses (name, hosts, URLs), read through `app_settings`.

They are `PORTAL_*` names set from the environment in `portal/settings/provider.py`, which
also holds their defaults (fictional values for development): no second copy here.
"""

# ruff: noqa: N802 - settings are upper case, as in django.conf.settings

from portal.core.conf import AppSettings


class PortalSettings(AppSettings):
    prefix = "PORTAL_"

    @property
    def PROVIDER_NAME(self) -> str:
        """The provider's name as customers know it (emails, pages, client profiles)."""
        return self._setting("PROVIDER_NAME", "")

    @property
    def PROVIDER_DOMAIN(self) -> str:
        """The provider's own domain (client-profile identifiers, hostmaster address)."""
        return self._setting("PROVIDER_DOMAIN", "")

    @property
    def BASE_URL(self) -> str:
        """The portal's public URL without a trailing slash, for links in emails."""
        return self._setting("BASE_URL", "").rstrip("/")

    @property
    def MAIL_HOST(self) -> str:
        """IMAP/POP3/SMTP host the customers' mail clients use."""
        return self._setting("MAIL_HOST", "")

    @property
    def MX_HOSTS(self) -> list[str]:
        """The MX hosts a customer domain points to, in order of preference."""
        return list(self._setting("MX_HOSTS", []))

    @property
    def SPF_INCLUDE(self) -> str:
        """The name customers include in their SPF record."""
        return self._setting("SPF_INCLUDE", "")

    @property
    def OUTBOUND_IPS(self) -> list[str]:
        """Networks our outgoing mail leaves from (checked in SPF)."""
        return list(self._setting("OUTBOUND_IPS", []))

    @property
    def DKIM_SELECTOR(self) -> str:
        """Selector of newly made DKIM keys (existing keys keep theirs)."""
        return self._setting("DKIM_SELECTOR", "")

    @property
    def NEWSLETTER_URL(self) -> str:
        """Where customers send newsletters (bulk mail is not sent through us)."""
        return self._setting("NEWSLETTER_URL", "")

    @property
    def ABUSE_EMAIL(self) -> str:
        """The abuse team's address (phishing reports go there)."""
        return self._setting("ABUSE_EMAIL", "")

    @property
    def NCSC_REPORT_URL(self) -> str:
        """The national reporting form for phishing (NCSC)."""
        return self._setting("NCSC_REPORT_URL", "")

    @property
    def WEBMAIL_URL(self) -> str:
        """The webmail customers log in to."""
        return self._setting("WEBMAIL_URL", "")


app_settings = PortalSettings()
