"""Staff views of the diagnosis: runs with their results."""

from django.contrib import admin

from mailservices.diagnosis.models import DiagnosisRun
from portal.core.admin import ReadOnlyAdminMixin


@admin.register(DiagnosisRun)
class DiagnosisRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("service", "created_at", "trigger", "state", "status", "customer_notified")
    list_filter = ("status", "state", "trigger")
    search_fields = ("service__domain__name",)
    list_select_related = ("service__domain",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in DiagnosisRun._meta.fields]
    read_only_allows = ("change", "delete")  # runs are made by the diagnosis, not by hand
