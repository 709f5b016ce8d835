"""Money arithmetic: VAT per line rounded half-up to the Rappen, totals as plain sums."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.shop.pricing import chf, line_amounts, totals

RATE = Decimal("8.10")


def test_vat_is_rounded_half_up_per_line():
    # 18.00 * 8.1 % = 1.458 -> 1.46
    line = line_amounts(unit_price=Decimal("18.00"), quantity=1, vat_rate=RATE)
    assert (line.net, line.vat, line.gross) == (Decimal("18.00"), Decimal("1.46"), Decimal("19.46"))
    # 4.00 * 5 = 20.00, 8.1 % = 1.62 exactly
    line = line_amounts(unit_price=Decimal("4.00"), quantity=5, vat_rate=RATE)
    assert (line.net, line.vat) == (Decimal("20.00"), Decimal("1.62"))
    # 0.50 * 8.1 % = 0.0405 -> 0.04 ; 1.50 -> 0.1215 -> 0.12 ; 6.79 -> 0.54999 -> 0.55
    assert line_amounts(unit_price=Decimal("0.50"), quantity=1, vat_rate=RATE).vat == Decimal(
        "0.04"
    )
    assert line_amounts(unit_price=Decimal("6.79"), quantity=1, vat_rate=RATE).vat == Decimal(
        "0.55"
    )


def test_totals_sum_the_rounded_lines_and_group_by_rate():
    lines = [
        line_amounts(unit_price=Decimal("18.00"), quantity=1, vat_rate=RATE),
        line_amounts(unit_price=Decimal("15.00"), quantity=1, vat_rate=RATE),
        line_amounts(unit_price=Decimal("10.00"), quantity=1, vat_rate=Decimal("2.60")),
    ]
    result = totals(lines)
    assert result.net == Decimal("43.00")
    assert result.vat == Decimal("1.46") + Decimal("1.22") + Decimal("0.26")
    assert result.gross == result.net + result.vat
    assert [(g.rate, g.net, g.vat) for g in result.by_rate] == [
        (Decimal("2.60"), Decimal("10.00"), Decimal("0.26")),
        (RATE, Decimal("33.00"), Decimal("2.68")),
    ]


@pytest.mark.parametrize("quantity", [0, -1])
def test_no_zero_or_negative_quantities(quantity):
    with pytest.raises(ValueError):
        line_amounts(unit_price=Decimal("1.00"), quantity=quantity, vat_rate=RATE)


@settings(max_examples=60, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=10_000_000),
    quantity=st.integers(min_value=1, max_value=50),
)
def test_gross_is_always_net_plus_vat_to_the_rappen(cents, quantity):
    line = line_amounts(unit_price=Decimal(cents) / 100, quantity=quantity, vat_rate=RATE)
    assert line.gross == line.net + line.vat
    assert line.vat.as_tuple().exponent == -2
    assert abs(line.vat - line.net * RATE / 100) <= Decimal("0.005")


def test_swiss_number_format():
    assert chf(Decimal("1234567.5")) == "1'234'567.50"
    assert chf(Decimal("0")) == "0.00"
    assert chf(Decimal("999.99")) == "999.99"
