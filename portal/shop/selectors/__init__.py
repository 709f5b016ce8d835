"""Reads of the shop, split by sub-domain: catalogue, cart, orders and invoices."""

from portal.shop.selectors.cart import (
    OPEN_ORDER_STATES,
    CartSummary,
    PricedLine,
    cart_count,
    cart_lines,
    cart_summary,
    domain_availability,
    is_own_domain,
    line_label,
    line_problems,
    price_lines,
    unicode_domain,
)
from portal.shop.selectors.catalogue import catalogue, domain_product
from portal.shop.selectors.orders import (
    invoice_queryset,
    last_billing_address,
    order_detail_queryset,
    order_line_label,
    order_list,
)

__all__ = [
    "OPEN_ORDER_STATES",
    "CartSummary",
    "PricedLine",
    "cart_count",
    "cart_lines",
    "cart_summary",
    "catalogue",
    "domain_availability",
    "domain_product",
    "invoice_queryset",
    "is_own_domain",
    "last_billing_address",
    "line_label",
    "line_problems",
    "order_detail_queryset",
    "order_line_label",
    "order_list",
    "price_lines",
    "unicode_domain",
]
