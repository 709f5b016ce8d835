"""The delivery log: one row per message and recipient, read from Postfix's log."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    """What became of one recipient of one message (or of one attempt refused at RCPT).

    The address and service columns say whose page shows the row; they are resolved when the
    row is written and never joined on the page (no foreign-key constraint: a deleted
    address's rows stay until the retention clean-up, visible to nobody).
    """

    class Status(models.TextChoices):
        SENT = "sent", _("zugestellt")
        BOUNCED = "bounced", _("unzustellbar")
        DEFERRED = "deferred", _("verzögert")
        REJECTED = "rejected", _("abgewiesen")
        EXPIRED = "expired", _("aufgegeben")

    time = models.DateTimeField(_("Zeit"))
    queued_at = models.DateTimeField(_("angenommen"))
    # NULL for attempts refused before queueing: NULLs never collide in the unique key.
    queue_id = models.CharField(  # noqa: DJ001
        _("Queue-ID"), max_length=20, null=True, blank=True
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    sender = models.CharField(_("Absender"), max_length=320, blank=True)
    sasl_login = models.CharField(_("Anmeldung (SASL)"), max_length=320, blank=True)
    recipient = models.CharField(_("Empfänger"), max_length=320)
    orig_recipient = models.CharField(_("ursprünglicher Empfänger"), max_length=320, blank=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices)
    dsn = models.CharField(_("DSN-Code"), max_length=12, blank=True)
    relay = models.CharField(_("Relay"), max_length=255, blank=True)
    reason = models.TextField(_("Antwort des Servers"), blank=True)
    client = models.CharField(_("Client"), max_length=255, blank=True)
    sender_address = models.ForeignKey(
        "mailservices.Address",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Absenderadresse"),
    )
    sender_service = models.ForeignKey(
        "mailservices.MailService",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("E-Mail-Dienst des Absenders"),
    )
    recipient_address = models.ForeignKey(
        "mailservices.Address",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Empfängeradresse"),
    )
    recipient_service = models.ForeignKey(
        "mailservices.MailService",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("E-Mail-Dienst des Empfängers"),
    )

    class Meta:
        verbose_name = _("Zustellung")
        verbose_name_plural = _("Zustellungen")
        constraints = [
            # A queued message's recipient is one row, updated until its final outcome;
            # rejected attempts (no queue id) are each a row of their own (NULLs differ).
            models.UniqueConstraint(
                fields=["queue_id", "recipient", "queued_at"], name="maillog_delivery_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["sent", "bounced", "deferred", "rejected", "expired"]),
                name="maillog_delivery_status_valid",
            ),
        ]
        indexes = [
            # The customer's pages: newest first, per address or service and direction.
            models.Index(
                fields=["sender_address", "-time"],
                name="maillog_sender_addr_time",
                condition=Q(sender_address__isnull=False),
            ),
            models.Index(
                fields=["recipient_address", "-time"],
                name="maillog_rcpt_addr_time",
                condition=Q(recipient_address__isnull=False),
            ),
            models.Index(
                fields=["sender_service", "-time"],
                name="maillog_sender_svc_time",
                condition=Q(sender_service__isnull=False),
            ),
            models.Index(
                fields=["recipient_service", "-time"],
                name="maillog_rcpt_svc_time",
                condition=Q(recipient_service__isnull=False),
            ),
            # A status filter other than sent (and "only problems", one index range per
            # status): small indexes over the rows that were not delivered (most rows
            # are), so an address without any bounce does not scan its rows to find none.
            models.Index(
                fields=["sender_address", "status", "-time"],
                name="maillog_sender_addr_status",
                condition=Q(sender_address__isnull=False) & ~Q(status="sent"),
            ),
            models.Index(
                fields=["recipient_address", "status", "-time"],
                name="maillog_rcpt_addr_status",
                condition=Q(recipient_address__isnull=False) & ~Q(status="sent"),
            ),
            models.Index(
                fields=["sender_service", "status", "-time"],
                name="maillog_sender_svc_status",
                condition=Q(sender_service__isnull=False) & ~Q(status="sent"),
            ),
            models.Index(
                fields=["recipient_service", "status", "-time"],
                name="maillog_rcpt_svc_status",
                condition=Q(recipient_service__isnull=False) & ~Q(status="sent"),
            ),
            # Staff search in the admin (exact matches).
            models.Index(fields=["message_id"], name="maillog_message_id"),
            models.Index(fields=["sender"], name="maillog_sender"),
            models.Index(fields=["recipient"], name="maillog_recipient"),
        ]
        # On PostgreSQL a BRIN index on time (made in the migration: rows arrive in time order,
        # so a tiny index serves the retention clean-up); SQLite scans.

    def __str__(self):
        return f"{self.queue_id or 'NOQUEUE'} {self.sender} -> {self.recipient}: {self.status}"


class FollowPosition(models.Model):
    """Where `maillog_follow` stopped in a log file; saved with the rows it read."""

    path = models.CharField(_("Datei"), max_length=500, unique=True)
    inode = models.BigIntegerField(_("Inode"))
    offset = models.BigIntegerField(_("Position (Bytes)"))
    lines = models.BigIntegerField(_("gelesene Zeilen"), default=0)
    # Messages read up to here that have no row yet (MaillogParser.pending()).
    pending = models.JSONField(_("offene Nachrichten"), default=list, blank=True)
    updated_at = models.DateTimeField(_("aktualisiert"), auto_now=True)

    class Meta:
        verbose_name = _("Leseposition")
        verbose_name_plural = _("Lesepositionen")

    def __str__(self):
        return f"{self.path} @ {self.inode}:{self.offset}"
