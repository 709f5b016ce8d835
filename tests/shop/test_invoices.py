"""Invoices: gap-free numbers, references matching the account type, the PDF with QR-bill."""

import shutil
import subprocess

import pytest
from django.db import transaction
from django.test import override_settings
from stdnum import iso11649
from stdnum.ch import esr

from portal.shop.invoice_pdf import qr_bill, render_invoice_pdf
from portal.shop.models import InvoiceSequence, Product
from portal.shop.selectors import cart_summary
from portal.shop.services import cart_add_addresses, order_place
from portal.shop.services.invoices import is_qr_iban, payment_reference
from tests.conftest import require_service
from tests.shop.conftest import BILLING

pytestmark = pytest.mark.django_db

NORMAL_IBAN = "CH1700808000012345678"


def test_numbers_are_consecutive_and_a_rolled_back_order_leaves_no_gap(customer, place_order):
    first = place_order(customer, "a-eins.ch").invoice
    with pytest.raises(RuntimeError), transaction.atomic():
        place_order(customer, "a-zwei.ch")
        raise RuntimeError("the request failed after placing")
    second = place_order(customer, "a-drei.ch").invoice
    assert (first.year, first.sequence + 1) == (second.year, second.sequence)
    assert second.number == f"R{second.year}-{second.sequence:05d}"
    assert InvoiceSequence.objects.get(year=second.year).last_number == second.sequence


def test_qr_iban_gets_a_qr_reference_and_a_normal_iban_a_scor_reference():
    assert is_qr_iban("CH39 3080 8000 0123 4567 8")
    assert not is_qr_iban(NORMAL_IBAN)
    qr = payment_reference(account="CH3930808000012345678", year=2026, sequence=42)
    assert len(qr) == 27 and esr.is_valid(qr) and qr.endswith(esr.calc_check_digit(qr[:-1]))
    scor = payment_reference(account=NORMAL_IBAN, year=2026, sequence=42)
    assert scor.startswith("RF") and iso11649.is_valid(scor) and scor.endswith("202600000042")


def test_qr_bill_data_carries_account_reference_amount_and_structured_addresses(
    customer, place_order
):
    invoice = place_order(customer, "qr-daten.ch").invoice
    data = qr_bill(invoice, "de").qr_data().split("\r\n")
    assert data[:3] == ["SPC", "0200", "1"]
    assert data[3] == "CH3930808000012345678"
    assert data[4:7] == ["S", "Alpenpost Mail AG", "Postgasse"]
    assert str(invoice.total_gross) in data
    assert "QRR" in data and invoice.reference in data
    debtor = data[data.index("Anna Muster") - 1 : data.index("Anna Muster") + 6]
    assert debtor == ["S", "Anna Muster", "Bahnhofstrasse", "10", "8001", "Zürich", "CH"]


@override_settings(PORTAL_CREDITOR_IBAN=NORMAL_IBAN)
def test_a_normal_iban_makes_scor_invoices(customer, place_order):
    invoice = place_order(customer, "scor.ch").invoice
    assert invoice.reference.startswith("RF")
    data = qr_bill(invoice, "en").qr_data()
    assert "SCOR" in data and NORMAL_IBAN in data


def _pdf_text(pdf: bytes, tmp_path) -> str:
    require_service("pdftotext (poppler-utils)", shutil.which("pdftotext") is not None)
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_pdf_shows_lines_vat_totals_and_payment_part(customer, place_order, tmp_path):
    invoice = place_order(customer, "pdf-test.ch").invoice
    pdf = render_invoice_pdf(invoice)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)
    for expected in (
        f"Rechnung {invoice.number}",
        "Registrierung der Domain pdf-test.ch",
        "Service Mail Starter für pdf-test.ch",
        "MWST 8.1 % auf CHF 33.00",
        "2.68",
        "35.68",
        "Zahlteil",
        "Empfangsschein",
        "CH39 3080 8000 0123 4567 8",
        "Anna Muster",
    ):
        assert expected in text, expected


def test_a_long_invoice_continues_on_further_pages(customer, make_service, tmp_path):
    packs = Product.objects.get(code="addresses-1")
    for index in range(18):
        service = make_service(customer, f"viele-{index}.ch", quota=1, plan="service_mail_starter")
        cart_add_addresses(customer=customer, service=service, pack=packs, quantity=1)
    order = order_place(
        customer=customer,
        token=cart_summary(customer=customer).token,
        billing=BILLING,
        accept_terms=True,
    )
    text = _pdf_text(render_invoice_pdf(order.invoice), tmp_path)
    assert text.count("\f") >= 2  # more than one page
    assert "viele-17.ch" in text and "Seite 2" in text and "Zahlteil" in text
