"""The activity log: who did what in a customer account, kept 12 months."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    """What happened."""

    LOGIN = "login", _("Anmeldung")
    PASSWORD_CHANGED = "password_changed", _("Portal-Passwort geändert")
    MFA_ADDED = "mfa_added", _("Zweiter Faktor eingerichtet")
    MFA_REMOVED = "mfa_removed", _("Zweiter Faktor entfernt")
    RECOVERY_CODES = "recovery_codes", _("Wiederherstellungscodes neu erstellt")
    MAIL_PASSWORD_CHANGED = "mail_password_changed", _("Mail-Passwort geändert")
    APP_PASSWORD_CREATED = "app_password_created", _("App-Passwort erstellt")
    APP_PASSWORD_REVOKED = "app_password_revoked", _("App-Passwort widerrufen")
    APP_PASSWORDS_ONLY = "app_passwords_only", _("Anmeldung nur mit App-Passwörtern geändert")
    ADDRESS_CREATED = "address_created", _("Adresse erstellt")
    ADDRESS_DELETED = "address_deleted", _("Adresse gelöscht")
    CATCHALL_CREATED = "catchall_created", _("Catchall-Adresse erstellt")
    LIMIT_CHANGED = "limit_changed", _("Limit durch Mitarbeitende angepasst")
    ORDER_PLACED = "order_placed", _("Bestellung aufgegeben")


class Activity(models.Model):
    """One event in a customer account (a login, a security change, a change by staff)."""

    Kind = ActivityKind

    customer = models.ForeignKey(
        "accounts.Customer",
        verbose_name=_("Kunde"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(_("Wer"), max_length=254, blank=True)
    by_staff = models.BooleanField(_("Durch Mitarbeitende"), default=False)
    kind = models.CharField(_("Was"), max_length=30, choices=Kind.choices)
    target = models.CharField(_("Betrifft"), max_length=254, blank=True)
    ip = models.GenericIPAddressField(_("IP-Adresse"), null=True, blank=True)
    device = models.CharField(_("Gerät"), max_length=120, blank=True)
    # SHA-256 of the device cookie: a login from a key the person never used is a new device.
    device_key = models.CharField(max_length=64, blank=True, db_index=True)
    new_device = models.BooleanField(_("Neues Gerät"), default=False)
    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)
    notified_at = models.DateTimeField(_("Benachrichtigt"), null=True, blank=True)

    class Meta:
        verbose_name = _("Aktivität")
        verbose_name_plural = _("Aktivitäten")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="security_activity_customer"),
            models.Index(fields=["user", "kind", "device_key"], name="security_activity_device"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ActivityKind.values),
                name="security_activity_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.target}".strip()
