"""Staff views of domains, mail services and addresses, searchable by what customers quote
(a whole address, a domain, their login email or customer number). Services are created and
changed through the same service functions the shop and the customer pages use."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mailservices.models import Address, Alias, Domain, Forward, MailService, Responder
from mailservices.plans import plan_facts
from mailservices.services import domain_create, mailservice_create, mailservice_staff_update
from mailservices.services.mailservices import quota_max_message
from mailservices.validators import to_a_label
from portal.core.admin import ReadOnlyAdminMixin

CUSTOMER_SEARCH = ("customer__number", "customer__name", "customer__owner__email")


def email_parts(term: str) -> tuple[str, str] | None:
    """`("buchhaltung", "demo-kunde.ch")` for a whole address (IDN domains as A-label)."""
    local, at, domain = term.strip().lower().rpartition("@")
    if not at or not local or not domain or " " in term.strip():
        return None
    try:
        return local, to_a_label(domain)
    except ValidationError:
        return None


class EmailSearchMixin:
    """Finds rows by a whole address as a customer quotes it (`buchhaltung@demo-kunde.ch`).

    A whole address is matched exactly, never with `icontains`: `email_search_pairs` are
    (local part, domain name) lookups (the (service, local part) indexes answer them),
    `email_search_fields` hold whole addresses (a forward's destination, the customer's login
    email; case-insensitive). Any other term gets the usual search. The address picker of
    other admins (autocomplete) searches the same way.
    """

    email_search_pairs: tuple[tuple[str, str], ...] = (("local_part", "service__domain__name"),)
    email_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        parts = email_parts(search_term)
        if parts is None:
            return super().get_search_results(request, queryset, search_term)
        local, domain = parts
        lookups = [
            Q(**{local_field: local, domain_field: domain})
            for local_field, domain_field in self.email_search_pairs
        ]
        lookups += [
            Q(**{f"{field}__iexact": search_term.strip()}) for field in self.email_search_fields
        ]
        # One indexed query per lookup, then the rows by key: an OR across the joins would
        # make the database scan every row (seconds at a million addresses).
        keys = set()
        for lookup in lookups:
            keys.update(queryset.model._default_manager.filter(lookup).values_list("pk", flat=True))
        return queryset.filter(pk__in=keys), False


class MailServiceInline(ReadOnlyAdminMixin, admin.StackedInline):
    """A domain's service at a glance; it is changed on its own page (through the services)."""

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
            raise quota_max_message(plan_facts(plan).max_address_quota)
        used = self.instance.addresses.count() if self.instance.pk else 0
        if quota and quota < used:
            self.add_error(
                "address_quota",
                ngettext(
                    "Der Dienst hat %(used)d Adresse; das Kontingent kann nicht kleiner sein.",
                    "Der Dienst hat %(used)d Adressen; das Kontingent kann nicht kleiner sein.",
                    used,
                )
                % {"used": used},
            )
        return cleaned


@admin.register(MailService)
class MailServiceAdmin(EmailSearchMixin, admin.ModelAdmin):
    form = MailServiceAdminForm
    list_display = ("domain", "customer", "plan", "status", "address_usage", "created_at")
    list_filter = ("plan", "status", "spam_filter_enabled")
    search_fields = (
        "domain__name",
        "addresses__local_part",
        *(f"domain__{field}" for field in CUSTOMER_SEARCH),
    )
    email_search_pairs = (("addresses__local_part", "domain__name"),)
    email_search_fields = ("domain__customer__owner__email",)
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
        """Through the services: a plan change keeps the quota within the plan and the
        addresses in use; a new service gets its key, zone records and first diagnosis."""
        data = form.cleaned_data
        service = (
            MailService.objects.get(pk=obj.pk)
            if change
            else mailservice_create(
                domain=data["domain"],
                plan=data["plan"],
                address_quota=data["address_quota"],
                status=data["status"],
            )
        )
        updated = mailservice_staff_update(
            service=service,
            plan=data["plan"],
            address_quota=data["address_quota"],
            status=data["status"],
            spam_filter_enabled=data["spam_filter_enabled"],
            external_warning_enabled=data["external_warning_enabled"],
        )
        obj.pk, obj.created_at = updated.pk, updated.created_at
        obj.address_quota = updated.address_quota
        obj._state.adding = False


class AliasInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Alias
    extra = 0
    fields = ("local_part", "service")
    readonly_fields = ("service",)
    can_delete = True
    read_only_allows = ("change", "delete")


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
            "enabled",
        ]

    def clean_local_part(self):
        return self.cleaned_data["local_part"].strip().lower()


@admin.register(Address)
class AddressAdmin(EmailSearchMixin, admin.ModelAdmin):
    form = AddressAdminForm
    list_display = ("__str__", "customer", "kind", "enabled", "password_changed_at")
    list_filter = ("kind", "enabled")
    search_fields = (
        "local_part",
        "service__domain__name",
        "aliases__local_part",
        *(f"service__domain__{field}" for field in CUSTOMER_SEARCH),
    )
    email_search_pairs = (
        ("local_part", "service__domain__name"),
        ("aliases__local_part", "aliases__service__domain__name"),
    )
    email_search_fields = ("service__domain__customer__owner__email",)
    list_select_related = ("service__domain__customer",)
    show_full_result_count = False  # no second COUNT(*) over a million addresses on a search
    ordering = ("-pk",)  # newest first, straight from the key: no sort of a million rows
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
class AliasAdmin(EmailSearchMixin, admin.ModelAdmin):
    list_display = ("local_part", "service", "address")
    search_fields = ("local_part", "address__local_part", "service__domain__name")
    email_search_pairs = (
        ("local_part", "service__domain__name"),
        ("address__local_part", "address__service__domain__name"),
    )
    list_select_related = ("service__domain", "address__service__domain")
    autocomplete_fields = ("service", "address")


@admin.register(Forward)
class ForwardAdmin(EmailSearchMixin, admin.ModelAdmin):
    list_display = ("destination", "address")
    search_fields = ("destination", "address__local_part", "address__service__domain__name")
    email_search_pairs = (("address__local_part", "address__service__domain__name"),)
    email_search_fields = ("destination",)
    list_select_related = ("address__service__domain",)
    autocomplete_fields = ("address",)


@admin.register(Responder)
class ResponderAdmin(EmailSearchMixin, admin.ModelAdmin):
    list_display = ("subject", "address", "enabled", "starts_at", "ends_at")
    list_filter = ("enabled",)
    search_fields = ("subject", "address__local_part", "address__service__domain__name")
    email_search_pairs = (("address__local_part", "address__service__domain__name"),)
    list_select_related = ("address__service__domain",)
    autocomplete_fields = ("address",)
