"""Staff in the admin: mark paid (starts provisioning), cancel, retry, prices as new rows."""

import re
from decimal import Decimal

import pytest

from mailservices.models import MailService
from portal.shop.models import Order, Price, Product

pytestmark = pytest.mark.django_db


def test_mark_paid_action_provisions_the_order(
    staff_client, staff_user, customer, place_order, django_capture_on_commit_callbacks
):
    order = place_order(customer, "admin-bezahlt.ch")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/shop/order/",
            {"action": "mark_paid", "_selected_action": [order.pk]},
            follow=True,
        )
    assert "als bezahlt markiert" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.ACTIVE and order.marked_paid_by == staff_user
    assert MailService.objects.filter(domain__name="admin-bezahlt.ch").exists()

    # Paying twice is refused with a message, not an error page.
    response = staff_client.post(
        "/admin/shop/order/", {"action": "mark_paid", "_selected_action": [order.pk]}, follow=True
    )
    assert "Nur Bestellungen mit ausstehender Zahlung" in response.content.decode()


def test_order_pages_and_invoice_pdf_for_staff(staff_client, customer, place_order):
    order = place_order(customer, "admin-ansicht.ch")
    assert staff_client.get("/admin/shop/order/").status_code == 200
    page = staff_client.get(f"/admin/shop/order/{order.pk}/change/").content.decode()
    assert order.invoice.number in page and "admin-ansicht.ch" in page
    pdf = staff_client.get(f"/admin/shop/invoice/{order.invoice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_cancel_action(staff_client, customer, place_order):
    order = place_order(customer, "admin-storno.ch")
    staff_client.post("/admin/shop/order/", {"action": "cancel", "_selected_action": [order.pk]})
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED


def test_a_new_price_is_a_new_row(staff_client):
    product = Product.objects.get(code="service-mail")
    before = list(Price.objects.filter(product=product).values_list("pk", "amount"))
    page = staff_client.get(f"/admin/shop/product/{product.pk}/change/").content.decode()
    assert "54.00" in page
    data = {
        "name": product.name,
        "description": "",
        "billing_period": product.billing_period,
        "vat_rate": "8.10",
        "is_active": "on",
        "sort_order": product.sort_order,
        "prices-TOTAL_FORMS": "0",
        "prices-INITIAL_FORMS": "0",
        "prices-2-TOTAL_FORMS": "1",
        "prices-2-INITIAL_FORMS": "0",
        "prices-2-0-amount": "57.50",
        "prices-2-0-valid_from_0": "2027-01-01",
        "prices-2-0-valid_from_1": "00:00:00",
    }
    # The two inlines share the model; find their real prefixes in the page.
    prefixes = re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page)
    assert len(prefixes) == 2
    data = {
        k.replace("prices-2-", f"{prefixes[1]}-").replace("prices-", f"{prefixes[0]}-"): v
        for k, v in data.items()
    }
    response = staff_client.post(f"/admin/shop/product/{product.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    rows = list(Price.objects.filter(product=product).values_list("pk", "amount"))
    assert set(before) < set(rows)
    assert Decimal("57.50") in {amount for _pk, amount in rows}


def test_orders_with_a_provisioning_error_can_be_listed(staff_client, customer, place_order):
    broken = place_order(customer, "kaputt.ch")
    Order.objects.filter(pk=broken.pk).update(
        status=Order.Status.PROVISIONING, provisioning_error="Die Domain ist vergeben."
    )
    place_order(customer, "heil.ch")
    page = staff_client.get("/admin/shop/order/?error=yes").content.decode()
    assert broken.number in page and "1 Bestellung" in page
