"""Reads of orders and invoices, always through the customer."""

from django.db.models import Count, Prefetch, QuerySet

from portal.accounts.models import Customer
from portal.shop.models import Invoice, Order, OrderLine
from portal.shop.selectors.cart import line_label, unicode_domain


def order_list(*, customer: Customer) -> QuerySet[Order]:
    return (
        Order.objects.for_customer(customer)
        .select_related("invoice")
        .annotate(line_count=Count("lines"))
        .order_by("-created_at", "-id")
    )


def order_detail_queryset(*, customer: Customer) -> QuerySet[Order]:
    return (
        Order.objects.for_customer(customer)
        .select_related("invoice")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("position")),
        )
    )


def invoice_queryset(*, customer: Customer) -> QuerySet[Invoice]:
    return Invoice.objects.for_customer(customer).select_related("order")


def order_line_label(line: OrderLine) -> str:
    domain = unicode_domain(line.domain_name) if line.domain_name else ""
    return line_label(
        kind=line.kind, product_name=line.description, domain=domain, count=line.address_count
    )


def last_billing_address(*, customer: Customer) -> dict:
    """The billing address of the customer's latest order, to fill in the checkout form."""
    order = Order.objects.for_customer(customer).order_by("-created_at", "-id").first()
    if order is None:
        return {"name": customer.name}
    return {
        "name": order.billing_name,
        "street": order.billing_street,
        "house_number": order.billing_house_number,
        "postcode": order.billing_postcode,
        "town": order.billing_town,
        "country": order.billing_country,
    }
