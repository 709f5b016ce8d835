"""Order totals hold to the Rappen on SQLite too, where decimals are added as floats: seven
lines of CHF 4.00 (VAT 0.32 each) are net 28.00 + VAT 2.24 = 30.24 exactly."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.shop.models import Order
from tests.edges.test_invoice_pdf import order_with_lines


@pytest.mark.django_db
@pytest.mark.parametrize("count", [7, 14])
def test_an_order_of_many_small_lines_is_placed(customer, count):
    order = order_with_lines(customer, count)
    cents = Decimal("0.01")
    assert (order.total_net, order.total_vat, order.total_gross) == (
        Decimal(400 * count) * cents,
        Decimal(32 * count) * cents,
        Decimal(432 * count) * cents,
    )


@pytest.mark.django_db
def test_a_total_off_by_a_rappen_is_refused(customer):
    order = order_with_lines(customer, 7)
    order.total_gross += Decimal("0.01")
    with pytest.raises(ValidationError):
        order.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(total_gross=order.total_gross)
