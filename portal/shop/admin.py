"""Staff side of the shop: catalogue with append-only prices, orders with their actions.

Orders and invoices are found by what a customer quotes: the order number (`B0000003`), the
invoice number (`R2026-00012`), the customer number or login email.
"""

import re

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from portal.core.admin import ReadOnlyAdminMixin
from portal.shop import services
from portal.shop.models import Invoice, InvoiceSequence, Order, OrderLine, Price, Product
from portal.shop.views import pdf_response

ORDER_NUMBER = re.compile(r"^\s*B0*(\d{1,12})\s*$", re.IGNORECASE)


class OrderNumberSearchMixin:
    """An order number as printed (`B0000003`) finds its order: the number is the key."""

    order_number_lookup = "pk"

    def get_search_results(self, request, queryset, search_term):
        match = ORDER_NUMBER.match(search_term)
        if match:  # the number is the key: nothing else to search (and no scan of every row)
            return queryset.filter(**{self.order_number_lookup: int(match[1])}), False
        return super().get_search_results(request, queryset, search_term)


class PriceHistoryInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The prices so far, read-only: a price is never changed, only followed by a new one."""

    model = Price
    verbose_name_plural = _("Preise (bisherige und geplante)")
    fields = ["amount", "valid_from", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class NewPriceInline(admin.TabularInline):
    """Adds a new price row with the date from which it applies."""

    model = Price
    verbose_name = _("Neuer Preis")
    verbose_name_plural = _("Neuen Preis erfassen (gilt ab dem gewählten Zeitpunkt)")
    fields = ["amount", "valid_from"]
    extra = 1
    max_num = 1
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).none()


@admin.register(Product)
class ProductAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "plan", "pack_size", "billing_period", "current", "is_active"]
    list_filter = ["kind", "is_active", "billing_period"]
    search_fields = ["name", "code"]
    inlines = [PriceHistoryInline, NewPriceInline]
    # Orders refer to products; a product leaves the shop by "Im Verkauf" off, never deleted.
    read_only_allows = ("add", "change")

    def get_queryset(self, request):
        latest = Price.objects.filter(
            product=OuterRef("pk"), valid_from__lte=timezone.now()
        ).order_by("-valid_from")
        return (
            super()
            .get_queryset(request)
            .annotate(current_amount=Subquery(latest.values("amount")[:1]))
        )

    @admin.display(description=_("Aktueller Preis (CHF netto)"))
    def current(self, obj):
        return obj.current_amount if obj.current_amount is not None else "—"

    def get_readonly_fields(self, request, obj=None):
        # Kind, plan and pack size say what was sold in past orders: fixed once created.
        return ["code", "kind", "plan", "pack_size"] if obj else []


class OrderLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderLine
    fields = [
        "position",
        "kind",
        "description",
        "domain_name",
        "service",
        "quantity",
        "unit_price",
        "net",
        "vat_rate",
        "vat",
        "gross",
        "provisioned_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ProvisioningErrorFilter(admin.SimpleListFilter):
    title = _("Fehler bei der Bereitstellung")
    parameter_name = "error"

    def lookups(self, request, model_admin):
        return [("yes", _("mit Fehler")), ("no", _("ohne Fehler"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(provisioning_error="")
        if self.value() == "no":
            return queryset.filter(provisioning_error="")
        return queryset


@admin.register(Order)
class OrderAdmin(OrderNumberSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "number_display",
        "customer",
        "status",
        "total_gross",
        "created_at",
        "paid_at",
        "problem",
    ]
    list_filter = ["status", ProvisioningErrorFilter, "created_at"]
    search_fields = [
        "customer__number",
        "customer__name",
        "customer__owner__email",
        "lines__domain_name",
        "invoice__number",
    ]
    read_only_allows = ("change",)  # the actions below; orders are never added or deleted
    list_select_related = ["customer"]
    show_full_result_count = False  # no second COUNT(*) over all orders on a search
    inlines = [OrderLineInline]
    actions = ["mark_paid", "cancel", "retry_provisioning"]
    readonly_fields = [
        "number_display",
        "customer",
        "status",
        "idempotency_key",
        "total_net",
        "total_vat",
        "total_gross",
        "billing_name",
        "billing_street",
        "billing_house_number",
        "billing_postcode",
        "billing_town",
        "billing_country",
        "terms_accepted_at",
        "created_at",
        "paid_at",
        "marked_paid_by",
        "activated_at",
        "cancelled_at",
        "provisioning_attempts",
        "provisioning_error",
        "invoice_link",
    ]
    fieldsets = [
        (None, {"fields": ["number_display", "customer", "status", "invoice_link"]}),
        (_("Beträge"), {"fields": ["total_net", "total_vat", "total_gross"]}),
        (
            _("Rechnungsadresse"),
            {
                "fields": [
                    "billing_name",
                    "billing_street",
                    "billing_house_number",
                    "billing_postcode",
                    "billing_town",
                    "billing_country",
                ]
            },
        ),
        (
            _("Verlauf"),
            {
                "fields": [
                    "terms_accepted_at",
                    "created_at",
                    "paid_at",
                    "marked_paid_by",
                    "activated_at",
                    "cancelled_at",
                    "provisioning_attempts",
                    "provisioning_error",
                    "idempotency_key",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # Setting select_related here switches off list_select_related: name both.
        return super().get_queryset(request).select_related("invoice", "customer")

    @admin.display(description=_("Bestellung"), ordering="pk")
    def number_display(self, obj):
        return obj.number

    @admin.display(description=_("Fehler"), boolean=True)
    def problem(self, obj):
        return obj.has_provisioning_error or None

    @admin.display(description=_("Rechnung"))
    def invoice_link(self, obj):
        invoice = getattr(obj, "invoice", None)
        if invoice is None:
            return "—"
        url = reverse("admin:shop_invoice_pdf", args=[invoice.pk])
        return format_html('<a href="{}">{} (PDF)</a>', url, invoice.number)

    def _apply(self, request, queryset, service, done_message):
        done = 0
        for order in queryset:
            try:
                service(order)
            except ValidationError as exc:
                self.message_user(
                    request, f"{order.number}: {'; '.join(exc.messages)}", messages.ERROR
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Als bezahlt markieren (startet die Bereitstellung)"))
    def mark_paid(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda order: services.order_mark_paid(order=order, by=request.user),
            ngettext_lazy(
                "%(count)d Bestellung als bezahlt markiert; die Bereitstellung läuft.",
                "%(count)d Bestellungen als bezahlt markiert; die Bereitstellung läuft.",
                "count",
            ),
        )

    @admin.action(description=_("Stornieren (nur unbezahlte)"))
    def cancel(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda order: services.order_cancel(order=order),
            ngettext_lazy(
                "%(count)d Bestellung storniert.",
                "%(count)d Bestellungen storniert.",
                "count",
            ),
        )

    @admin.action(description=_("Bereitstellung erneut starten"))
    def retry_provisioning(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda order: services.order_retry_provisioning(order=order),
            ngettext_lazy(
                "Bereitstellung für %(count)d Bestellung neu gestartet.",
                "Bereitstellung für %(count)d Bestellungen neu gestartet.",
                "count",
            ),
        )


@admin.register(Invoice)
class InvoiceAdmin(OrderNumberSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "order", "issued_at", "due_at", "total_gross", "pdf"]
    search_fields = [
        "number",
        "reference",
        "order__customer__number",
        "order__customer__owner__email",
    ]
    order_number_lookup = "order_id"
    list_select_related = ["order"]
    readonly_fields = [
        "number",
        "order",
        "year",
        "sequence",
        "issued_at",
        "due_at",
        "reference",
        "iban",
        "total_net",
        "total_vat",
        "total_gross",
        "pdf",
    ]

    @admin.display(description=_("PDF"))
    def pdf(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:shop_invoice_pdf", args=[obj.pk]), obj.number
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="shop_invoice_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return pdf_response(get_object_or_404(Invoice.objects.select_related("order"), pk=pk))


@admin.register(InvoiceSequence)
class InvoiceSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["year", "last_number"]
    readonly_fields = ["year", "last_number"]
