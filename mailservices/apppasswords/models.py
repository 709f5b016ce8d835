"""App passwords: several named passwords per address, one per device, each limited to
protocols and revocable, beside (or, per address, instead of) the mail password.

Dovecot and the DAV server read them through the `mailstack_app_passdb` view
(mailservices.mailstack, migration 0003); a revoked app password is deleted, so the next
login with it fails.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mailservices.models import Address


class AppPasswordQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(address__service__domain__customer=customer)


class AppPassword(models.Model):
    address = models.ForeignKey(
        Address,
        on_delete=models.CASCADE,
        related_name="app_passwords",
        verbose_name=_("E-Mail-Adresse"),
    )
    name = models.CharField(
        _("Name"), max_length=60, help_text=_("Das Gerät oder Programm, z. B. „iPhone Anna“.")
    )
    lookup_key = models.CharField(_("Suchschlüssel"), max_length=8, editable=False)
    password_hash = models.CharField(_("Passwort (Hash)"), max_length=255, editable=False)
    generated = models.BooleanField(_("Erzeugt"), default=True)
    allow_imap = models.BooleanField(_("IMAP (Mail abrufen)"), default=True)
    allow_smtp = models.BooleanField(_("SMTP (Mail senden)"), default=True)
    allow_dav = models.BooleanField(_("Kontakte und Kalender (DAV)"), default=True)
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("Zuletzt verwendet"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("Zuletzt von IP"), null=True, blank=True)
    last_used_service = models.CharField(_("Zuletzt über"), max_length=10, blank=True)

    objects = AppPasswordQuerySet.as_manager()

    class Meta:
        verbose_name = _("App-Passwort")
        verbose_name_plural = _("App-Passwörter")
        ordering = ["name", "id"]
        constraints = [
            # Dovecot's password query must find at most one row per address and key.
            models.UniqueConstraint(
                fields=["address", "lookup_key"], name="apppassword_unique_key"
            ),
            models.UniqueConstraint(fields=["address", "name"], name="apppassword_unique_name"),
            models.CheckConstraint(
                condition=models.Q(allow_imap=True)
                | models.Q(allow_smtp=True)
                | models.Q(allow_dav=True),
                name="apppassword_some_protocol",
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="apppassword_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def protocols(self) -> list[str]:
        """The allowed protocols' keys ("imap", "smtp", "dav")."""
        return [
            key
            for key, allowed in (
                ("imap", self.allow_imap),
                ("smtp", self.allow_smtp),
                ("dav", self.allow_dav),
            )
            if allowed
        ]


class AppPasswordsOnly(models.Model):
    """An address whose mail password no longer logs in: only its app passwords do."""

    address = models.OneToOneField(
        Address,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="app_passwords_only",
        verbose_name=_("E-Mail-Adresse"),
    )
    since = models.DateTimeField(_("Seit"), auto_now_add=True)

    class Meta:
        verbose_name = _("Nur App-Passwörter")
        verbose_name_plural = _("Nur App-Passwörter")

    def __str__(self):
        return str(self.address_id)
