"""Hosted DNS: the name server (PowerDNS) that serves the zones of domains registered with us.

The name servers themselves (`PORTAL_DNS_NAMESERVERS`) are provider facts (provider.py).
"""

from portal.settings.base import env
from portal.settings.provider import PORTAL_PROVIDER_DOMAIN

# SOA RNAME of every hosted zone (an address; written as hostmaster.example. in the SOA).
PORTAL_DNS_HOSTMASTER = env("PORTAL_DNS_HOSTMASTER", default=f"hostmaster@{PORTAL_PROVIDER_DOMAIN}")
# Where the portal asks its own name server ("HOST:PORT"); the diagnosis of a hosted domain
# reads from it. Empty: the normal resolver path of the diagnosis.
PORTAL_DNS_SERVER = env("PORTAL_DNS_SERVER", default="")
# Sign hosted zones (PowerDNS live signing, ECDSA P-256 keys the portal generates).
PORTAL_DNS_DNSSEC = env.bool("PORTAL_DNS_DNSSEC", default=True)
