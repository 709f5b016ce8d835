"""Swiss formats per language: dates 06.12.2026 (en: 06/12/2026, never month first), 24-hour
times, amounts CHF 1'234.50 (de, it, en) and 1 234,50 CHF (fr)."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from portal.formats import format_amount, format_money, format_rate

DAY = datetime.date(2026, 12, 6)
MOMENT = datetime.datetime(2026, 12, 6, 14, 5)
NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("language", "short_date", "short_datetime"),
    [
        ("de", "06.12.2026", "06.12.2026 14:05"),
        ("fr", "06.12.2026", "06.12.2026 14:05"),
        ("it", "06.12.2026", "06.12.2026 14:05"),
        ("en", "06/12/2026", "06/12/2026 14:05"),
    ],
)
def test_dates_are_day_first_and_times_24_hours(language, short_date, short_datetime):
    with translation.override(language):
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short_date
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == short_datetime
        assert formats.time_format(datetime.time(21, 30), "TIME_FORMAT") == "21:30"
        long = formats.date_format(DAY, "DATE_FORMAT")
    assert long == ("6 December 2026" if language == "en" else "06.12.2026")


def test_english_dates_never_put_the_month_first():
    with translation.override("en"):
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT"):
            text = formats.date_format(datetime.datetime(2027, 1, 5, 9, 0), name)
            assert not text.startswith(("01", "1/", "January")), text


@pytest.mark.parametrize(
    ("language", "money", "amount"),
    [
        ("de", "CHF 1'234.50", "1'234.50"),
        ("it", "CHF 1'234.50", "1'234.50"),
        ("en", "CHF 1'234.50", "1'234.50"),
        ("fr", f"1{NNBSP}234,50 CHF", f"1{NNBSP}234,50"),
    ],
)
def test_amounts_in_swiss_notation(language, money, amount):
    with translation.override(language):
        assert format_money(Decimal("1234.5")) == money
        assert format_amount(Decimal("1234.5")) == amount
        rendered = Template(
            "{% load shop %}{% autoescape off %}{{ x|money }}|{{ x|chf }}{% endautoescape %}"
        ).render(Context({"x": Decimal("1234.50")}))
    assert rendered == f"{money}|{amount}"


def test_amount_edge_cases():
    assert format_amount(Decimal("0")) == "0.00"
    assert format_amount(Decimal("-1234567.891"), "de") == "-1'234'567.89"
    assert format_amount(Decimal("999.995"), "fr") == f"1{NNBSP}000,00"
    assert format_amount(None) == "" and format_money("") == ""
    assert format_rate(Decimal("8.10"), "de") == "8.1"
    assert format_rate(Decimal("8.10"), "fr") == "8,1"
