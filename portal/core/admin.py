"""What every admin of the portal shares: the read-only mixin, and German names for the
third-party models staff see beside ours (no two lists with the same name).

The names are set on `_meta` at start-up, not in a migration: Django's migration state reads
`_meta.original_attrs`, so renaming here never asks for a migration of a third-party app.
"""

from django.apps import apps
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReadOnlyAdminMixin:
    """Staff look, the admin does not write: no adding, changing or deleting.

    For history, logs and rows that only services write. `read_only_allows` names what a
    model keeps ("change" for an order's actions, "delete" for a spam vote...). Works for
    `ModelAdmin` and inlines alike.
    """

    read_only_allows: tuple[str, ...] = ()

    def has_add_permission(self, request, *args):
        return "add" in self.read_only_allows and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return "change" in self.read_only_allows and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return "delete" in self.read_only_allows and super().has_delete_permission(request, obj)


# app label -> its German name; (app label, model) -> (singular, plural).
THIRD_PARTY_APP_NAMES = {
    "account": _("Anmeldung"),
    "mfa": _("Zwei-Faktor-Anmeldung"),
    "django_celery_results": _("Hintergrundaufgaben: Ergebnisse"),
    "django_celery_beat": _("Hintergrundaufgaben: Zeitplan"),
}
THIRD_PARTY_MODEL_NAMES = {
    ("account", "emailaddress"): (_("Login-E-Mail-Adresse"), _("Login-E-Mail-Adressen")),
    ("mfa", "authenticator"): (_("Zweiter Faktor"), _("Zweite Faktoren (TOTP, Codes)")),
    ("django_celery_results", "taskresult"): (_("Aufgabenergebnis"), _("Aufgabenergebnisse")),
    ("django_celery_results", "groupresult"): (_("Gruppenergebnis"), _("Gruppenergebnisse")),
    ("django_celery_beat", "periodictask"): (_("Geplante Aufgabe"), _("Geplante Aufgaben")),
    ("django_celery_beat", "clockedschedule"): (_("Fester Zeitpunkt"), _("Feste Zeitpunkte")),
    ("django_celery_beat", "crontabschedule"): (_("Crontab-Zeitplan"), _("Crontab-Zeitpläne")),
    ("django_celery_beat", "intervalschedule"): (_("Intervall"), _("Intervalle")),
    ("django_celery_beat", "solarschedule"): (_("Sonnenereignis"), _("Sonnenereignisse")),
}


def name_third_party_models() -> None:
    for label, name in THIRD_PARTY_APP_NAMES.items():
        if label in apps.app_configs:
            apps.get_app_config(label).verbose_name = name
    for (label, model_name), (singular, plural) in THIRD_PARTY_MODEL_NAMES.items():
        try:
            opts = apps.get_model(label, model_name)._meta
        except LookupError:
            continue
        opts.verbose_name, opts.verbose_name_plural = singular, plural


name_third_party_models()


def results_read_only() -> None:
    """Celery's task results are written by the workers: staff read (and clean up) them."""
    if "django_celery_results" not in apps.app_configs:
        return
    from django_celery_results.admin import GroupResultAdmin, TaskResultAdmin
    from django_celery_results.models import GroupResult, TaskResult

    for model, model_admin in ((TaskResult, TaskResultAdmin), (GroupResult, GroupResultAdmin)):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        read_only = type(model_admin.__name__, (ReadOnlyAdminMixin, model_admin), {})
        read_only.read_only_allows = ("delete",)
        admin.site.register(model, read_only)


results_read_only()


class StaffOverrideAdminMixin:
    """What the admins of staff overrides (sending limits, storage) share: the state column
    and the action that ends overrides through `override_end(override=, ended_by=)`."""

    override_end = None  # the app's service, e.g. staticmethod(storage_override_end)

    @admin.display(description=_("Status"))
    def state(self, obj):
        now = timezone.now()
        if obj.ended_at:
            return _("beendet")
        if obj.ends_at and obj.ends_at <= now:
            return _("abgelaufen")
        if obj.starts_at > now:
            return _("geplant")
        return _("aktiv")

    @admin.action(description=_("Ausgewählte Anpassungen jetzt beenden"))
    def end_overrides(self, request, queryset):
        for override in queryset:
            try:
                self.override_end(override=override, ended_by=request.user)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
                return
        self.message_user(request, _("Die Anpassungen sind beendet."), messages.SUCCESS)
