"""Demo data of the shop: one delivered order, one awaiting payment, and a filled cart."""

from django.db import transaction

from portal.shop.models import Order, Product
from portal.shop.selectors import cart_summary
from portal.shop.services import (
    BillingAddress,
    cart_add_service,
    order_mark_paid,
    order_place,
    order_provision,
)

BILLING = BillingAddress(
    name="Demo Kunde AG",
    street="Seestrasse",
    house_number="21",
    postcode="8002",
    town="Zürich",
    country="CH",
)


def _order(customer, *, domain: str, plan: str) -> Order:
    cart_add_service(
        customer=customer,
        domain_name=domain,
        plan_product=Product.objects.get(plan=plan),
        register_domain=True,
    )
    return order_place(
        customer=customer,
        token=cart_summary(customer=customer).token,
        billing=BILLING,
        accept_terms=True,
    )


@transaction.atomic
def seed(*, customer, stdout):
    if Order.objects.for_customer(customer).exists():
        return
    paid = _order(customer, domain="alpenblick-demo.ch", plan="service_mail_starter")
    order_mark_paid(order=paid)
    order_provision(order_id=paid.pk)
    _order(customer, domain="bergsicht-demo.ch", plan="service_mail")
    cart_add_service(
        customer=customer,
        domain_name="seeufer-demo.ch",
        plan_product=Product.objects.get(plan="ksuite_standard"),
        register_domain=False,
    )
    stdout.write("  Shop: 2 orders (1 active, 1 awaiting payment) and 1 line in the cart.")
