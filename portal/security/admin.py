from django.contrib import admin

from portal.core.admin import ReadOnlyAdminMixin
from portal.security.models import Activity


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "customer", "kind", "target", "actor", "by_staff", "ip", "device"]
    list_filter = ["kind", "by_staff", "new_device"]
    list_select_related = ["customer"]
    search_fields = ["customer__number", "customer__name", "actor", "target", "ip"]
    date_hierarchy = "created_at"
