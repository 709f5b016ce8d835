"""Staff: storage per mailbox, storage overrides (through the service) and the alerts sent."""

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from mailservices.mailboxes.models import (
    ImportFailure,
    MailboxStorage,
    MailImport,
    StorageAlert,
    StorageOverride,
)
from mailservices.mailboxes.selectors import MB, storage_of, with_storage
from mailservices.mailboxes.services import storage_override_create, storage_override_end
from portal.core.admin import ReadOnlyAdminMixin, StaffOverrideAdminMixin


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(MailboxStorage)
class MailboxStorageAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "used", "quota", "percent", "messages", "source")
    search_fields = ("local_part", "service__domain__name")
    list_select_related = ("service__domain",)
    list_filter = ("service__plan",)

    def get_queryset(self, request):
        return with_storage(super().get_queryset(request).filter(kind="mailbox")).order_by(
            "-storage_used"
        )

    @admin.display(description=_("Belegt"), ordering="storage_used")
    def used(self, obj):
        return filesizeformat(obj.storage_used)

    @admin.display(description=_("Speicherplatz"), ordering="storage_quota")
    def quota(self, obj):
        return filesizeformat(obj.storage_quota * MB)

    @admin.display(description=_("Anteil"))
    def percent(self, obj):
        return f"{storage_of(obj).percent} %"

    @admin.display(description=_("Nachrichten"), ordering="storage_messages")
    def messages(self, obj):
        return obj.storage_messages

    @admin.display(description=_("Grundlage"))
    def source(self, obj):
        return _("angepasst") if obj.storage_override is not None else _("Abonnement")


@admin.register(StorageOverride)
class StorageOverrideAdmin(StaffOverrideAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    override_end = staticmethod(storage_override_end)
    read_only_allows = ("add",)
    list_display = (
        "address",
        "quota_mb",
        "state",
        "starts_at",
        "ends_at",
        "approved_by",
        "request_reference",
        "created_at",
    )
    list_filter = (("ended_at", admin.EmptyFieldListFilter),)
    search_fields = ("address__local_part", "address__service__domain__name", "request_reference")
    list_select_related = ("address__service__domain", "approved_by")
    autocomplete_fields = ("address",)
    actions = ["end_overrides"]
    add_fields = ("address", "quota_mb", "reason", "request_reference", "starts_at", "ends_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return (*self.add_fields, "approved_by", "created_at", "ended_at", "ended_by")

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = storage_override_create(
            address=obj.address,
            quota_mb=obj.quota_mb,
            reason=obj.reason,
            request_reference=obj.request_reference,
            approved_by=request.user,
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
        )
        obj.pk = created.pk
        obj.approved_by = created.approved_by


@admin.register(StorageAlert)
class StorageAlertAdmin(ReadOnlyAdmin):
    list_display = ("address", "level", "used", "quota", "recipient", "sent_at")
    list_filter = ("level",)
    search_fields = ("address__local_part", "address__service__domain__name")
    list_select_related = ("address__service__domain",)

    @admin.display(description=_("Belegt"))
    def used(self, obj):
        return filesizeformat(obj.used_bytes)

    @admin.display(description=_("Speicherplatz"))
    def quota(self, obj):
        return filesizeformat(obj.quota_bytes)


class ImportFailureInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ImportFailure
    fields = ("folder", "uid", "subject", "reason")
    readonly_fields = fields
    extra = 0


@admin.register(MailImport)
class MailImportAdmin(ReadOnlyAdmin):
    """Imports as staff see them; the encrypted password is never shown."""

    list_display = (
        "address",
        "host",
        "login",
        "state",
        "copied",
        "skipped",
        "failed",
        "created_at",
    )
    list_filter = ("state",)
    search_fields = ("address__local_part", "address__service__domain__name", "host", "login")
    list_select_related = ("address__service__domain",)
    exclude = ("secret",)
    inlines = [ImportFailureInline]
