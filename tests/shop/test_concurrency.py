"""Two requests placing the same cart at the same moment make one order (two tabs, double
click). Real threads with their own database connections; PostgreSQL locks the cart row."""

import threading

import pytest
from django.db import close_old_connections, connection

from portal.shop.models import Invoice, Order, Product
from portal.shop.selectors import cart_summary
from portal.shop.services import cart_add_service, order_place
from tests.shop.conftest import BILLING


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_placements_make_one_order(customer):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the unique idempotency key covers it there")
    cart_add_service(
        customer=customer,
        domain_name="gleichzeitig.ch",
        plan_product=Product.objects.get(code="service-mail"),
        register_domain=True,
    )
    token = cart_summary(customer=customer).token
    start = threading.Barrier(4)
    results, errors = [], []

    def place():
        try:
            start.wait()
            order = order_place(customer=customer, token=token, billing=BILLING, accept_terms=True)
            results.append(order.pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=place) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert len(set(results)) == 1 and len(results) == 4
    assert Order.objects.count() == 1 and Invoice.objects.count() == 1
