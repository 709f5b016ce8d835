"""Mailbox storage (staff overrides, usage Dovecot reports, alerts) and mail imports
(previews, jobs, their failures and resume points)."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mailservices.models import Address
from portal.core.models import Job, StaffOverride, StaffOverrideQuerySet

MIN_STORAGE_MB = 100
MAX_STORAGE_MB = 1024 * 1024


class StorageOverrideQuerySet(StaffOverrideQuerySet):
    pass


class StorageOverride(StaffOverride):
    """A storage size staff set for one address on a written, reasoned request; history like
    every `StaffOverride` (the newest active one is what Dovecot enforces)."""

    address = models.ForeignKey(
        Address,
        on_delete=models.CASCADE,
        related_name="storage_overrides",
        verbose_name=_("Adresse"),
    )
    quota_mb = models.PositiveIntegerField(
        _("Speicherplatz (MB)"),
        validators=[MinValueValidator(MIN_STORAGE_MB), MaxValueValidator(MAX_STORAGE_MB)],
    )

    objects = StorageOverrideQuerySet.as_manager()

    class Meta(StaffOverride.Meta):
        verbose_name = _("Angepasster Speicherplatz")
        verbose_name_plural = _("Angepasster Speicherplatz")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quota_mb__gte=MIN_STORAGE_MB, quota_mb__lte=MAX_STORAGE_MB),
                name="storage_override_range",
            ),
            *StaffOverride.override_constraints("storage_override"),
        ]

    def __str__(self):
        return f"{self.address_id}: {self.quota_mb} MB"


class MailboxUsage(models.Model):
    """Storage used by one mailbox, written by Dovecot's quota_clone plugin (never by us).

    Dovecot upserts `used_bytes` and `messages` by `username` (the address) whenever the
    quota of a mailbox changes; the dict map is written by `mailstack_config`.
    """

    username = models.CharField(_("Adresse"), max_length=320, primary_key=True)
    used_bytes = models.BigIntegerField(_("Belegt (Bytes)"), db_default=0)
    messages = models.BigIntegerField(_("Nachrichten"), db_default=0)

    class Meta:
        db_table = "mailboxes_usage"
        verbose_name = _("Speicherbelegung")
        verbose_name_plural = _("Speicherbelegung")
        ordering = ["username"]

    def __str__(self):
        return self.username


class StorageAlert(models.Model):
    """One crossing of a storage level: an email at 80 % / 100 %, or level 0 (back below,
    no email) which lets the next crossing send again."""

    address = models.ForeignKey(
        Address, on_delete=models.CASCADE, related_name="storage_alerts", verbose_name=_("Adresse")
    )
    level = models.PositiveSmallIntegerField(_("Schwelle (%)"))
    used_bytes = models.BigIntegerField(_("Belegt (Bytes)"))
    quota_bytes = models.BigIntegerField(_("Speicherplatz (Bytes)"))
    recipient = models.EmailField(_("Gesendet an"), blank=True)
    sent_at = models.DateTimeField(_("Zeitpunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("Warnung zum Speicherplatz")
        verbose_name_plural = _("Warnungen zum Speicherplatz")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["address", "-sent_at"], name="storage_alert_latest")]

    def __str__(self):
        return f"{self.address_id} {self.level} %"


class MailboxStorage(Address):
    """Addresses as staff see them in the storage admin (used / total per mailbox)."""

    class Meta:
        proxy = True
        verbose_name = _("Postfach-Speicher")
        verbose_name_plural = _("Postfach-Speicher")


class MailImport(Job):
    """One import of mail from another provider's IMAP server into one of our mailboxes.

    The old provider's password lives in `secret` (Fernet, key from the settings) only while
    the job waits or runs; the services empty it when the job ends, fails or is cancelled.
    """

    class Security(models.TextChoices):
        SSL = "ssl", _("SSL/TLS")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("Keine (nur 127.0.0.1)")

    # Running jobs tell they are alive through `heartbeat_at`; an import may run for hours.
    ACTIVE_FOR = timedelta(hours=12)
    LOST_AFTER = timedelta(minutes=3)

    address = models.ForeignKey(
        Address, on_delete=models.CASCADE, related_name="imports", verbose_name=_("Adresse")
    )
    host = models.CharField(_("IMAP-Server"), max_length=253)
    port = models.PositiveIntegerField(_("Port"), default=993)
    security = models.CharField(
        _("Verschlüsselung"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    login = models.CharField(_("Benutzername"), max_length=320)
    secret = models.TextField(_("Passwort (verschlüsselt, nur während des Imports)"), blank=True)
    heartbeat_at = models.DateTimeField(_("Zuletzt aktiv"), null=True, blank=True)
    preview = models.JSONField(_("Vorschau"), default=list, blank=True)
    preview_bytes = models.BigIntegerField(_("Grösse laut Vorschau"), default=0)
    folders = models.PositiveIntegerField(_("Ordner"), default=0)
    copied = models.PositiveIntegerField(_("Kopiert"), default=0)
    skipped = models.PositiveIntegerField(_("Übersprungen"), default=0)
    failed = models.PositiveIntegerField(_("Fehlgeschlagen"), default=0)

    class Meta:
        verbose_name = _("Mail-Import")
        verbose_name_plural = _("Mail-Importe")
        ordering = ["-created_at", "-pk"]
        constraints = [
            *Job.job_constraints("mailimport"),
            models.UniqueConstraint(
                fields=["address"],
                condition=models.Q(state__in=["queued", "running"]),
                name="mailimport_one_active_per_address",
            ),
            models.CheckConstraint(
                condition=models.Q(security__in=["ssl", "starttls", "none"]),
                name="mailimport_security_valid",
            ),
        ]
        indexes = [models.Index(fields=["state", "queued_at"], name="mailimport_queue")]

    def __str__(self):
        return f"{self.login}@{self.host} -> {self.address_id}"

    @property
    def is_active(self) -> bool:
        if self.state == self.State.RUNNING:
            beat = self.heartbeat_at or self.started_at or self.queued_at
            return timezone.now() - beat < self.LOST_AFTER
        return super().is_active


class ImportPreview(Job):
    """The preview of an import: the old provider's folders, counts and sizes, read by a
    worker (connecting may take up to the timeout, listing a big mailbox longer).

    The password lives in `secret` (Fernet) while the preview waits or runs, and after it
    for `VALID_FOR` so that "Import starten" can hand it to the `MailImport`; it is emptied
    when the import starts, the preview fails or is cancelled, or that time is over.
    """

    Security = MailImport.Security

    # The task runs under the global Celery limit (5 min); a preview older is lost.
    ACTIVE_FOR = timedelta(minutes=5)
    # How long a finished preview may start the import (the password is kept until then).
    VALID_FOR = timedelta(minutes=15)
    # Finished previews are deleted after this (the import keeps its own copy of the result).
    KEEP_FOR = timedelta(days=1)

    address = models.ForeignKey(
        Address,
        on_delete=models.CASCADE,
        related_name="import_previews",
        verbose_name=_("Adresse"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Angefragt von"),
    )
    host = models.CharField(_("IMAP-Server"), max_length=253)
    port = models.PositiveIntegerField(_("Port"), default=993)
    security = models.CharField(
        _("Verschlüsselung"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    login = models.CharField(_("Benutzername"), max_length=320)
    secret = models.TextField(_("Passwort (verschlüsselt, nur bis zum Start)"), blank=True)
    language = models.CharField(
        _("Sprache"),
        max_length=10,
        default="de",
        help_text=_("Fehlermeldungen werden in dieser Sprache geschrieben."),
    )
    folders = models.JSONField(_("Ordner"), default=list, blank=True)
    messages = models.PositiveIntegerField(_("Nachrichten"), default=0)
    size_bytes = models.BigIntegerField(_("Grösse (Bytes)"), default=0)
    mail_import = models.ForeignKey(
        MailImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Gestarteter Import"),
    )

    class Meta:
        verbose_name = _("Import-Vorschau")
        verbose_name_plural = _("Import-Vorschauen")
        ordering = ["-created_at", "-pk"]
        constraints = [
            *Job.job_constraints("importpreview"),
            models.CheckConstraint(
                condition=models.Q(security__in=["ssl", "starttls", "none"]),
                name="importpreview_security_valid",
            ),
        ]

    def __str__(self):
        return f"{self.login}@{self.host} -> {self.address_id}"

    @property
    def is_startable(self) -> bool:
        """Done, not yet started, the password still kept and not older than `VALID_FOR`."""
        return (
            self.state == self.State.DONE
            and self.mail_import_id is None
            and bool(self.secret)
            and self.finished_at is not None
            and timezone.now() - self.finished_at < self.VALID_FOR
        )


class ImportFailure(models.Model):
    """A message an import could not copy, with the reason (shown in the report)."""

    job = models.ForeignKey(
        MailImport, on_delete=models.CASCADE, related_name="failures", verbose_name=_("Import")
    )
    folder = models.CharField(_("Ordner"), max_length=500)
    uid = models.PositiveBigIntegerField(_("UID"))
    subject = models.CharField(_("Betreff"), max_length=200, blank=True)
    reason = models.CharField(_("Grund"), max_length=300)

    class Meta:
        verbose_name = _("Nicht kopierte Nachricht")
        verbose_name_plural = _("Nicht kopierte Nachrichten")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.folder} {self.uid}: {self.reason}"


class ImportFolderState(models.Model):
    """How far the import of one source folder got (resume point; see imap/engine.py)."""

    address = models.ForeignKey(
        Address, on_delete=models.CASCADE, related_name="+", verbose_name=_("Adresse")
    )
    host = models.CharField(_("IMAP-Server"), max_length=253)
    login = models.CharField(_("Benutzername"), max_length=320)
    folder = models.CharField(_("Ordner (an der Quelle)"), max_length=500)
    uidvalidity = models.PositiveBigIntegerField(_("UIDVALIDITY"))
    last_uid = models.PositiveBigIntegerField(_("Letzte kopierte UID"))
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Import-Stand eines Ordners")
        verbose_name_plural = _("Import-Stände der Ordner")
        constraints = [
            models.UniqueConstraint(
                fields=["address", "host", "login", "folder"], name="import_folder_state_unique"
            )
        ]

    def __str__(self):
        return f"{self.folder}: {self.last_uid}"
