"""The invoice PDF: totals stay with the lines, the QR-bill on its own page when it must,
a paid invoice says "bezahlt" with the date and asks for nothing."""

import shutil
import subprocess

import pytest

from portal.shop.invoice_pdf import render_invoice_pdf
from portal.shop.models import Product
from portal.shop.selectors import cart_summary
from portal.shop.services import cart_add_addresses, order_place
from tests.conftest import require_service
from tests.shop.conftest import BILLING

pytestmark = pytest.mark.django_db


def pages(pdf: bytes, tmp_path) -> list[str]:
    require_service("pdftotext (poppler-utils)", shutil.which("pdftotext") is not None)
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def order_with_lines(customer, count, prefix="z"):
    from mailservices.services import domain_create, mailservice_create

    packs = Product.objects.get(code="addresses-1")
    for index in range(count):
        service = mailservice_create(
            domain=domain_create(customer=customer, name=f"{prefix}{index:02d}.ch"),
            plan="service_mail_starter",
            address_quota=1,
        )
        cart_add_addresses(customer=customer, service=service, pack=packs, quantity=1)
    return order_place(
        customer=customer,
        token=cart_summary(customer=customer).token,
        billing=BILLING,
        accept_terms=True,
    )


def where(text: list[str], needle: str) -> list[int]:
    return [number for number, page in enumerate(text) if needle in page]


@pytest.mark.parametrize("count", [1, 2, 3, 5, 7, 8, 11, 14, 16, 20])
def test_totals_stay_with_the_lines_and_the_bill_comes_last(customer, tmp_path, count):
    text = pages(render_invoice_pdf(order_with_lines(customer, count).invoice), tmp_path)
    last_line = where(text, f"z{count - 1:02d}.ch")
    totals, bill = where(text, "Total CHF inkl. MWST"), where(text, "Empfangsschein")
    assert len(totals) == 1 and len(bill) == 1 and len(last_line) == 1
    assert bill[0] == len(text) - 1  # the payment part is on the last page
    if bill[0] != totals[0]:
        # Its own page, announced under the totals, with nothing else but the page head.
        assert bill[0] == totals[0] + 1
        assert "QR-Zahlteil auf der nächsten Seite" in text[totals[0]]
        assert "Total" not in text[bill[0]] and ".ch" not in text[bill[0]]
    else:
        assert "QR-Zahlteil unten" in text[totals[0]]
    if count <= 11:  # they fit on the first page: never pushed to the second
        assert totals == last_line == [0]


def test_a_short_invoice_is_one_page_with_the_bill(customer, tmp_path):
    text = pages(render_invoice_pdf(order_with_lines(customer, 2).invoice), tmp_path)
    assert len(text) == 1 and "Empfangsschein" in text[0] and "Zahlteil" in text[0]


def test_a_paid_invoice_says_bezahlt_with_the_date_and_asks_for_nothing(
    customer, staff_user, tmp_path
):
    from django.utils import formats, timezone

    from portal.shop.services import order_mark_paid

    order = order_with_lines(customer, 2)
    order_mark_paid(order=order, by=staff_user)
    order.refresh_from_db()
    text = "".join(pages(render_invoice_pdf(order.invoice), tmp_path))
    paid_on = formats.date_format(timezone.localtime(order.paid_at), "SHORT_DATE_FORMAT")
    assert f"Bezahlt am {paid_on}" in text and text.count("Bezahlt am") == 2
    for request in ("Empfangsschein", "Zahlteil", "Bitte bezahlen", "Zahlbar bis"):
        assert request not in text


def test_a_cancelled_invoice_asks_for_nothing(customer, tmp_path):
    from portal.shop.services import order_cancel

    order = order_with_lines(customer, 1)
    order_cancel(order=order)
    order.refresh_from_db()
    text = "".join(pages(render_invoice_pdf(order.invoice), tmp_path))
    assert "storniert" in text and "Empfangsschein" not in text and "Bitte bezahlen" not in text
