"""Staff views of the DNS provisioning: keys (never the private half) and the records of the
zones we host."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from mailservices.provisioning.models import DkimKey, ZoneRecord
from portal.core.admin import ReadOnlyAdminMixin


@admin.register(DkimKey)
class DkimKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("service", "selector", "created_at")
    search_fields = ("service__domain__name",)
    list_select_related = ("service__domain",)
    exclude = ("private_key_pem",)
    readonly_fields = ("service", "selector", "public_key", "created_at")
    read_only_allows = ("change", "delete")  # keys are made by the provisioning


@admin.register(ZoneRecord)
class ZoneRecordAdmin(admin.ModelAdmin):
    list_display = ("domain", "name", "type", "ttl", "short_value", "managed")
    list_filter = ("type", "managed")
    search_fields = ("domain__name", "name", "value")
    list_select_related = ("domain",)

    @admin.display(description=_("Wert"))
    def short_value(self, obj):
        return obj.value if len(obj.value) <= 60 else obj.value[:57] + "…"
