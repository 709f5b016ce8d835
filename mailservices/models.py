"""What a customer owns: domains, mail services, addresses, aliases, forwards, responders."""

import functools

import idna
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from mailservices.plans import Plan, plan_facts
from mailservices.validators import validate_domain_name, validate_local_part
from portal.accounts.models import Customer

CATCHALL_LOCAL_PART = "catchall"


@functools.lru_cache(maxsize=4096)
def u_label(name: str) -> str:
    """A domain name as people read it (idna's decoding is slow; a page may show one name on
    every row)."""
    try:
        return idna.decode(name)
    except idna.IDNAError:
        return name


class DomainSource(models.TextChoices):
    """Where a domain is registered: with us (we host its zone) or elsewhere."""

    REGISTERED = "registered", _("Bei uns registriert")
    EXTERNAL = "external", _("Externer Registrar")


class DomainQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(customer=customer)


class Domain(models.Model):
    """A domain the customer owns; stored as its A-label (punycode), shown as its U-label."""

    Source = DomainSource

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="domains", verbose_name=_("Kunde")
    )
    name = models.CharField(
        _("Domain (A-Label)"), max_length=253, unique=True, validators=[validate_domain_name]
    )
    source = models.CharField(
        _("Herkunft"), max_length=12, choices=Source.choices, default=Source.EXTERNAL
    )
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)

    objects = DomainQuerySet.as_manager()

    class Meta:
        verbose_name = _("Domain")
        verbose_name_plural = _("Domains")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(name=Lower("name")), name="domain_lowercase"),
            models.CheckConstraint(
                condition=models.Q(source__in=DomainSource.values), name="domain_source"
            ),
        ]

    def __str__(self):
        return self.unicode_name

    @property
    def is_hosted_zone(self) -> bool:
        """Registered through us: our name servers serve its zone, and we keep it right."""
        return self.source == DomainSource.REGISTERED

    @property
    def unicode_name(self) -> str:
        """The name as people read it (U-label), e.g. `bücher.ch` for `xn--bcher-kva.ch`."""
        return u_label(self.name)


class ServiceStatus(models.TextChoices):
    """Whether a mail service delivers mail."""

    PENDING = "pending", _("In Bereitstellung")
    ACTIVE = "active", _("Aktiv")
    SUSPENDED = "suspended", _("Gesperrt")


class MailServiceQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(domain__customer=customer)


class MailService(models.Model):
    """The mail service of one domain: its plan, address quota and filter settings."""

    Status = ServiceStatus

    domain = models.OneToOneField(
        Domain, on_delete=models.PROTECT, related_name="mail_service", verbose_name=_("Domain")
    )
    plan = models.CharField(_("Angebot"), max_length=30, choices=Plan.choices)
    address_quota = models.PositiveIntegerField(
        _("Anzahl Adressen (Kontingent)"), validators=[MinValueValidator(1)]
    )
    spam_filter_enabled = models.BooleanField(_("Spamfilter aktiv"), default=True)
    external_warning_enabled = models.BooleanField(
        _("Warnung bei externen E-Mails"),
        default=True,
        help_text=_("Markiert Nachrichten, die von ausserhalb Ihrer Organisation kommen."),
    )
    status = models.CharField(
        _("Status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)

    objects = MailServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("E-Mail-Dienst")
        verbose_name_plural = _("E-Mail-Dienste")
        ordering = ["domain__name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(address_quota__gte=1), name="mailservice_quota_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(plan__in=Plan.values), name="mailservice_plan_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ServiceStatus.values),
                name="mailservice_status_valid",
            ),
        ]

    def __str__(self):
        return str(self.domain)

    @property
    def is_paid(self) -> bool:
        return plan_facts(self.plan).paid


class AddressKind(models.TextChoices):
    """A mailbox stores mail; a redirect only forwards it."""

    MAILBOX = "mailbox", _("Postfach")
    REDIRECT = "redirect", _("Weiterleitung")


class AddressQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(service__domain__customer=customer)


class Address(models.Model):
    """An email address of a mail service: a mailbox, or a redirect without a mailbox.

    The address named `catchall` is the service's catch-all (docs/product.md §2).
    """

    Kind = AddressKind

    service = models.ForeignKey(
        MailService,
        on_delete=models.CASCADE,
        related_name="addresses",
        verbose_name=_("E-Mail-Dienst"),
    )
    local_part = models.CharField(
        _("Adresse (vor dem @)"), max_length=64, validators=[validate_local_part]
    )
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices, default=Kind.MAILBOX)
    display_name = models.CharField(_("Anzeigename"), max_length=120, blank=True)
    password_hash = models.CharField(
        _("Mail-Passwort (Hash)"),
        max_length=255,
        blank=True,
        help_text=_("Im Dovecot-Format mit Schema-Präfix, z. B. {ARGON2ID}$argon2id$…"),
    )
    password_changed_at = models.DateTimeField(_("Passwort geändert"), null=True, blank=True)
    password_tested_at = models.DateTimeField(
        _("Passwort zuletzt erfolgreich getestet"), null=True, blank=True
    )
    client_configured_at = models.DateTimeField(
        _("Erstmals von einem Mailprogramm abgerufen"),
        null=True,
        blank=True,
        help_text=_("Automatische Konfiguration oder Apple-Profil zum ersten Mal geladen."),
    )
    # Unused since storage comes from the plan or a staff override (mailservices.mailboxes);
    # the column stays until the mail-stack views that still select it are rebuilt.
    storage_quota_mb = models.PositiveIntegerField(
        _("Speicherplatz (MB)"),
        default=20480,
        validators=[MinValueValidator(100), MaxValueValidator(1024 * 1024)],
    )
    enabled = models.BooleanField(_("Aktiv"), default=True)
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    objects = AddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("E-Mail-Adresse")
        verbose_name_plural = _("E-Mail-Adressen")
        ordering = ["local_part"]
        constraints = [
            models.UniqueConstraint(fields=["service", "local_part"], name="address_unique"),
            models.CheckConstraint(
                condition=models.Q(local_part=Lower("local_part")), name="address_lowercase"
            ),
            models.CheckConstraint(
                condition=~models.Q(local_part=""), name="address_local_part_not_empty"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=AddressKind.values), name="address_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(storage_quota_mb__gte=100), name="address_storage_min"
            ),
        ]

    def __str__(self):
        return f"{self.local_part}@{self.service.domain.unicode_name}"

    @property
    def is_catchall(self) -> bool:
        return self.local_part == CATCHALL_LOCAL_PART


