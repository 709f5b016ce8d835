from django.contrib import admin

from mailservices.dav.models import DeletedAddressData
from portal.core.admin import ReadOnlyAdminMixin


@admin.register(DeletedAddressData)
class DeletedAddressDataAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Calendars/contacts waiting for removal; only `dav_data_purge` writes these rows."""

    list_display = ("login", "noticed_at")
    search_fields = ("login",)
    date_hierarchy = "noticed_at"
