"""Staff triage of phishing reports: new → confirmed | false positive → closed, with notes."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from messagetools.models import PhishingReport, PhishingReportNote
from messagetools.services import phishing_report_triage
from portal.core.admin import ReadOnlyAdminMixin


class PhishingReportAdminForm(forms.ModelForm):
    new_status = forms.ChoiceField(
        label=_("Neuer Status"),
        required=False,
        help_text=_("Neu → Bestätigt oder Kein Phishing → Abgeschlossen."),
    )
    note = forms.CharField(
        label=_("Notiz"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Begründung, Massnahmen (z. B. Domain gemeldet, Absender gesperrt)."),
    )

    class Meta:
        model = PhishingReport
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = self.instance.allowed_statuses() if self.instance.pk else ()
        self.fields["new_status"].choices = [("", _("– unverändert –"))] + [
            (value, PhishingReport.Status(value).label) for value in allowed
        ]


class PhishingReportNoteInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PhishingReportNote
    extra = 0
    can_delete = False
    fields = ("created_at", "author", "status_from", "status_to", "text")
    readonly_fields = fields


@admin.register(PhishingReport)
class PhishingReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    form = PhishingReportAdminForm
    list_display = (
        "pk",
        "created_at",
        "customer",
        "subject_short",
        "from_address",
        "status",
        "url_count",
        "attachment_count",
        "abuse_notified_at",
    )
    list_display_links = ("pk", "subject_short")
    list_filter = ("status", "outcome", "created_at")
    search_fields = (
        "subject",
        "from_address",
        "message_id",
        "customer__number",
        "customer__name",
        "customer__owner__email",
        "reported_by__email",
    )
    read_only_allows = ("change", "delete")  # reports come from customers
    list_select_related = ("customer",)
    date_hierarchy = "created_at"
    inlines = [PhishingReportNoteInline]
    actions = ["mark_confirmed", "mark_false_positive", "mark_closed"]
    readonly_fields = (
        "customer",
        "reported_by",
        "status",
        "outcome",
        "created_at",
        "abuse_notified_at",
        "customer_note",
        "subject",
        "from_header",
        "reply_to",
        "return_path",
        "message_id",
        "sent_date",
        "signals_display",
        "received_display",
        "urls_display",
        "attachments_display",
        "headers_display",
        "original_display",
    )
    fieldsets = (
        (_("Bearbeitung"), {"fields": ("status", "outcome", "new_status", "note")}),
        (
            _("Meldung"),
            {
                "fields": (
                    "customer",
                    "reported_by",
                    "created_at",
                    "abuse_notified_at",
                    "customer_note",
                    "original_display",
                )
            },
        ),  # fmt: skip
        (
            _("Nachricht"),
            {
                "fields": (
                    "subject",
                    "from_header",
                    "reply_to",
                    "return_path",
                    "message_id",
                    "sent_date",
                    "signals_display",
                )
            },
        ),  # fmt: skip
        (_("Received-Kette"), {"fields": ("received_display",)}),
        (_("Links und Anhänge"), {"fields": ("urls_display", "attachments_display")}),
        (_("Kopfzeilen"), {"classes": ("collapse",), "fields": ("headers_display",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("customer", "reported_by")

    @admin.display(description=_("Betreff"))
    def subject_short(self, obj):
        return (obj.subject or "–")[:80]

    @admin.display(description=_("Links"))
    def url_count(self, obj):
        return len(obj.urls or [])

    @admin.display(description=_("Anhänge"))
    def attachment_count(self, obj):
        return len(obj.attachments or [])

    @admin.display(description=_("Auffälligkeiten"))
    def signals_display(self, obj):
        if not obj.signals:
            return "–"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((s,) for s in obj.signals))
        )

    @admin.display(description=_("Stationen (neueste zuerst)"))
    def received_display(self, obj):
        if not obj.received:
            return "–"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (i, hop.get("from", ""), hop.get("ip", ""), hop.get("by", ""),
                 hop.get("with", ""), hop.get("date", ""))
                for i, hop in enumerate(obj.received, 1)
            ),
        )  # fmt: skip
        return format_html(
            "<table><thead><tr><th>#</th><th>from</th><th>IP</th><th>by</th><th>with</th>"
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("Datum"),
            rows,
        )

    @admin.display(description=_("Links"))
    def urls_display(self, obj):
        if not obj.urls:
            return "–"
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li><code>{}</code> {}</li>",
                ((u.get("url", ""), f"[{u['text']}]" if u.get("text") else "") for u in obj.urls),
            ),
        )

    @admin.display(description=_("Anhänge (SHA-256)"))
    def attachments_display(self, obj):
        if not obj.attachments:
            return "–"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} ({}, {})<br><code>{}</code></li>",
                (
                    (a.get("filename") or "–", a.get("content_type", ""),
                     filesizeformat(a.get("size", 0)), a.get("sha256", ""))
                    for a in obj.attachments
                ),
            ),
        )  # fmt: skip

    @admin.display(description=_("Kopfzeilen"))
    def headers_display(self, obj):
        text = "\n".join(f"{name}: {value}" for name, value in (obj.headers or []))
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)

    @admin.display(description=_("Originalnachricht"))
    def original_display(self, obj):
        if not obj.pk or not obj.original:
            return "–"
        url = reverse("admin:messagetools_phishingreport_original", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> ({}) <br><code>SHA-256 {}</code>',
            url,
            _(".eml herunterladen"),
            filesizeformat(obj.original_size),
            obj.original_sha256,
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/original/",
                self.admin_site.admin_view(self.original_view),
                name="messagetools_phishingreport_original",
            )
        ] + super().get_urls()

    def original_view(self, request, pk):
        if not self.has_view_permission(request):
            raise Http404
        report = get_object_or_404(PhishingReport, pk=pk)
        try:
            handle = report.original.open("rb")
        except (FileNotFoundError, OSError, ValueError):
            raise Http404("Original missing") from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"phishing-meldung-{report.pk}.eml",
            content_type="message/rfc822",
        )

    def save_model(self, request, obj, form, change):
        new_status = form.cleaned_data.get("new_status") or obj.status
        note = form.cleaned_data.get("note") or ""
        try:
            phishing_report_triage(report=obj, status=new_status, note=note, by=request.user)
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)

    def _bulk(self, request, queryset, status):
        done = skipped = 0
        for report in queryset:
            try:
                phishing_report_triage(report=report, status=status, note="", by=request.user)
                done += 1
            except ValidationError:
                skipped += 1
        self.message_user(
            request,
            ngettext(
                "%(done)d Meldung geändert, %(skipped)d übersprungen (Schritt nicht erlaubt).",
                "%(done)d Meldungen geändert, %(skipped)d übersprungen (Schritt nicht erlaubt).",
                done,
            )
            % {"done": done, "skipped": skipped},
            messages.SUCCESS if not skipped else messages.WARNING,
        )

    @admin.action(description=_("Als Phishing bestätigen"))
    def mark_confirmed(self, request, queryset):
        self._bulk(request, queryset, PhishingReport.Status.CONFIRMED)

    @admin.action(description=_("Als „kein Phishing“ markieren"))
    def mark_false_positive(self, request, queryset):
        self._bulk(request, queryset, PhishingReport.Status.FALSE_POSITIVE)

    @admin.action(description=_("Abschliessen"))
    def mark_closed(self, request, queryset):
        self._bulk(request, queryset, PhishingReport.Status.CLOSED)
