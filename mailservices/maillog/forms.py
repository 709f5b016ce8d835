from django import forms
from django.utils.translation import gettext_lazy as _

from mailservices.maillog.models import Delivery
from mailservices.maillog.selectors import IN, OUT, PROBLEMS


class DeliveryFilterForm(forms.Form):
    """The filters above a delivery log (GET): direction, status, dates, counterpart."""

    direction = forms.ChoiceField(
        label=_("Richtung"),
        choices=[(OUT, _("Gesendet")), (IN, _("Empfangen"))],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("alle")), (PROBLEMS, _("nur Probleme"))] + list(Delivery.Status.choices),
        required=False,
    )
    date_from = forms.DateField(
        label=_("von"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("bis"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    counterpart = forms.CharField(
        label=_("Gegenstelle"),
        required=False,
        max_length=320,
        help_text=_("Empfänger (gesendet) oder Absender (empfangen), auch ein Teil davon."),
    )
    before = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Das Enddatum liegt vor dem Anfangsdatum."))
        return data

    def clean_before(self):
        from datetime import datetime

        raw = self.cleaned_data.get("before") or ""
        if not raw:
            return None
        try:
            stamp, _sep, pk = raw.rpartition("_")
            return datetime.fromisoformat(stamp), int(pk)
        except ValueError:
            return None
