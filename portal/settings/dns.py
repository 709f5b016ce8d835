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
# MTA-STS (RFC 8461): every mail domain's `mta-sts.<domain>` is a CNAME to this host, the
# portal's web front, which serves /.well-known/mta-sts.txt for any of our domains.
PORTAL_MTA_STS_HOST = env("PORTAL_MTA_STS_HOST", default=f"mta-sts.{PORTAL_PROVIDER_DOMAIN}")
PORTAL_MTA_STS_MODE = env("PORTAL_MTA_STS_MODE", default="enforce")  # enforce | testing
PORTAL_MTA_STS_MAX_AGE = env.int("PORTAL_MTA_STS_MAX_AGE", default=604800)  # one week
# TLS-RPT (RFC 8460): where sending servers report TLS failures for our domains.
PORTAL_TLSRPT_RUA = env("PORTAL_TLSRPT_RUA", default=f"mailto:tls-reports@{PORTAL_PROVIDER_DOMAIN}")
# DKIM rotation: hosted zones change their key automatically after this many days; the old
# key stays published for the grace period after signing switched.
PORTAL_DKIM_ROTATE_AFTER_DAYS = env.int("PORTAL_DKIM_ROTATE_AFTER_DAYS", default=180)
PORTAL_DKIM_ROTATION_GRACE_DAYS = env.int("PORTAL_DKIM_ROTATION_GRACE_DAYS", default=7)
# Fernet keys sealing the DKIM private keys in the database (comma-separated; the first
# seals, every one opens). Empty: keys derived from SECRET_KEY and SECRET_KEY_FALLBACKS.
PORTAL_DKIM_SEAL_KEYS = env.list("PORTAL_DKIM_SEAL_KEYS", default=[])
