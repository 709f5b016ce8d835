"""Staff: overrides (through the service, never edited in place), usage history, alerts and
the live counters."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mailservices.admin import EmailSearchMixin
from portal.core.admin import ReadOnlyAdminMixin, StaffOverrideAdminMixin
from quotas import counters
from quotas.models import SendingLimitOverride, UsageAlert, UsageHour
from quotas.selectors import addresses_by_email, sending_limits
from quotas.services import sending_limit_override_create, sending_limit_override_end

ADDRESS_EMAIL = (("address__local_part", "address__service__domain__name"),)


@admin.register(SendingLimitOverride)
class SendingLimitOverrideAdmin(
    EmailSearchMixin, StaffOverrideAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin
):
    override_end = staticmethod(sending_limit_override_end)
    list_display = (
        "address",
        "channel",
        "limit",
        "state",
        "starts_at",
        "ends_at",
        "approved_by",
        "request_reference",
        "created_at",
    )
    list_filter = ("channel", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = (
        "address__local_part",
        "address__service__domain__name",
        "address__service__domain__customer__owner__email",
        "request_reference",
    )
    email_search_pairs = ADDRESS_EMAIL
    email_search_fields = ("address__service__domain__customer__owner__email",)
    read_only_allows = ("add", "change")  # never deleted: an override ends, its history stays
    list_select_related = ("address__service__domain", "approved_by")
    autocomplete_fields = ("address",)
    date_hierarchy = "created_at"
    actions = ["end_overrides"]
    add_fields = (
        "address",
        "channel",
        "limit",
        "reason",
        "request_reference",
        "starts_at",
        "ends_at",
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return (*self.add_fields, "approved_by", "created_at", "ended_at", "ended_by", "end_note")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)  # history is not edited

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = sending_limit_override_create(
            address=obj.address,
            channel=obj.channel,
            limit=obj.limit,
            reason=obj.reason,
            request_reference=obj.request_reference,
            approved_by=request.user,
            starts_at=obj.starts_at,
            ends_at=obj.ends_at,
        )
        obj.pk = created.pk
        obj.approved_by = created.approved_by


@admin.register(UsageHour)
class UsageHourAdmin(EmailSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("address", "channel", "hour", "recipients")
    list_filter = ("channel",)
    search_fields = ("address__local_part", "address__service__domain__name")
    email_search_pairs = ADDRESS_EMAIL
    list_select_related = ("address__service__domain",)
    date_hierarchy = "hour"
    change_list_template = "admin/quotas/usagehour/change_list.html"

    def get_urls(self):
        live = self.admin_site.admin_view(self.live_view)
        return [path("live/", live, name="quotas_usage_live"), *super().get_urls()]

    def live_view(self, request):
        """The counters as they stand now, busiest first."""
        now = timezone.now()
        rows, error = [], None
        try:
            client = counters.SendingCounters.from_settings()
            usage = client.usage_many(client.counter_ids(), now=now)
        except counters.RedisError as exc:
            usage, error = {}, str(exc)
        parsed = {cid: counters.parse_counter_id(cid) for cid in usage}
        addresses = addresses_by_email({sender for _ch, sender in parsed.values()})
        limits = sending_limits(addresses.values(), now=now)
        for cid, u in usage.items():
            channel, sender = parsed[cid]
            address = addresses.get(sender)
            limit = limits.get((address.pk, channel)) if address else None
            rows.append(
                {
                    "sender": sender,
                    "channel": channel,
                    "address": address,
                    "url": reverse("admin:mailservices_address_change", args=[address.pk])
                    if address
                    else "",
                    "used": u.used,
                    "reserved": u.reserved,
                    "limit": limit.limit if limit else None,
                    "percent": round(100 * u.used / limit.limit) if limit else None,
                }
            )
        rows.sort(key=lambda r: (-(r["percent"] or 0), -r["used"]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Versand in den letzten 24 Stunden (live)"),
            "rows": rows,
            "error": error,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/quotas/usage_live.html", context)


@admin.register(UsageAlert)
class UsageAlertAdmin(EmailSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("address", "channel", "level", "used", "limit", "recipient", "sent_at")
    list_filter = ("level", "channel")
    search_fields = ("address__local_part", "address__service__domain__name", "recipient")
    email_search_pairs = ADDRESS_EMAIL
    email_search_fields = ("recipient",)
    list_select_related = ("address__service__domain",)
    date_hierarchy = "sent_at"
