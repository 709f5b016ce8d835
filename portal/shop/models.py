"""The shop: catalogue with dated prices, carts, orders (price snapshots) and invoices."""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Round
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mailservices.models import MailService
from mailservices.plans import Plan
from portal.accounts.models import Customer

SWISS_VAT_RATE = Decimal("8.10")
MONEY = {"max_digits": 10, "decimal_places": 2}


def sums_to(total: str, *parts: str) -> Exact:
    """`total = part + part` to the Rappen, as a database check. Compared after rounding the
    difference to 0.01: SQLite adds decimals as floats (28.00 + 2.24 = 30.240000000000002),
    while PostgreSQL's numeric is exact; a real difference of a Rappen still fails."""
    difference = models.F(total)
    for part in parts:
        difference = difference - models.F(part)
    return Exact(Round(difference, 2), 0)


class BillingPeriod(models.TextChoices):
    MONTH = "month", _("Monat")
    YEAR = "year", _("Jahr")


class ProductKind(models.TextChoices):
    """What a catalogue product is."""

    PLAN = "plan", _("Angebot")
    DOMAIN = "domain", _("Domainregistrierung")
    ADDRESS_PACK = "address_pack", _("Adresspaket")


class Product(models.Model):
    """Something the shop sells: a plan, the registration of a domain, or a pack of addresses."""

    Kind = ProductKind

    code = models.SlugField(_("Code"), max_length=40, unique=True)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("Name"), max_length=100)
    description = models.CharField(_("Beschreibung"), max_length=300, blank=True)
    plan = models.CharField(_("Angebot"), max_length=30, choices=Plan.choices, blank=True)
    pack_size = models.PositiveIntegerField(
        _("Adressen pro Paket"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    billing_period = models.CharField(
        _("Abrechnungsperiode"), max_length=10, choices=BillingPeriod.choices
    )
    vat_rate = models.DecimalField(
        _("MWST-Satz (%)"),
        max_digits=5,
        decimal_places=2,
        default=SWISS_VAT_RATE,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    is_active = models.BooleanField(_("Im Verkauf"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=100)

    class Meta:
        verbose_name = _("Produkt")
        verbose_name_plural = _("Produkte")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ProductKind.values),
                name="product_kind_valid",
            ),
            # A plan product names its plan; an address pack says how many addresses it holds.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="plan", plan__in=Plan.values, pack_size__isnull=True)
                    | models.Q(kind="address_pack", plan="", pack_size__gte=1)
                    | models.Q(kind="domain", plan="", pack_size__isnull=True)
                ),
                name="product_kind_fields",
            ),
            models.UniqueConstraint(
                fields=["plan"], condition=~models.Q(plan=""), name="product_one_per_plan"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        """The name customers read, in the active language (plan names are brands)."""
        if self.kind == self.Kind.ADDRESS_PACK and self.pack_size:
            return ngettext("%(count)d Adresse", "%(count)d Adressen", self.pack_size) % {
                "count": self.pack_size
            }
        if self.kind == self.Kind.DOMAIN:
            return str(self.Kind.DOMAIN.label)
        return self.name


class PriceQuerySet(models.QuerySet):
    def valid_at(self, when):
        return self.filter(valid_from__lte=when)


class Price(models.Model):
    """The net price of a product per billing period from a date on.

    Rows are never changed: a new price is a new row with a later `valid_from`. The price that
    applies at a moment is the row with the latest `valid_from` not after it.
    """

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="prices", verbose_name=_("Produkt")
    )
    amount = models.DecimalField(
        _("Preis netto (CHF)"), **MONEY, validators=[MinValueValidator(Decimal("0.00"))]
    )
    valid_from = models.DateTimeField(_("Gültig ab"), default=timezone.now)
    created_at = models.DateTimeField(_("Erfasst"), auto_now_add=True)

    objects = PriceQuerySet.as_manager()

    class Meta:
        verbose_name = _("Preis")
        verbose_name_plural = _("Preise")
        ordering = ["product", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["product", "valid_from"], name="price_unique_start"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="price_not_negative"),
        ]

    def __str__(self):
        return _("%(product)s: CHF %(amount)s ab %(date)s") % {
            "product": self.product,
            "amount": self.amount,
            "date": f"{timezone.localtime(self.valid_from):%Y-%m-%d %H:%M}",
        }

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(
                _("Preise werden nie geändert: erfassen Sie einen neuen Preis mit Datum."),
                code="price_immutable",
            )
        super().save(*args, **kwargs)


