"""Provisioning data: the DKIM key each mail service signs with, and the records of the DNS
zones we host for domains registered through us."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mailservices.models import Domain, MailService
from mailservices.provisioning.sealing import SealedTextField


class DkimKey(models.Model):
    """The RSA key pair a mail service signs with; the public half belongs in its DNS. The
    private keys are sealed in the database (`sealing.py`); `manage.py dkim_keys` writes
    them out for the signer."""

    service = models.OneToOneField(
        MailService,
        on_delete=models.CASCADE,
        related_name="dkim_key",
        verbose_name=_("E-Mail-Dienst"),
    )
    selector = models.CharField(_("Selektor"), max_length=63)
    private_key_pem = SealedTextField(_("Privater Schlüssel (PEM)"))
    public_key = models.TextField(
        _("Öffentlicher Schlüssel"), help_text=_("Base64 (DER), wie im DNS unter p=.")
    )
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)
    # Ed25519 (RFC 8463) beside RSA, where the customer chose it: signed twice, under the
    # selector `<selector>e`; receivers that know Ed25519 check it, the others RSA.
    ed25519_private_pem = SealedTextField(_("Ed25519: privater Schlüssel (PEM)"), blank=True)
    ed25519_public_key = models.TextField(
        _("Ed25519: öffentlicher Schlüssel"),
        blank=True,
        help_text=_("Base64, wie im DNS unter p=."),
    )

    class Meta:
        db_table = "diagnosis_dkimkey"  # made by the diagnosis app; the table stayed
        verbose_name = _("DKIM-Schlüssel")
        verbose_name_plural = _("DKIM-Schlüssel")

    def __str__(self):
        return f"{self.selector} ({self.service_id})"

    @property
    def ed25519_selector(self) -> str:
        return f"{self.selector}e"


class RecordType(models.TextChoices):
    """The record types the hosted zones hold."""

    A = "A", "A"
    AAAA = "AAAA", "AAAA"
    CNAME = "CNAME", "CNAME"
    MX = "MX", "MX"
    TXT = "TXT", "TXT"
    SRV = "SRV", "SRV"
    CAA = "CAA", "CAA"
    TLSA = "TLSA", "TLSA"
    NS = "NS", "NS"


class ZoneRecord(models.Model):
    """A record in the DNS zone we host for a domain registered through us."""

    Type = RecordType

    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, related_name="zone_records", verbose_name=_("Domain")
    )
    name = models.CharField(
        _("Name"), max_length=253, help_text=_("Relativ zur Domain; „@“ für die Domain selbst.")
    )
    type = models.CharField(_("Typ"), max_length=6, choices=Type.choices)
    ttl = models.PositiveIntegerField(_("TTL (Sekunden)"), default=3600)
    value = models.TextField(_("Wert"), help_text=_("TXT-Werte ohne Anführungszeichen."))
    managed = models.BooleanField(
        _("Für E-Mail verwaltet"),
        default=False,
        help_text=_("Vom Portal für den E-Mail-Dienst angelegt."),
    )
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    class Meta:
        db_table = "diagnosis_zonerecord"  # made by the diagnosis app; the table stayed
        verbose_name = _("DNS-Eintrag")
        verbose_name_plural = _("DNS-Einträge")
        ordering = ["name", "type", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "name", "type", "value"], name="zone_record_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=RecordType.values),
                name="zone_record_type_valid",
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.type} {self.value}"


class ZoneChange(models.Model):
    """One change of a hosted zone, with the record before and after: the history the
    customer reads, and what a rollback restores."""

    class Action(models.TextChoices):
        ADD = "add", _("Hinzugefügt")
        CHANGE = "change", _("Geändert")
        DELETE = "delete", _("Gelöscht")

    domain = models.ForeignKey(
        Domain, on_delete=models.CASCADE, related_name="zone_changes", verbose_name=_("Domain")
    )
    action = models.CharField(_("Aktion"), max_length=6, choices=Action.choices)
    before = models.JSONField(_("Vorher"), null=True, blank=True)
    after = models.JSONField(_("Nachher"), null=True, blank=True)
    record = models.ForeignKey(
        ZoneRecord,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("Eintrag"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Von"),
    )
    rollback_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rolled_back_by",
        verbose_name=_("Macht rückgängig"),
    )
    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Zonen-Änderung")
        verbose_name_plural = _("Zonen-Änderungen")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["domain", "-created_at"], name="zone_change_domain_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["add", "change", "delete"]),
                name="zone_change_action_valid",
            ),
        ]

    def __str__(self):
        return f"{self.domain_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"


class DkimRotation(models.Model):
    """A guided change of a service's DKIM key: the new selector is published, signing
    switches once the new record is visible in the DNS, the old record goes after a grace
    period (mail signed with the old key may still be verified until then)."""

    class Step(models.TextChoices):
        PUBLISHED = "published", _("Neuer Schlüssel veröffentlicht, wartet auf Sichtbarkeit")
        ACTIVE = "active", _("Signiert mit dem neuen Schlüssel, alter bleibt noch")
        DONE = "done", _("Abgeschlossen: alter Schlüssel entfernt")

    service = models.ForeignKey(
        MailService,
        on_delete=models.CASCADE,
        related_name="dkim_rotations",
        verbose_name=_("E-Mail-Dienst"),
    )
    step = models.CharField(
        _("Schritt"), max_length=10, choices=Step.choices, default=Step.PUBLISHED
    )
    automatic = models.BooleanField(_("Automatisch"), default=False)
    old_selector = models.CharField(_("Alter Selektor"), max_length=63)
    old_public_key = models.TextField(_("Alter öffentlicher Schlüssel"))
    new_selector = models.CharField(_("Neuer Selektor"), max_length=63)
    new_private_key_pem = SealedTextField(_("Neuer privater Schlüssel (PEM)"))
    new_public_key = models.TextField(_("Neuer öffentlicher Schlüssel"))
    started_at = models.DateTimeField(_("Begonnen"))
    visible_at = models.DateTimeField(_("Im DNS sichtbar seit"), null=True, blank=True)
    retire_after = models.DateTimeField(_("Alten Schlüssel entfernen ab"), null=True, blank=True)
    finished_at = models.DateTimeField(_("Abgeschlossen"), null=True, blank=True)

    class Meta:
        verbose_name = _("DKIM-Schlüsselwechsel")
        verbose_name_plural = _("DKIM-Schlüsselwechsel")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=~models.Q(step="done"),
                name="dkim_rotation_one_open_per_service",
            ),
            models.CheckConstraint(
                condition=models.Q(step__in=["published", "active", "done"]),
                name="dkim_rotation_step_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(new_selector=models.F("old_selector")),
                name="dkim_rotation_new_selector",
            ),
        ]

    def __str__(self):
        return f"{self.service_id} {self.old_selector}->{self.new_selector} {self.step}"
