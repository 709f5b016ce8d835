"""Staff views of domains, mail services and addresses, searchable by address, domain and
customer. New services go through the same service functions the shop uses."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from mailservices.models import Address, Alias, Domain, Forward, MailService, Responder
from mailservices.plans import plan_facts
from mailservices.services import domain_create, mailservice_create

CUSTOMER_SEARCH = ("customer__number", "customer__name", "customer__owner__email")


class MailServiceInline(admin.StackedInline):
    model = MailService
    extra = 0
    fields = ("plan", "address_quota", "status", "spam_filter_enabled", "external_warning_enabled")
    show_change_link = True


class DomainAdminForm(forms.ModelForm):
    class Meta:
        model = Domain
        fields = ["customer", "name", "source"]
        help_texts = {"name": _("Unicode oder Punycode; gespeichert wird das A-Label.")}

    def clean_name(self):
        from mailservices.validators import to_a_label

        return to_a_label(self.cleaned_data["name"])


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    form = DomainAdminForm
    list_display = ("name", "unicode_name", "customer", "source", "created_at")
    list_filter = ("source",)
    search_fields = ("name", *CUSTOMER_SEARCH)
    list_select_related = ("customer",)
    autocomplete_fields = ("customer",)
    inlines = [MailServiceInline]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = domain_create(customer=obj.customer, name=obj.name, source=obj.source)
        obj.pk, obj.created_at = created.pk, created.created_at
        obj._state.adding = False


class MailServiceAdminForm(forms.ModelForm):
    class Meta:
        model = MailService
        fields = [
            "domain",
            "plan",
            "address_quota",
            "status",
            "spam_filter_enabled",
            "external_warning_enabled",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address_quota"].required = False
        self.fields["address_quota"].help_text = _("Leer lassen für das Kontingent des Angebots.")

    def clean(self):
        cleaned = super().clean()
        plan = cleaned.get("plan")
        if plan and not cleaned.get("address_quota"):
            cleaned["address_quota"] = plan_facts(plan).default_address_quota
            self.instance.address_quota = cleaned["address_quota"]
        quota = cleaned.get("address_quota")
        if plan and quota and quota > plan_facts(plan).max_address_quota:
            raise ValidationError(
                _("Dieses Angebot erlaubt höchstens %(max)d Adressen.")
                % {"max": plan_facts(plan).max_address_quota}
            )
        return cleaned


@admin.register(MailService)
class MailServiceAdmin(admin.ModelAdmin):
    form = MailServiceAdminForm
    list_display = ("domain", "customer", "plan", "status", "address_usage", "created_at")
    list_filter = ("plan", "status", "spam_filter_enabled")
    search_fields = (
        "domain__name",
        "addresses__local_part",
        *(f"domain__{field}" for field in CUSTOMER_SEARCH),
    )
    list_select_related = ("domain__customer",)
    autocomplete_fields = ("domain",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(address_count=Count("addresses"))

    @admin.display(description=_("Kunde"), ordering="domain__customer__number")
    def customer(self, obj):
        return obj.domain.customer

    @admin.display(description=_("Adressen"))
    def address_usage(self, obj):
        return f"{obj.address_count} / {obj.address_quota}"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = mailservice_create(
            domain=obj.domain, plan=obj.plan, address_quota=obj.address_quota, status=obj.status
        )
        obj.pk, obj.created_at = created.pk, created.created_at
        obj._state.adding = False
        if (obj.spam_filter_enabled, obj.external_warning_enabled) != (True, True):
            MailService.objects.filter(pk=obj.pk).update(
                spam_filter_enabled=obj.spam_filter_enabled,
                external_warning_enabled=obj.external_warning_enabled,
            )


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 0
    fields = ("local_part", "service")
    readonly_fields = ("service",)
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False


class ForwardInline(admin.TabularInline):
    model = Forward
    extra = 0


class ResponderInline(admin.StackedInline):
    model = Responder
    extra = 0


class AddressAdminForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = [
            "service",
            "local_part",
            "kind",
            "display_name",
            "storage_quota_mb",
            "enabled",
        ]

    def clean_local_part(self):
        return self.cleaned_data["local_part"].strip().lower()


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    form = AddressAdminForm
    list_display = ("__str__", "customer", "kind", "enabled", "password_changed_at")
    list_filter = ("kind", "enabled")
    search_fields = (
        "local_part",
        "service__domain__name",
        "aliases__local_part",
        *(f"service__domain__{field}" for field in CUSTOMER_SEARCH),
    )
    list_select_related = ("service__domain__customer",)
    autocomplete_fields = ("service",)
    readonly_fields = ("password_state", "password_changed_at", "password_tested_at")
    inlines = [ForwardInline, ResponderInline, AliasInline]

    @admin.display(description=_("Mail-Passwort"))
    def password_state(self, obj):
        """The scheme only: staff never need the hash itself."""
        if not obj.password_hash:
            return _("nicht gesetzt")
        return _("gesetzt (%(scheme)s)") % {"scheme": obj.password_hash.split("$", 1)[0]}

    @admin.display(description=_("Kunde"), ordering="service__domain__customer__number")
    def customer(self, obj):
        return obj.service.domain.customer


@admin.register(Alias)
class AliasAdmin(admin.ModelAdmin):
    list_display = ("local_part", "service", "address")
    search_fields = ("local_part", "address__local_part", "service__domain__name")
    list_select_related = ("service__domain", "address__service__domain")
    autocomplete_fields = ("service", "address")


@admin.register(Forward)
class ForwardAdmin(admin.ModelAdmin):
    list_display = ("destination", "address")
    search_fields = ("destination", "address__local_part", "address__service__domain__name")
    list_select_related = ("address__service__domain",)
    autocomplete_fields = ("address",)


@admin.register(Responder)
class ResponderAdmin(admin.ModelAdmin):
    list_display = ("subject", "address", "enabled", "starts_at", "ends_at")
    list_filter = ("enabled",)
    search_fields = ("subject", "address__local_part", "address__service__domain__name")
    list_select_related = ("address__service__domain",)
    autocomplete_fields = ("address",)
