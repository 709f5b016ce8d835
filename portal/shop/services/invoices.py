"""Invoices: gap-free numbers and the payment reference that matches the creditor account."""

import datetime

from django.db import transaction
from django.utils import timezone
from stdnum import iban
from stdnum.ch import esr
from stdnum.iso7064 import mod_97_10

from portal.accounts.services import user_language
from portal.shop.app_settings import app_settings
from portal.shop.models import Invoice, InvoiceSequence, Order

QR_IID_RANGE = range(30000, 32000)


def is_qr_iban(account: str) -> bool:
    """A QR-IBAN carries an institution id between 30000 and 31999 (positions 5-9)."""
    compact = iban.compact(account)
    return compact[:2] in ("CH", "LI") and int(compact[4:9]) in QR_IID_RANGE


def payment_reference(*, account: str, year: int, sequence: int) -> str:
    """A QR reference (27 digits, mod 10 recursive) for a QR-IBAN, else an ISO 11649 SCOR
    reference (RF…); both carry the invoice's year and number, so a payment finds its invoice."""
    payload = f"{year:04d}{sequence:08d}"
    if is_qr_iban(account):
        digits = payload.rjust(26, "0")
        return digits + esr.calc_check_digit(digits)
    return "RF" + mod_97_10.calc_check_digits(payload + "RF") + payload


def _next_number(year: int) -> int:
    """Draws the next number of `year` under a row lock; a rolled-back order returns it."""
    InvoiceSequence.objects.get_or_create(year=year)
    sequence = InvoiceSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


@transaction.atomic
def invoice_create(*, order: Order) -> Invoice:
    """Issues the invoice of an order (once): next number, reference, copied totals."""
    existing = Invoice.objects.filter(order=order).first()
    if existing is not None:
        return existing
    issued_at = timezone.now()
    year = timezone.localdate(issued_at).year
    number = _next_number(year)
    account = iban.compact(app_settings.CREDITOR_IBAN)
    invoice = Invoice(
        order=order,
        number=f"R{year}-{number:05d}",
        year=year,
        sequence=number,
        issued_at=issued_at,
        due_at=timezone.localdate(issued_at)
        + datetime.timedelta(days=app_settings.INVOICE_DUE_DAYS),
        reference=payment_reference(account=account, year=year, sequence=number),
        iban=account,
        total_net=order.total_net,
        total_vat=order.total_vat,
        total_gross=order.total_gross,
        language=user_language(order.customer.owner),
    )
    invoice.full_clean()
    invoice.save()
    return invoice
