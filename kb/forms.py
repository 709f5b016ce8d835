from django import forms
from django.utils.translation import gettext_lazy as _

from kb.search import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Wissensdatenbank durchsuchen"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("z. B. Outlook einrichten, Passwort vergessen, 554 5.7.0"),
                "autocomplete": "off",
            }
        ),
    )


class VoteForm(forms.Form):
    helpful = forms.TypedChoiceField(
        label=_("War diese Anleitung hilfreich?"),
        choices=[("yes", _("Ja")), ("no", _("Nein"))],
        coerce=lambda value: value == "yes",
        error_messages={"required": _("Bitte wählen Sie «Ja» oder «Nein».")},
    )
    comment = forms.CharField(
        label=_("Kommentar (freiwillig)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Was hat gefehlt oder war unklar? Bitte keine Passwörter angeben."),
    )
