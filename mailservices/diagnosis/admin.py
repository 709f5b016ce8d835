"""Staff views of the diagnosis: runs with their results."""

from django.contrib import admin

from mailservices.diagnosis.models import DiagnosisRun


@admin.register(DiagnosisRun)
class DiagnosisRunAdmin(admin.ModelAdmin):
    list_display = ("service", "created_at", "trigger", "state", "status", "customer_notified")
    list_filter = ("status", "state", "trigger")
    search_fields = ("service__domain__name",)
    list_select_related = ("service__domain",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in DiagnosisRun._meta.fields]

    def has_add_permission(self, request):
        return False
