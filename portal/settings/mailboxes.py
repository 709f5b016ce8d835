"""Mailbox storage and mail import (issue 12): read from the environment here only.

The import keeps the old provider's password encrypted with PORTAL_MAILBOXES_IMPORT_KEY
while a job runs; the import writes into mailboxes through Dovecot as a master user. Both
secrets have development defaults; production settings refuse to start without them.
"""

from portal.settings.base import env

_DEV_KEY = "ZGV2LW9ubHktbWFpbGJveGVzLWltcG9ydC1rZXktMDA="  # noqa: S105 (dev default)
_DEV_MASTER_PASSWORD = "dev-only-import-master-password"  # noqa: S105 (dev default)

# Fernet key (32 url-safe base64 bytes) for the old provider's password while a job runs.
PORTAL_MAILBOXES_IMPORT_KEY = env("PORTAL_MAILBOXES_IMPORT_KEY", default=_DEV_KEY)
# The provider's own Dovecot, where imported mail is written (IMAP as a master user).
PORTAL_MAILBOXES_IMAP_HOST = env("PORTAL_MAILBOXES_IMAP_HOST", default="127.0.0.1")
PORTAL_MAILBOXES_IMAP_PORT = env.int("PORTAL_MAILBOXES_IMAP_PORT", default=993)
PORTAL_MAILBOXES_IMAP_CA_FILE = env("PORTAL_MAILBOXES_IMAP_CA_FILE", default="")
PORTAL_MAILBOXES_MASTER_USER = env("PORTAL_MAILBOXES_MASTER_USER", default="portal-import")
PORTAL_MAILBOXES_MASTER_PASSWORD = env(
    "PORTAL_MAILBOXES_MASTER_PASSWORD", default=_DEV_MASTER_PASSWORD
)
# Certificates of old providers are verified against the system store (plus this file).
PORTAL_MAILBOXES_SOURCE_CA_FILE = env("PORTAL_MAILBOXES_SOURCE_CA_FILE", default="")
# The provider's largest message (Postfix message_size_limit); larger ones fail the import.
PORTAL_MAILBOXES_MAX_MESSAGE_BYTES = env.int(
    "PORTAL_MAILBOXES_MAX_MESSAGE_BYTES", default=50 * 1024 * 1024
)
# Messages copied per MULTIAPPEND batch (also the resume checkpoint interval).
PORTAL_MAILBOXES_IMPORT_BATCH_MESSAGES = env.int(
    "PORTAL_MAILBOXES_IMPORT_BATCH_MESSAGES", default=200
)

# production.py refuses to start with either development default.
MAILBOXES_DEV_DEFAULTS = {
    "PORTAL_MAILBOXES_IMPORT_KEY": _DEV_KEY,
    "PORTAL_MAILBOXES_MASTER_PASSWORD": _DEV_MASTER_PASSWORD,
}
