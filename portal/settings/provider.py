"""The provider's facts: name and hosts. Fictional, configurable per deployment."""

from portal.settings.base import env

PORTAL_PROVIDER_NAME = env("PORTAL_PROVIDER_NAME", default="Alpenpost Mail")
PORTAL_PROVIDER_DOMAIN = env("PORTAL_PROVIDER_DOMAIN", default="alpenpost.example")
PORTAL_MAIL_HOST = env("PORTAL_MAIL_HOST", default="mail.alpenpost.example")
PORTAL_MX_HOSTS = env.list(
    "PORTAL_MX_HOSTS", default=["mx1.alpenpost.example", "mx2.alpenpost.example"]
)
PORTAL_SPF_INCLUDE = env("PORTAL_SPF_INCLUDE", default="spf.alpenpost.example")
PORTAL_OUTBOUND_IPS = env.list("PORTAL_OUTBOUND_IPS", default=["192.0.2.0/28", "2001:db8:25::/64"])
PORTAL_DKIM_SELECTOR = env("PORTAL_DKIM_SELECTOR", default="alp2026")
PORTAL_NEWSLETTER_URL = env(
    "PORTAL_NEWSLETTER_URL", default="https://newsletter.alpenpost.example/"
)
PORTAL_ABUSE_EMAIL = env("PORTAL_ABUSE_EMAIL", default="abuse@alpenpost.example")
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
PORTAL_NCSC_REPORT_URL = env("PORTAL_NCSC_REPORT_URL", default="https://www.report.ncsc.admin.ch/")
