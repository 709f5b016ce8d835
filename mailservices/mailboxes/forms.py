"""Forms of the mail import: the old provider's server and login."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mailservices.mailboxes.imap.connection import plaintext_allowed
from mailservices.mailboxes.models import MailImport


class ImportSourceForm(forms.Form):
    host = forms.CharField(
        label=_("IMAP-Server des bisherigen Anbieters"),
        max_length=253,
        help_text=_("z. B. imap.example.com – steht in den Einstellungen Ihres Mailprogramms."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    port = forms.IntegerField(label=_("Port"), min_value=1, max_value=65535, initial=993)
    security = forms.ChoiceField(
        label=_("Verschlüsselung"),
        choices=MailImport.Security.choices,
        initial=MailImport.Security.SSL,
        widget=forms.RadioSelect,
    )
    login = forms.CharField(
        label=_("Benutzername beim bisherigen Anbieter"),
        max_length=320,
        help_text=_("Meist die vollständige E-Mail-Adresse."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Passwort beim bisherigen Anbieter"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Wird nur verschlüsselt und nur für Vorschau und Import aufbewahrt, danach gelöscht."
        ),
    )

    def clean_host(self):
        host = self.cleaned_data["host"].strip().lower().rstrip(".")
        if not host or " " in host or "/" in host:
            raise ValidationError(_("Bitte geben Sie einen Servernamen wie imap.example.com ein."))
        return host

    def clean(self):
        data = super().clean()
        if (
            data.get("security") == "none"
            and data.get("host")
            and not plaintext_allowed(data["host"])
        ):
            self.add_error(
                "security",
                _(
                    "Ohne Verschlüsselung geht es nur zu 127.0.0.1; "
                    "wählen Sie SSL/TLS oder STARTTLS."
                ),
            )
        return data