class Cart(models.Model):
    """The customer's one cart. `token` changes with every edit; checkout must present it."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="cart", verbose_name=_("Kunde")
    )
    token = models.UUIDField(_("Version"), default=uuid.uuid4)
    updated_at = models.DateTimeField(_("Geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Warenkorb")
        verbose_name_plural = _("Warenkörbe")

    def __str__(self):
        return str(self.customer)


class LineKind(models.TextChoices):
    NEW_SERVICE = "new_service", _("Neuer E-Mail-Dienst")
    DOMAIN = "domain", _("Domainregistrierung")
    ADDRESSES = "addresses", _("Zusätzliche Adressen")
    PLAN_CHANGE = "plan_change", _("Angebotswechsel")


LINE_KIND_CHECK = models.Q(kind__in=LineKind.values)


class CartLine(models.Model):
    """One wish in the cart. It holds no price: prices are looked up whenever it is shown."""

    cart = models.ForeignKey(
        Cart, on_delete=models.CASCADE, related_name="lines", verbose_name=_("Warenkorb")
    )
    kind = models.CharField(_("Art"), max_length=20, choices=LineKind.choices)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, verbose_name=_("Produkt"))
    quantity = models.PositiveIntegerField(
        _("Menge"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    domain_name = models.CharField(_("Domain (A-Label)"), max_length=253, blank=True)
    service = models.ForeignKey(
        MailService,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("E-Mail-Dienst"),
    )
    created_at = models.DateTimeField(_("Erstellt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Warenkorb-Position")
        verbose_name_plural = _("Warenkorb-Positionen")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=LINE_KIND_CHECK, name="cartline_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=50), name="cartline_quantity"
            ),
            models.UniqueConstraint(
                fields=["cart", "kind", "domain_name"],
                condition=models.Q(kind__in=[LineKind.NEW_SERVICE, LineKind.DOMAIN]),
                name="cartline_one_service_per_domain",
            ),
            models.UniqueConstraint(
                fields=["cart", "service"],
                condition=models.Q(kind="plan_change"),
                name="cartline_one_plan_change_per_service",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.domain_name or self.service_id or ''}".strip()


class OrderStatus(models.TextChoices):
    """Where an order is: paid, delivered or cancelled."""

    PENDING_PAYMENT = "pending_payment", _("Zahlung ausstehend")
    PAID = "paid", _("Bezahlt")
    PROVISIONING = "provisioning", _("In Bereitstellung")
    ACTIVE = "active", _("Aktiv")
    CANCELLED = "cancelled", _("Storniert")


class OrderQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(customer=customer)


class Order(models.Model):
    """A placed order with a snapshot of the prices it was sold at."""

    Status = OrderStatus

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("Kunde")
    )
    idempotency_key = models.UUIDField(_("Idempotenz-Schlüssel"), unique=True, editable=False)
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT
    )
    currency = models.CharField(_("Währung"), max_length=3, default="CHF", editable=False)
    total_net = models.DecimalField(_("Total netto"), **MONEY)
    total_vat = models.DecimalField(_("MWST"), **MONEY)
    total_gross = models.DecimalField(_("Total brutto"), **MONEY)
    billing_name = models.CharField(_("Name / Firma"), max_length=70)
    billing_street = models.CharField(_("Strasse"), max_length=70)
    billing_house_number = models.CharField(_("Hausnummer"), max_length=16, blank=True)
    billing_postcode = models.CharField(_("PLZ"), max_length=16)
    billing_town = models.CharField(_("Ort"), max_length=35)
    billing_country = models.CharField(_("Land"), max_length=2)
    terms_accepted_at = models.DateTimeField(_("AGB akzeptiert"))
    created_at = models.DateTimeField(_("Bestellt"), auto_now_add=True)
    paid_at = models.DateTimeField(_("Bezahlt am"), null=True, blank=True)
    marked_paid_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Als bezahlt markiert von"),
    )
    activated_at = models.DateTimeField(_("Aktiv seit"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("Storniert am"), null=True, blank=True)
    provisioning_attempts = models.PositiveSmallIntegerField(
        _("Bereitstellungsversuche"), default=0
    )
    provisioning_error = models.TextField(_("Fehler bei der Bereitstellung"), blank=True)
    confirmation_sent_at = models.DateTimeField(
        _("Bestätigung gesendet am"), null=True, blank=True, editable=False
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("Bestellung")
        verbose_name_plural = _("Bestellungen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=OrderStatus.values),
                name="order_status_valid",
            ),
            models.CheckConstraint(
                condition=sums_to("total_gross", "total_net", "total_vat"),
                name="order_gross_is_net_plus_vat",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def number(self) -> str:
        return f"B{self.pk:07d}" if self.pk else "—"

    @property
    def has_provisioning_error(self) -> bool:
        return bool(self.provisioning_error)


class OrderLine(models.Model):
    """A line of an order: what was bought, at which price, and whether it has been delivered."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("Bestellung")
    )
    position = models.PositiveSmallIntegerField(_("Position"))
    kind = models.CharField(_("Art"), max_length=20, choices=LineKind.choices)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, verbose_name=_("Produkt"))
    price = models.ForeignKey(Price, on_delete=models.PROTECT, verbose_name=_("Preis (Zeile)"))
    description = models.CharField(_("Bezeichnung"), max_length=300)
    billing_period = models.CharField(
        _("Abrechnungsperiode"), max_length=10, choices=BillingPeriod.choices
    )
    quantity = models.PositiveIntegerField(_("Menge"), validators=[MinValueValidator(1)])
    unit_price = models.DecimalField(_("Einzelpreis netto"), **MONEY)
    net = models.DecimalField(_("Netto"), **MONEY)
    vat_rate = models.DecimalField(_("MWST-Satz (%)"), max_digits=5, decimal_places=2)
    vat = models.DecimalField(_("MWST"), **MONEY)
    gross = models.DecimalField(_("Brutto"), **MONEY)
    domain_name = models.CharField(_("Domain (A-Label)"), max_length=253, blank=True)
    plan = models.CharField(_("Angebot"), max_length=30, choices=Plan.choices, blank=True)
    address_count = models.PositiveIntegerField(_("Zusätzliche Adressen"), default=0)
    # The line keeps its domain name; deleting a service later leaves the order readable.
    service = models.ForeignKey(
        MailService,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="order_lines",
        verbose_name=_("E-Mail-Dienst"),
    )
    provisioned_at = models.DateTimeField(_("Bereitgestellt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Bestellposition")
        verbose_name_plural = _("Bestellpositionen")
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="orderline_position"),
            models.CheckConstraint(condition=LINE_KIND_CHECK, name="orderline_kind_valid"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="orderline_qty"),
            models.CheckConstraint(
                condition=sums_to("gross", "net", "vat"),
                name="orderline_gross_is_net_plus_vat",
            ),
        ]

    def __str__(self):
        return self.description


