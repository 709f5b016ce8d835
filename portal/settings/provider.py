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
PORTAL_WEBMAIL_URL = env("PORTAL_WEBMAIL_URL", default="https://webmail.alpenpost.example/")
# Cost of the Dovecot {ARGON2ID} mail-password hashes (Dovecot's defaults: t=3, m=64 MiB, p=1).
PORTAL_MAIL_PASSWORD_ARGON2 = {"time_cost": 3, "memory_cost": 65536, "parallelism": 1}

# --- Shop: invoices and the Swiss QR-bill (fictional account; the IBAN checksum is valid) ---
# A QR-IBAN (institution id 30000-31999) gets QR references, a normal IBAN SCOR references.
PORTAL_CREDITOR_IBAN = env("PORTAL_CREDITOR_IBAN", default="CH3930808000012345678")
PORTAL_CREDITOR_NAME = env("PORTAL_CREDITOR_NAME", default="Alpenpost Mail AG")
PORTAL_CREDITOR_STREET = env("PORTAL_CREDITOR_STREET", default="Postgasse")
PORTAL_CREDITOR_HOUSE_NUMBER = env("PORTAL_CREDITOR_HOUSE_NUMBER", default="7")
PORTAL_CREDITOR_POSTCODE = env("PORTAL_CREDITOR_POSTCODE", default="3011")
PORTAL_CREDITOR_TOWN = env("PORTAL_CREDITOR_TOWN", default="Bern")
PORTAL_CREDITOR_COUNTRY = env("PORTAL_CREDITOR_COUNTRY", default="CH")
PORTAL_VAT_NUMBER = env("PORTAL_VAT_NUMBER", default="CHE-109.876.542 MWST")
PORTAL_INVOICE_DUE_DAYS = env.int("PORTAL_INVOICE_DUE_DAYS", default=30)
# The provider's terms (AGB), linked at the checkout's checkbox.
PORTAL_TERMS_URL = env("PORTAL_TERMS_URL", default="https://www.alpenpost.example/agb/")
# Diagnosis: ask only this resolver ("HOST:PORT"; empty = the system's resolvers), and the
# name servers written into the zones of domains registered through us.
PORTAL_DIAGNOSIS_NAMESERVER = env("PORTAL_DIAGNOSIS_NAMESERVER", default="")
PORTAL_DNS_NAMESERVERS = env.list(
    "PORTAL_DNS_NAMESERVERS", default=["ns1.alpenpost.example", "ns2.alpenpost.example"]
)
# Diagnose a new mail service right after it is created (tests switch this off: no DNS).
PORTAL_DIAGNOSIS_ON_CREATE = env.bool("PORTAL_DIAGNOSIS_ON_CREATE", default=True)
