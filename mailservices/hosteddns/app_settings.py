"""Settings of the hosted DNS, MTA-STS and DKIM rotation (set in portal/settings/dns.py;
the name servers themselves are provider facts in portal/settings/provider.py)."""

# ruff: noqa: N802 - settings are upper case, as in django.conf.settings

from portal.core.conf import AppSettings


class HostedDnsSettings(AppSettings):
    prefix = "PORTAL_"

    @property
    def DNS_NAMESERVERS(self) -> list[str]:
        """NS of every hosted zone; the first is the SOA's primary."""
        return list(self._setting("DNS_NAMESERVERS", []))

    @property
    def DNS_HOSTMASTER(self) -> str:
        """The SOA's responsible address (hostmaster@provider)."""
        return self._setting("DNS_HOSTMASTER", "")

    @property
    def DNS_SERVER(self) -> str:
        """Our own name server ("HOST:PORT") the diagnosis of a hosted domain asks."""
        return self._setting("DNS_SERVER", "")

    @property
    def DNS_DNSSEC(self) -> bool:
        """Sign hosted zones (PowerDNS live signing)."""
        return bool(self._setting("DNS_DNSSEC", True))

    @property
    def MTA_STS_HOST(self) -> str:
        """Target of every `mta-sts.<domain>` CNAME: the web front serving the policies."""
        return self._setting("MTA_STS_HOST", "")

    @property
    def MTA_STS_MODE(self) -> str:
        return self._setting("MTA_STS_MODE", "enforce")

    @property
    def MTA_STS_MAX_AGE(self) -> int:
        return int(self._setting("MTA_STS_MAX_AGE", 604800))

    @property
    def TLSRPT_RUA(self) -> str:
        """Where TLS reports go (mailto: or https:)."""
        return self._setting("TLSRPT_RUA", "")

    @property
    def DKIM_ROTATE_AFTER_DAYS(self) -> int:
        return int(self._setting("DKIM_ROTATE_AFTER_DAYS", 180))

    @property
    def DKIM_ROTATION_GRACE_DAYS(self) -> int:
        return int(self._setting("DKIM_ROTATION_GRACE_DAYS", 7))

    @property
    def DKIM_SEAL_KEYS(self) -> list[str]:
        """Fernet keys sealing the DKIM private keys in the database: the first seals, all
        open (put a new key first, run `manage.py dkim_keys --reseal`, then drop the old).
        Empty (default): keys derived from SECRET_KEY, then SECRET_KEY_FALLBACKS."""
        return list(self._setting("DKIM_SEAL_KEYS", []))


app_settings = HostedDnsSettings()
