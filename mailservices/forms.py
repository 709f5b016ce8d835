"""Forms of the mail-service pages. They validate input; the services do the writing."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mailservices.mailstack.sieve import JUNK_MAILBOX
from mailservices.models import CATCHALL_LOCAL_PART, Address, MailService, Responder
from mailservices.passwords import MIN_LENGTH, validate_mail_password
from mailservices.validators import validate_local_part
from portal.core.forms import add_service_error  # noqa: F401 - provisioning's views import it here

PASSWORD_HELP = format_lazy(
    _(
        "Mindestens {min} Zeichen; am sichersten ist ein langer Satz aus mehreren Wörtern. "
        "Das Mail-Passwort ist nicht Ihr Portal-Passwort."
    ),
    min=MIN_LENGTH,
)


def _password_field(label, *, required=True, help_text="", meter=False):
    attrs = {"autocomplete": "new-password"}
    if meter:
        attrs["data-strength-meter"] = "password-strength"
    return forms.CharField(
        label=label,
        required=required,
        strip=False,
        widget=forms.PasswordInput(attrs=attrs),
        help_text=help_text,
    )


class _PasswordPairMixin:
    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and first != second:
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        return cleaned


class _NewAddressForm(_PasswordPairMixin, forms.Form):
    # Required depending on the kind; the page must not call them optional.
    conditional_fields = ("password1", "password2", "destination")

    kind = forms.ChoiceField(
        label=_("Art"),
        choices=Address.Kind.choices,
        initial=Address.Kind.MAILBOX,
        widget=forms.RadioSelect,
        help_text=_(
            "Ein Postfach speichert Nachrichten; eine Weiterleitung leitet sie nur an andere "
            "Adressen weiter."
        ),
    )
    password1 = _password_field(
        _("Mail-Passwort"), required=False, help_text=PASSWORD_HELP, meter=True
    )
    password2 = _password_field(_("Mail-Passwort wiederholen"), required=False)
    destination = forms.EmailField(
        label=_("Weiterleiten an"),
        required=False,
        help_text=_("Nur für Weiterleitungen: die Adresse, an die Nachrichten gehen."),
    )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        password = cleaned.get("password1")
        if kind == Address.Kind.MAILBOX and not password:
            self.add_error("password1", _("Ein Postfach braucht ein Mail-Passwort."))
        elif kind == Address.Kind.MAILBOX and "password1" not in self.errors:
            try:
                validate_mail_password(password, address=cleaned.get("local_part", ""))
            except ValidationError as exc:
                self.add_error("password1", exc)
        missing = not cleaned.get("destination") and "destination" not in self.errors
        if kind == Address.Kind.REDIRECT and missing:
            self.add_error("destination", _("Bitte geben Sie die Zieladresse ein."))
        self._keep_valid_passwords()
        return cleaned

    def _keep_valid_passwords(self):
        """A form sent back for another reason (a forgotten checkbox, a taken name) keeps the
        mail password typed twice, if it was valid: the person does not type it again."""
        names = ("password1", "password2")
        if any(name in self.errors for name in names) or not self.cleaned_data.get("password1"):
            return
        for name in names:
            self.fields[name].widget.render_value = True


class AddressCreateForm(_NewAddressForm):
    local_part = forms.CharField(
        label=_("Adresse (vor dem @)"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        label=_("Anzeigename"),
        max_length=120,
        required=False,
        help_text=_("Erscheint als Absendername, z. B. „Anna Muster“."),
    )
    field_order = ["local_part", "display_name", "kind", "password1", "password2", "destination"]

    def clean_local_part(self):
        """Early feedback; the service checks the same rules again when it writes."""
        value = self.cleaned_data["local_part"].strip().lower()
        if value == CATCHALL_LOCAL_PART:
            raise ValidationError(
                _(
                    "Der Name „catchall“ ist für die Catchall-Adresse reserviert. Erstellen Sie "
                    "sie über „Generische E-Mail-Adresse erstellen“ › „Catchall“."
                ),
                code="catchall_reserved",
            )
        validate_local_part(value)
        return value


class CatchallCreateForm(_NewAddressForm):
    confirm = forms.BooleanField(
        label=_(
            "Ich habe die Hinweise gelesen und möchte trotzdem eine Catchall-Adresse erstellen."
        ),
        required=True,
        error_messages={
            "required": _("Bitte bestätigen Sie, dass Sie die Hinweise gelesen haben.")
        },
    )
    field_order = ["kind", "password1", "password2", "destination", "confirm"]


class AddressEditForm(forms.Form):
    display_name = forms.CharField(label=_("Anzeigename"), max_length=120, required=False)
    enabled = forms.BooleanField(
        label=_("Adresse aktiv"),
        required=False,
        help_text=_(
            "Eine deaktivierte Adresse weist Nachrichten ab und erlaubt keine Anmeldung; "
            "das Postfach bleibt erhalten."
        ),
    )


class PasswordSetForm(_PasswordPairMixin, forms.Form):
    password1 = _password_field(_("Neues Mail-Passwort"), help_text=PASSWORD_HELP, meter=True)
    password2 = _password_field(_("Neues Mail-Passwort wiederholen"))


class PasswordTestForm(forms.Form):
    password = forms.CharField(
        label=_("Mail-Passwort zum Testen"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Geben Sie das Passwort so ein, wie Sie es im Mailprogramm eintragen."),
    )


class AliasForm(forms.Form):
    local_part = forms.CharField(
        label=_("Neuer Alias (vor dem @)"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )


class ForwardForm(forms.Form):
    destination = forms.EmailField(label=_("Neue Weiterleitung an"), max_length=254)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ResponderForm(forms.Form):
    enabled = forms.BooleanField(label=_("Abwesenheitsnotiz aktiv"), required=False, initial=True)
    subject = forms.CharField(label=_("Betreff"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=10000, widget=forms.Textarea)
    starts_at = forms.DateTimeField(
        label=_("Ab"),
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
    )
    ends_at = forms.DateTimeField(
        label=_("Bis"),
        required=False,
        widget=DateTimeLocalInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        help_text=_("Leer lassen, wenn die Notiz bis auf Weiteres gilt."),
    )
    interval_days = forms.IntegerField(
        label=_("Höchstens eine Antwort pro Absender alle … Tage"),
        min_value=1,
        max_value=30,
        initial=7,
    )

    @classmethod
    def initial_for(cls, responder: Responder | None) -> dict:
        if responder is None:
            now = timezone.localtime().replace(second=0, microsecond=0)
            return {"enabled": True, "starts_at": now, "interval_days": 7}
        return {
            "enabled": responder.enabled,
            "subject": responder.subject,
            "body": responder.body,
            "starts_at": timezone.localtime(responder.starts_at),
            "ends_at": responder.ends_at and timezone.localtime(responder.ends_at),
            "interval_days": responder.interval_days,
        }

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Das Ende muss nach dem Beginn liegen."))
        return cleaned


class ServiceSettingsForm(forms.Form):
    spam_filter_enabled = forms.BooleanField(
        label=MailService._meta.get_field("spam_filter_enabled").verbose_name,
        required=False,
        help_text=format_lazy(
            _(
                "Erkannte Spam-Nachrichten landen im Ordner „{folder}“ statt im Posteingang "
                "(manche Mailprogramme zeigen ihn als „Spam“ oder „Werbung“ an)."
            ),
            folder=JUNK_MAILBOX,
        ),
    )
    external_warning_enabled = forms.BooleanField(
        label=MailService._meta.get_field("external_warning_enabled").verbose_name,
        required=False,
        help_text=MailService._meta.get_field("external_warning_enabled").help_text,
    )
    field_order = ["spam_filter_enabled", "confirm_without_spam_filter", "external_warning_enabled"]

    def __init__(self, *args, service: MailService, catchall: Address | None = None, **kwargs):
        """With a catch-all, switching the spam filter off needs a second, informed tick."""
        super().__init__(*args, **kwargs)
        self.service, self.catchall = service, catchall
        if catchall is not None and service.spam_filter_enabled:
            self.fields["confirm_without_spam_filter"] = forms.BooleanField(
                label=_("Ja, Spamfilter trotz Catchall-Adresse ausschalten."),
                required=False,
            )
            self.order_fields(self.field_order)

    def clean(self):
        cleaned = super().clean()
        switching_off = self.service.spam_filter_enabled and not cleaned.get("spam_filter_enabled")
        confirmed = cleaned.get("confirm_without_spam_filter")
        if self.catchall is not None and switching_off and not confirmed:
            self.add_error(
                "confirm_without_spam_filter",
                _(
                    "Ohne Spamfilter landet der Spam an %(address)s im Posteingang. Bestätigen "
                    "Sie, wenn Sie ihn trotzdem ausschalten möchten."
                )
                % {"address": self.catchall},
            )
        cleaned.pop("confirm_without_spam_filter", None)
        return cleaned


class DeleteConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Ich habe gelesen, was mit den Nachrichten geschieht, und möchte die Adresse löschen."
        ),
        required=True,
        error_messages={"required": _("Bitte bestätigen Sie das Löschen.")},
    )
