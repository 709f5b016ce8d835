"""Writes of the shop, split by sub-domain: cart, orders (with provisioning), invoices."""

from portal.shop.services.cart import (
    cart_add_addresses,
    cart_add_service,
    cart_change_plan,
    cart_line_remove,
    cart_line_update,
)
from portal.shop.services.invoices import invoice_create
from portal.shop.services.orders import (
    BillingAddress,
    CartChanged,
    order_cancel,
    order_mark_paid,
    order_place,
    order_provision,
    order_retry_provisioning,
)

__all__ = [
    "BillingAddress",
    "CartChanged",
    "cart_add_addresses",
    "cart_add_service",
    "cart_change_plan",
    "cart_line_remove",
    "cart_line_update",
    "invoice_create",
    "order_cancel",
    "order_mark_paid",
    "order_place",
    "order_provision",
    "order_retry_provisioning",
]
