"""Swiss formats per language: Django format modules (dates, times) and money.

`FORMAT_MODULE_PATH = ["portal.formats"]` makes Django read `portal/formats/<lang>/formats.py`:
dates 06.12.2026 (de, fr, it) or 06/12/2026 / 6 December 2026 (en, never month first), 24-hour
times. Amounts: CHF 1'234.50 (de, it, en) and 1 234,50 CHF (fr), from `format_amount` /
`format_money` here (the `chf` and `money` template filters and the PDF invoice use them).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation

# French Swiss style: narrow no-break space between thousands, comma before the cents.
_SEPARATORS = {"fr": ("\u202f", ",")}
_DEFAULT_SEPARATORS = ("'", ".")


def _language(language: str | None) -> str:
    return (language or translation.get_language() or "de")[:2]


def format_amount(amount, language: str | None = None) -> str:
    """1234.5 -> "1'234.50" (de, it, en) or "1 234,50" (fr), without the currency."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    thousands, decimal = _SEPARATORS.get(_language(language), _DEFAULT_SEPARATORS)
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    sign = "-" if value < 0 else ""
    return f"{sign}{thousands.join(groups)}{decimal}{cents}"


def format_money(amount, language: str | None = None) -> str:
    """The amount with its currency where the language puts it: CHF 1'234.50 / 1 234,50 CHF."""
    if amount is None or amount == "":
        return ""
    number = format_amount(amount, language)
    if _language(language) == "fr":
        return f"{number} CHF"
    return f"CHF {number}"


def format_rate(value, language: str | None = None) -> str:
    """A VAT rate: 8.10 -> "8.1" (fr: "8,1")."""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",") if _language(language) == "fr" else text
