"""Staff: received reports and the mails that brought them (read-only)."""

from django.contrib import admin

from mailservices.reports.models import DmarcRecord, Report, ReportMail, TlsResult
from portal.core.admin import ReadOnlyAdminMixin


class DmarcRecordInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DmarcRecord
    fields = ["source_ip", "count", "disposition", "dkim", "spf", "header_from", "spf_domain"]
    readonly_fields = fields
    extra = 0
    max_num = 0


class TlsResultInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TlsResult
    fields = ["policy_type", "policy_domain", "success", "failure", "failure_details"]
    readonly_fields = fields
    extra = 0
    max_num = 0


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    read_only_allows = ("delete",)
    list_display = ["kind", "domain_name", "org", "begin", "end", "received_at"]
    list_filter = ["kind"]
    search_fields = ["=domain_name", "org", "=report_id"]
    list_select_related = ["domain"]
    inlines = [DmarcRecordInline, TlsResultInline]
    readonly_fields = [
        "kind",
        "org",
        "report_id",
        "domain_name",
        "domain",
        "begin",
        "end",
        "policy",
        "contact",
        "received_at",
    ]


@admin.register(ReportMail)
class ReportMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    read_only_allows = ("delete",)
    list_display = ["queued_at", "recipient", "size", "state", "error", "report"]
    list_filter = ["state"]
    list_select_related = ["report"]
    exclude = ["raw"]
    readonly_fields = [
        "recipient",
        "size",
        "state",
        "error",
        "report",
        "queued_at",
        "started_at",
        "finished_at",
    ]
