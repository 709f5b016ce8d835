"""Delivery log and DMARC/TLS-RPT reports (issue 15): what production sets in the environment."""

from portal.settings.base import env

# Postfix's log file `maillog_follow` reads (its maillog_file, or syslog's mail log).
PORTAL_MAILLOG_FILE = env("PORTAL_MAILLOG_FILE", default="/var/log/mail.log")
# Days a delivery stays in the log (the customer pages show this many days).
PORTAL_MAILLOG_RETENTION_DAYS = env.int("PORTAL_MAILLOG_RETENTION_DAYS", default=30)
# Where receivers send reports (the rua= the diagnosis proposes); empty: provider defaults.
_report_addresses = env.list("PORTAL_REPORTS_ADDRESSES", default=[])
if _report_addresses:
    PORTAL_REPORTS_ADDRESSES = _report_addresses
# Where `reports_lmtpd` listens and Postfix's transport points.
PORTAL_REPORTS_LMTP_BIND = env("PORTAL_REPORTS_LMTP_BIND", default="127.0.0.1:10027")