class InvoiceQuerySet(models.QuerySet):
    def for_customer(self, customer):
        return self.filter(order__customer=customer)


class InvoiceSequence(models.Model):
    """The last invoice number of a year. Locked while a number is drawn, so none is skipped."""

    year = models.PositiveSmallIntegerField(_("Jahr"), unique=True)
    last_number = models.PositiveIntegerField(_("Letzte Nummer"), default=0)

    class Meta:
        verbose_name = _("Rechnungsnummernkreis")
        verbose_name_plural = _("Rechnungsnummernkreise")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Invoice(models.Model):
    """The invoice of an order; its figures are copied from the order and never change."""

    order = models.OneToOneField(
        Order, on_delete=models.PROTECT, related_name="invoice", verbose_name=_("Bestellung")
    )
    number = models.CharField(_("Rechnungsnummer"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("Jahr"))
    sequence = models.PositiveIntegerField(_("Laufnummer"))
    issued_at = models.DateTimeField(_("Ausgestellt am"))
    due_at = models.DateField(_("Zahlbar bis"))
    reference = models.CharField(_("Zahlungsreferenz"), max_length=27)
    iban = models.CharField(_("IBAN"), max_length=34)
    total_net = models.DecimalField(_("Total netto"), **MONEY)
    total_vat = models.DecimalField(_("MWST"), **MONEY)
    total_gross = models.DecimalField(_("Total brutto"), **MONEY)
    # The customer's language when it was issued: the PDF is always rendered in it.
    language = models.CharField(_("Sprache"), max_length=8, default="de")

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("Rechnung")
        verbose_name_plural = _("Rechnungen")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="invoice_gap_free_number"),
        ]

    def __str__(self):
        return self.number
