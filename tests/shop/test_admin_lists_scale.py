"""The admin lists staff search most stay at a fixed number of queries however many rows a
page shows (issue 17, item 8: orders, customers, addresses)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_order_list_queries_do_not_grow_with_orders(staff_client, make_customer, place_order):
    url = "/admin/shop/order/"
    place_order(make_customer(), "eins.ch")
    few = _queries(staff_client, url)
    for i in range(8):
        place_order(make_customer(), f"weitere{i}.ch")
    assert _queries(staff_client, url) == few
    assert _queries(staff_client, url + "?q=B0000001") <= few


@pytest.mark.django_db
def test_customer_and_address_lists_do_not_grow(staff_client, make_customer, make_service,
                                                 make_address):  # fmt: skip
    counts = []
    for n in (1, 6):
        for _ in range(n):
            customer = make_customer()
            make_address(make_service(customer=customer), "anna")
        counts.append(
            (
                _queries(staff_client, "/admin/accounts/customer/"),
                _queries(staff_client, "/admin/mailservices/address/"),
            )
        )
    assert counts[0] == counts[1]
