from django.contrib import admin

from mailservices.apppasswords.models import AppPassword


@admin.register(AppPassword)
class AppPasswordAdmin(admin.ModelAdmin):
    """Read-only for staff: names, protocols and last use; never the hash."""

    list_display = (
        "name",
        "address",
        "allow_imap",
        "allow_smtp",
        "allow_dav",
        "created_at",
        "last_used_at",
        "last_used_ip",
    )
    list_select_related = ("address__service__domain",)
    search_fields = ("name",)
    fields = (
        "address",
        "name",
        "generated",
        "allow_imap",
        "allow_smtp",
        "allow_dav",
        "created_at",
        "last_used_at",
        "last_used_ip",
        "last_used_service",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
