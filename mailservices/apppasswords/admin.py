from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mailservices.apppasswords import services
from mailservices.apppasswords.models import AppPassword
from portal.core.admin import ReadOnlyAdminMixin


@admin.register(AppPassword)
class AppPasswordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only for staff: names, protocols and last use; never the hash. Staff can revoke
    (through the service: activity log and the customer's email, as on the portal)."""

    actions = ("revoke",)

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

    @admin.action(description=_("Ausgewählte App-Passwörter widerrufen"))
    def revoke(self, request, queryset):
        """Revokes each one like the customer's button does (needs the delete permission)."""
        if not request.user.has_perm("apppasswords.delete_apppassword"):
            self.message_user(
                request, _("Sie dürfen keine App-Passwörter widerrufen."), messages.ERROR
            )
            return
        count = 0
        for app_password in queryset.select_related("address__service__domain__customer"):
            services.app_password_revoke(app_password=app_password)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d App-Passwort widerrufen.",
                "%(count)d App-Passwörter widerrufen.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
