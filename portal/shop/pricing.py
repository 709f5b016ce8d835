"""Money arithmetic of the shop: pure functions on Decimals, no database.

Rounding rule (see README, "Shop"): a line's net amount is unit price × quantity (prices are
whole Rappen, so it is exact); its VAT is net × rate, rounded half-up to the Rappen (0.01 CHF),
per line. Totals are the plain sums of the lines, so net + VAT = gross holds on every line and
on the order. Invoices are paid by bank transfer with the QR-bill, not in cash, so the
5-Rappen cash rounding is not applied.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def chf(amount: Decimal) -> str:
    """Swiss notation: 1'234.50."""
    whole, cents = f"{amount:.2f}".split(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{''.join(g + chr(39) for g in groups[:-1])}{groups[-1]}.{cents}"


@dataclass(frozen=True)
class LineAmounts:
    unit_price: Decimal
    quantity: int
    net: Decimal
    vat_rate: Decimal
    vat: Decimal
    gross: Decimal


def line_amounts(*, unit_price: Decimal, quantity: int, vat_rate: Decimal) -> LineAmounts:
    """Net, VAT (rounded per line) and gross of `quantity` × `unit_price`."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    if unit_price < 0:
        raise ValueError("unit_price must not be negative")
    net = to_cents(unit_price * quantity)
    vat = to_cents(net * vat_rate / 100)
    return LineAmounts(unit_price, quantity, net, vat_rate, vat, net + vat)


@dataclass(frozen=True)
class VatGroup:
    rate: Decimal
    net: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    by_rate: tuple[VatGroup, ...]


def totals(lines: list[LineAmounts]) -> Totals:
    """Sums of the lines, with the VAT grouped by rate (as an invoice shows it)."""
    groups: dict[Decimal, list[Decimal]] = {}
    for line in lines:
        net_vat = groups.setdefault(line.vat_rate, [ZERO, ZERO])
        net_vat[0] += line.net
        net_vat[1] += line.vat
    net = sum((line.net for line in lines), ZERO)
    vat = sum((line.vat for line in lines), ZERO)
    by_rate = tuple(VatGroup(rate, n, v) for rate, (n, v) in sorted(groups.items()))
    return Totals(net=net, vat=vat, gross=net + vat, by_rate=by_rate)
