from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kb.models import Category, Guide, GuideVote
from kb.rendering import GuideRenderError, render_guide, substitute_placeholders
from kb.selectors import guides_with_ratings
from kb.services import guide_save_from_admin
from kb.sources import VIEW_NAME_RE
from portal.core.admin import ReadOnlyAdminMixin


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_de", "name_en", "slug", "position"]
    ordering = ["position"]


class GuideAdminForm(forms.ModelForm):
    portal_pages = forms.CharField(
        label=_("Portalseiten (URL-Namen)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ein URL-Name pro Zeile, z. B. mailservices:catchall_create."),
    )

    class Meta:
        model = Guide
        fields = [
            "title", "summary", "category", "tags", "related", "body", "updated",
            "priority", "is_published", "edited_in_admin",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["portal_pages"].initial = "\n".join(
                self.instance.pages.values_list("view_name", flat=True)
            )

    def clean_portal_pages(self):
        names = [line.strip() for line in self.cleaned_data["portal_pages"].splitlines()]
        names = [n for n in names if n]
        bad = [n for n in names if not VIEW_NAME_RE.match(n)]
        if bad:
            raise forms.ValidationError(_("Kein URL-Name: %(names)s"), params={"names": bad})
        return names

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            render_guide(body)
        except GuideRenderError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return body

    def clean(self):
        cleaned = super().clean()
        for name in ("title", "summary"):
            if cleaned.get(name):
                try:
                    cleaned[name] = substitute_placeholders(cleaned[name])
                except GuideRenderError as exc:
                    self.add_error(name, str(exc))
        return cleaned

    def clean_related(self):
        related = self.cleaned_data["related"] or []
        if not isinstance(related, list) or not all(isinstance(s, str) for s in related):
            raise forms.ValidationError(_("Bitte eine Liste von Kürzeln angeben."))
        return related


@admin.register(Guide)
class GuideAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    form = GuideAdminForm
    list_display = [
        "title", "language", "helpful", "unhelpful", "view_count", "category", "updated",
        "edited_in_admin", "file_conflict",
    ]  # fmt: skip
    list_filter = ["language", "category", "is_published", "edited_in_admin", "file_conflict"]
    search_fields = ["title", "slug", "summary"]
    readonly_fields = ["slug_display", "language_display", "source_path", "view_count"]
    read_only_allows = ("change", "delete")  # new guides start as files in kb/guides/
    fieldsets = [
        (None, {"fields": ["slug_display", "language_display", "title", "summary", "category"]}),
        (_("Inhalt"), {"fields": ["body", "tags", "related", "portal_pages", "updated"]}),
        (
            _("Veröffentlichung"),
            {
                "fields": [
                    "priority",
                    "is_published",
                    "edited_in_admin",
                    "source_path",
                    "view_count",
                ]  # fmt: skip
            },
        ),
    ]

    def get_queryset(self, request):
        return guides_with_ratings().select_related("category")

    @admin.display(description=_("Kürzel"))
    def slug_display(self, obj):
        return obj.slug

    @admin.display(description=_("Sprache"))
    def language_display(self, obj):
        return obj.get_language_display()

    @admin.display(description=_("Hilfreich"), ordering="helpful_count")
    def helpful(self, obj):
        return obj.helpful_count

    @admin.display(description=_("Nicht hilfreich"), ordering="unhelpful_count")
    def unhelpful(self, obj):
        return obj.unhelpful_count

    def save_model(self, request, obj, form, change):
        release = (
            change
            and "edited_in_admin" in form.changed_data
            and not form.cleaned_data["edited_in_admin"]
        )
        guide_save_from_admin(
            guide=obj, portal_pages=form.cleaned_data["portal_pages"], release_to_file=release
        )

    def save_related(self, request, form, formsets, change):
        pass  # pages are saved by the service in save_model


@admin.register(GuideVote)
class GuideVoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["guide", "helpful", "short_comment", "user", "updated_at"]
    list_filter = ["helpful", "guide__language", "guide__category"]
    search_fields = ["guide__title", "comment"]
    list_select_related = ["guide", "user"]
    readonly_fields = ["guide", "user", "session_key", "helpful", "comment", "created_at"]
    read_only_allows = ("delete",)  # spam votes go

    @admin.display(description=_("Kommentar"))
    def short_comment(self, obj):
        return (obj.comment[:80] + "…") if len(obj.comment) > 80 else obj.comment
