"""Shop figures: invoice PDF rendering, cart pricing as the cart grows, order placement.

Runs against a throw-away SQLite database (migrated here) with the test settings, so it needs
no server. Prints
  1. milliseconds per invoice PDF (2 and 20 lines) against the QR-bill payment part alone
     (qrbill's SVG through svglib), the baseline measured in the same process;
  2. queries and milliseconds to price a cart of 1 and of 20 lines (the ratio shows that the
     work grows with the lines but the number of queries does not);
  3. orders placed per second (cart filled, then order_place with invoice number and lines).
Run: .venv/bin/python bench/shop.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
_tmp = tempfile.TemporaryDirectory()
os.environ["DATABASE_URL"] = f"sqlite:///{_tmp.name}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from mailservices.services import domain_create, mailservice_create  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.services import customer_create  # noqa: E402
from portal.shop.invoice_pdf import _payment_part, qr_bill, render_invoice_pdf  # noqa: E402
from portal.shop.models import Product  # noqa: E402
from portal.shop.selectors import cart_summary  # noqa: E402
from portal.shop.services import (  # noqa: E402
    BillingAddress,
    cart_add_addresses,
    cart_add_service,
    order_place,
)

BILLING = BillingAddress("Bench AG", "Seeweg", "3", "6003", "Luzern", "CH")


def timed(fn, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        fn()
    return (time.perf_counter() - start) / rounds * 1000


def fill_addresses(customer, prefix: str, lines: int) -> None:
    pack = Product.objects.get(code="addresses-1")
    for index in range(lines):
        domain = domain_create(customer=customer, name=f"{prefix}-{index}.ch")
        service = mailservice_create(domain=domain, plan="service_mail")
        cart_add_addresses(customer=customer, service=service, pack=pack, quantity=2)


def place(customer):
    return order_place(
        customer=customer,
        token=cart_summary(customer=customer).token,
        billing=BILLING,
        accept_terms=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # Celery's per-task lines would drown the figures
    call_command("migrate", verbosity=0)
    owner = User.objects.create_user(email="bench@example.org", password="x" * 12)
    customer = customer_create(owner=owner)

    fill_addresses(customer, "zwei", 2)
    small = place(customer).invoice
    fill_addresses(customer, "zwanzig", 20)
    large = place(customer).invoice

    baseline = timed(lambda: _payment_part(qr_bill(small, "de")), args.rounds)
    pdf_small = timed(lambda: render_invoice_pdf(small), args.rounds)
    pdf_large = timed(lambda: render_invoice_pdf(large), args.rounds)
    print("Invoice PDF (ms per document)")
    print(f"  QR-bill payment part alone (baseline): {baseline:7.1f}")
    for label, ms in (("2 lines", pdf_small), ("20 lines", pdf_large)):
        print(f"  invoice, {label:>8}:                  {ms:7.1f}  ({ms / baseline:.2f}x)")

    print("Cart pricing (cart_summary)")
    results = {}
    for lines in (1, 20):
        other = customer_create(
            owner=User.objects.create_user(email=f"cart{lines}@example.org", password="x" * 12)
        )
        fill_addresses(other, f"c{lines}", lines - 1 if lines > 1 else 0)
        cart_add_service(
            customer=other,
            domain_name=f"neu-{lines}.ch",
            plan_product=Product.objects.get(code="service-mail"),
            register_domain=False,
        )
        with CaptureQueriesContext(connection) as queries:
            cart_summary(customer=other)
        ms = timed(lambda other=other: cart_summary(customer=other), args.rounds)
        results[lines] = (len(queries.captured_queries), ms)
        print(f"  {lines:2d} line(s): {len(queries.captured_queries)} queries, {ms:6.2f} ms")
    print(
        f"  20 vs 1 line: queries x{results[20][0] / results[1][0]:.2f}, "
        f"time x{results[20][1] / results[1][1]:.2f}"
    )

    print("Order placement")
    orders = max(args.rounds, 10)
    start = time.perf_counter()
    for index in range(orders):
        cart_add_service(
            customer=customer,
            domain_name=f"platz-{index}.ch",
            plan_product=Product.objects.get(code="service-mail-starter"),
            register_domain=True,
        )
        place(customer)
    elapsed = time.perf_counter() - start
    print(f"  {orders} orders (2 lines each, with invoice): {orders / elapsed:.1f} orders/s")


if __name__ == "__main__":
    main()
