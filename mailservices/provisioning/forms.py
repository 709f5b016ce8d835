"""Forms of the DNS editor: what the customer types; the services validate per type."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mailservices.hosteddns.records import TTL_MAX, TTL_MIN, TYPES


class ZoneRecordForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=253,
        required=False,
        help_text=_("„@“ oder leer für die Domain selbst, sonst z. B. www oder _dmarc."),
    )
    type = forms.ChoiceField(label=_("Typ"), choices=[(t, t) for t in TYPES])
    ttl = forms.IntegerField(
        label=_("TTL (Sekunden)"), initial=3600, min_value=TTL_MIN, max_value=TTL_MAX
    )
    value = forms.CharField(
        label=_("Wert"),
        max_length=4100,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_(
            "z. B. 192.0.2.10 (A), 10 mx.example.ch (MX), Text ohne Anführungszeichen (TXT), "
            "0 1 993 mail.example.ch (SRV), 0 issue „letsencrypt.org“ (CAA)."
        ),
    )
    confirm = forms.BooleanField(
        label=_("Ich weiss, was ich tue: dieser Eintrag gehört zum E-Mail-Dienst."),
        required=False,
    )


class ManagedConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ich weiss, was ich tue: dieser Eintrag gehört zum E-Mail-Dienst."),
        required=False,
    )
