"""Forms of the shop. They check input; the services check the rules and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mailservices.validators import to_a_label
from portal.shop.app_settings import app_settings
from portal.shop.services.cart import MAX_PACKS_PER_LINE

COUNTRIES = [
    ("CH", _("Schweiz")),
    ("LI", _("Liechtenstein")),
    ("DE", _("Deutschland")),
    ("AT", _("Österreich")),
    ("FR", _("Frankreich")),
    ("IT", _("Italien")),
]


class ProductChoiceField(forms.ModelChoiceField):
    """Radio choices of catalogue products with their current price."""

    widget = forms.RadioSelect

    def label_from_instance(self, obj):
        return obj.display_name


class ServiceForm(forms.Form):
    DOMAIN_REGISTER = "register"
    DOMAIN_EXISTING = "existing"

    domain = forms.CharField(
        label=_("Domain"),
        max_length=253,
        help_text=_("Zum Beispiel beispiel.ch oder bücher.ch"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    domain_option = forms.ChoiceField(
        label=_("Domain"),
        choices=[
            (DOMAIN_REGISTER, _("Neu bei uns registrieren")),
            (DOMAIN_EXISTING, _("Ich besitze die Domain schon (anderer Registrar oder im Portal)")),
        ],
        initial=DOMAIN_REGISTER,
        widget=forms.RadioSelect,
    )
    plan = ProductChoiceField(label=_("Angebot"), queryset=None, empty_label=None)

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans

    def clean_domain(self):
        return to_a_label(self.cleaned_data["domain"])


class AddressesForm(forms.Form):
    pack = ProductChoiceField(label=_("Paket"), queryset=None, empty_label=None)
    quantity = forms.IntegerField(
        label=_("Anzahl Pakete"), min_value=1, max_value=MAX_PACKS_PER_LINE, initial=1
    )

    def __init__(self, *args, packs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pack"].queryset = packs


class PlanChangeForm(forms.Form):
    plan = ProductChoiceField(label=_("Neues Angebot"), queryset=None, empty_label=None)

    def __init__(self, *args, plans, current_plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans.exclude(plan=current_plan)


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Anzahl Pakete"), min_value=1, max_value=MAX_PACKS_PER_LINE
    )


class CheckoutForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    expected_gross = forms.DecimalField(widget=forms.HiddenInput, max_digits=10, decimal_places=2)
    name = forms.CharField(label=_("Name oder Firma"), max_length=70)
    street = forms.CharField(label=_("Strasse"), max_length=70)
    house_number = forms.CharField(label=_("Hausnummer"), max_length=16, required=False)
    postcode = forms.CharField(label=_("PLZ"), max_length=16)
    town = forms.CharField(label=_("Ort"), max_length=35)
    country = forms.ChoiceField(label=_("Land"), choices=COUNTRIES, initial="CH")
    accept_terms = forms.BooleanField(
        label=_("Ich akzeptiere die Allgemeinen Geschäftsbedingungen."),
        error_messages={"required": _("Bitte akzeptieren Sie die AGB.")},
    )

    @property
    def terms_url(self) -> str:
        """Where the terms can be read (the template links them in the checkbox's label)."""
        return app_settings.TERMS_URL

    def clean_postcode(self):
        postcode = self.cleaned_data["postcode"].strip()
        if self.data.get("country", "CH") in ("CH", "LI") and not (
            postcode.isdigit() and len(postcode) == 4
        ):
            raise ValidationError(_("Eine Schweizer Postleitzahl hat vier Ziffern."))
        return postcode
