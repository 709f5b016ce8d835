"""Forms of the app-password page. They validate input; the services write."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from mailservices.passwords import MIN_LENGTH

PROTOCOL_CHOICES = [
    ("imap", _("E-Mail abrufen (IMAP)")),
    ("smtp", _("E-Mail senden (SMTP)")),
    ("dav", _("Kontakte und Kalender (CalDAV/CardDAV)")),
]

KIND_CHOICES = [
    ("generate", _("Sicheres Passwort erzeugen (empfohlen)")),
    ("typed", _("Eigenes Passwort eingeben")),
]


class AppPasswordCreateForm(forms.Form):
    conditional_fields = ("password1", "password2")

    name = forms.CharField(
        label=_("Name des Geräts oder Programms"),
        max_length=60,
        help_text=_(
            "Damit Sie es später wiedererkennen, z. B. „iPhone Anna“ oder „Thunderbird Büro“."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    protocols = forms.MultipleChoiceField(
        label=_("Erlaubt für"),
        choices=PROTOCOL_CHOICES,
        initial=["imap", "smtp", "dav"],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Wählen Sie mindestens ein Protokoll.")},
    )
    kind = forms.ChoiceField(
        label=_("Passwort"), choices=KIND_CHOICES, initial="generate", widget=forms.RadioSelect
    )
    password1 = forms.CharField(
        label=_("Eigenes App-Passwort"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=format_lazy(
            _("Nur wenn Sie ein eigenes Passwort eingeben: mindestens {min} Zeichen."),
            min=MIN_LENGTH,
        ),
    )
    password2 = forms.CharField(
        label=_("Eigenes App-Passwort wiederholen"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == "typed":
            first, second = cleaned.get("password1"), cleaned.get("password2")
            if not first:
                self.add_error("password1", _("Bitte geben Sie das Passwort ein."))
            elif first != second:
                self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        else:
            cleaned["password1"] = ""
        return cleaned


class AppPasswordsOnlyForm(forms.Form):
    enabled = forms.BooleanField(required=False)