class Alias(models.Model):
    """Another name on the same domain that delivers to an address (`info@` -> `anna@`)."""

    service = models.ForeignKey(
        MailService, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("Dienst")
    )
    local_part = models.CharField(
        _("Alias (vor dem @)"), max_length=64, validators=[validate_local_part]
    )
    address = models.ForeignKey(
        Address, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("Ziel-Adresse")
    )
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Alias")
        verbose_name_plural = _("Aliasse")
        ordering = ["local_part"]
        constraints = [
            models.UniqueConstraint(fields=["service", "local_part"], name="alias_unique"),
            models.CheckConstraint(
                condition=models.Q(local_part=Lower("local_part")), name="alias_lowercase"
            ),
        ]

    def __str__(self):
        return f"{self.local_part} -> {self.address_id}"


class Forward(models.Model):
    """A destination an address forwards its mail to (a redirect, or a copy for a mailbox)."""

    address = models.ForeignKey(
        Address, on_delete=models.CASCADE, related_name="forwards", verbose_name=_("Adresse")
    )
    destination = models.EmailField(_("Weiterleiten an"), max_length=254)
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Weiterleitung")
        verbose_name_plural = _("Weiterleitungen")
        ordering = ["destination"]
        constraints = [
            models.UniqueConstraint(fields=["address", "destination"], name="forward_unique"),
            models.CheckConstraint(
                condition=models.Q(destination=Lower("destination")), name="forward_lowercase"
            ),
        ]

    def __str__(self):
        return self.destination


class Responder(models.Model):
    """An automatic reply (out of office) of one address."""

    address = models.OneToOneField(
        Address, on_delete=models.CASCADE, related_name="responder", verbose_name=_("Adresse")
    )
    enabled = models.BooleanField(_("Aktiv"), default=True)
    subject = models.CharField(_("Betreff"), max_length=200)
    body = models.TextField(_("Text"), max_length=10000)
    starts_at = models.DateTimeField(_("Ab"))
    ends_at = models.DateTimeField(_("Bis"), null=True, blank=True)
    interval_days = models.PositiveSmallIntegerField(
        _("Höchstens eine Antwort pro Absender alle … Tage"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Abwesenheitsnotiz")
        verbose_name_plural = _("Abwesenheitsnotizen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="responder_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(interval_days__gte=1, interval_days__lte=30),
                name="responder_interval_range",
            ),
        ]

    def __str__(self):
        return self.subject
