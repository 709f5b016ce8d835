"""The mailboxes app's settings (`PORTAL_MAILBOXES_*`), each with its documented default.

The environment is read in portal/settings/mailboxes.py; this object only reads
django.conf.settings, so tests can override any value.
"""

from portal.core.conf import AppSettings


class MailboxesSettings(AppSettings):
    prefix = "PORTAL_MAILBOXES_"

    @property
    def IMPORT_KEY(self) -> str:
        """Fernet key encrypting the old provider's password while an import runs."""
        return self._setting("IMPORT_KEY", "")

    @property
    def IMAP_HOST(self) -> str:
        """The provider's Dovecot (IMAPS) the import writes into."""
        return self._setting("IMAP_HOST", "127.0.0.1")

    @property
    def IMAP_PORT(self) -> int:
        return int(self._setting("IMAP_PORT", 993))

    @property
    def IMAP_CA_FILE(self) -> str:
        """CA bundle for the provider's Dovecot certificate ('' = the system store)."""
        return self._setting("IMAP_CA_FILE", "")

    @property
    def MASTER_USER(self) -> str:
        """Dovecot master user of the import (`mailstack_config` writes its passwd-file)."""
        return self._setting("MASTER_USER", "portal-import")

    @property
    def MASTER_PASSWORD(self) -> str:
        return self._setting("MASTER_PASSWORD", "")

    @property
    def SOURCE_CA_FILE(self) -> str:
        """Extra CA bundle trusted for old providers (besides the system store)."""
        return self._setting("SOURCE_CA_FILE", "")

    @property
    def MAX_MESSAGE_BYTES(self) -> int:
        """Largest message the provider accepts; a larger one fails with a reason."""
        return int(self._setting("MAX_MESSAGE_BYTES", 50 * 1024 * 1024))

    @property
    def IMPORT_BATCH_MESSAGES(self) -> int:
        """Messages per MULTIAPPEND batch (bodies of at most 8 MB are held at a time)."""
        return int(self._setting("IMPORT_BATCH_MESSAGES", 200))

    @property
    def STORAGE_ALERT_LEVELS(self) -> tuple[int, ...]:
        """Percentages of the storage at which the customer gets one email per crossing."""
        return tuple(self._setting("STORAGE_ALERT_LEVELS", (80, 100)))

    @property
    def IMPORT_TIMEOUT_SECONDS(self) -> float:
        """Socket timeout towards both IMAP servers."""
        return float(self._setting("IMPORT_TIMEOUT_SECONDS", 30))


app_settings = MailboxesSettings()
