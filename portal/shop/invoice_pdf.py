"""The invoice as a PDF: letterhead, lines, VAT per rate, totals and the Swiss QR-bill.

The payment part is drawn by `qrbill` as SVG and placed with svglib at the foot of the page
the totals end on, as the QR-bill standard wants it (A6 strip, 105 mm high, full width). When
the totals fit on that page but the payment part does not, the payment part gets a page of its
own (the standard allows it) rather than pushing the totals away from the lines. A paid
invoice says "bezahlt" with the date and carries no payment request; nor does a cancelled one.
"""

import io
from xml.sax.saxutils import escape

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from qrbill import QRBill
from reportlab.graphics import renderPDF
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, Table, TableStyle
from svglib.svglib import svg2rlg

from portal.formats import format_amount as chf
from portal.formats import format_rate
from portal.shop import pricing
from portal.shop.app_settings import app_settings
from portal.shop.models import BillingPeriod, Invoice
from portal.shop.selectors import order_line_label

PAGE_W, PAGE_H = A4
MARGIN = 20 * mm
BILL_HEIGHT = 105 * mm
_DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
_DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _fonts() -> tuple[str, str]:
    """DejaVu (covers every script a Unicode domain may use) if installed, else Helvetica."""
    try:
        if "Invoice" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("Invoice", _DEJAVU))
            pdfmetrics.registerFont(TTFont("Invoice-Bold", _DEJAVU_BOLD))
        return "Invoice", "Invoice-Bold"
    except OSError:
        return "Helvetica", "Helvetica-Bold"


def _creditor() -> dict:
    return {
        "name": app_settings.CREDITOR_NAME,
        "street": app_settings.CREDITOR_STREET,
        "house_num": app_settings.CREDITOR_HOUSE_NUMBER,
        "pcode": app_settings.CREDITOR_POSTCODE,
        "city": app_settings.CREDITOR_TOWN,
        "country": app_settings.CREDITOR_COUNTRY,
    }


def qr_bill(invoice: Invoice, language: str) -> QRBill:
    order = invoice.order
    return QRBill(
        account=invoice.iban,
        creditor=_creditor(),
        debtor={
            "name": order.billing_name,
            "street": order.billing_street,
            "house_num": order.billing_house_number,
            "pcode": order.billing_postcode,
            "city": order.billing_town,
            "country": order.billing_country,
        },
        amount=invoice.total_gross,
        currency="CHF",
        reference_number=invoice.reference,
        additional_information=_("Rechnung %(number)s") % {"number": invoice.number},
        language=language if language in ("de", "en", "fr", "it") else "de",
    )


def _payment_part(bill: QRBill):
    svg = io.StringIO()
    bill.as_svg(svg)
    drawing = svg2rlg(io.BytesIO(svg.getvalue().encode("utf-8")))
    scale = PAGE_W / drawing.width
    drawing.width, drawing.height = PAGE_W, drawing.height * scale
    drawing.scale(scale, scale)
    return drawing


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice in the active language as PDF bytes."""
    language = (translation.get_language() or "de")[:2]
    regular, bold = _fonts()
    order = invoice.order
    lines = list(order.lines.order_by("position"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("Rechnung %(number)s") % {"number": invoice.number})
    pdf.setAuthor(app_settings.CREDITOR_NAME)

    cell = ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11)
    period_label = dict(BillingPeriod.choices)
    rows = [
        [
            _("Pos."),
            _("Bezeichnung"),
            _("Menge"),
            _("Preis"),
            _("MWST"),
            _("Betrag CHF"),
        ]
    ]
    for line in lines:
        period = _("pro %(period)s, Abrechnung im Voraus") % {
            "period": period_label[line.billing_period]
        }
        text = (
            f"{escape(order_line_label(line))}"
            f"<br/><font size=8 color='#55606e'>{escape(period)}</font>"
        )
        rows.append(
            [
                str(line.position),
                Paragraph(text, cell),
                str(line.quantity),
                chf(line.unit_price),
                f"{format_rate(line.vat_rate)} %",
                chf(line.net),
            ]
        )
    table_style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), regular, 9),
            ("FONT", (0, 0), (-1, 0), bold, 9),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#c8ced6")),
            ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )
    content_w = PAGE_W - 2 * MARGIN
    fixed = [10 * mm, 14 * mm, 20 * mm, 16 * mm, 24 * mm]
    widths = [fixed[0], content_w - sum(fixed), *fixed[1:]]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style)

    totals = pricing.totals(
        [
            pricing.LineAmounts(ln.unit_price, ln.quantity, ln.net, ln.vat_rate, ln.vat, ln.gross)
            for ln in lines
        ]
    )
    total_rows = [[_("Total netto"), chf(invoice.total_net)]]
    for group in totals.by_rate:
        total_rows.append(
            [
                _("MWST %(rate)s %% auf CHF %(base)s")
                % {"rate": format_rate(group.rate), "base": chf(group.net)},
                chf(group.vat),
            ]
        )
    total_rows.append([_("Total CHF inkl. MWST"), chf(invoice.total_gross)])
    totals_table = Table(total_rows, colWidths=[70 * mm, 26 * mm], hAlign="RIGHT")
    totals_table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9),
                ("FONT", (0, -1), (-1, -1), bold, 10),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )

    def letterhead(first: bool) -> float:
        """Draws the page head; returns the y where the content starts."""
        pdf.setFillColor(colors.HexColor("#b3001b"))
        pdf.rect(MARGIN, PAGE_H - 22 * mm, 6 * mm, 6 * mm, stroke=0, fill=1)
        pdf.setFillColor(colors.black)
        pdf.setFont(bold, 13)
        pdf.drawString(MARGIN + 9 * mm, PAGE_H - 21 * mm, app_settings.CREDITOR_NAME)
        pdf.setFont(regular, 8)
        sender = (
            f"{app_settings.CREDITOR_STREET} {app_settings.CREDITOR_HOUSE_NUMBER} · "
            f"{app_settings.CREDITOR_COUNTRY}-{app_settings.CREDITOR_POSTCODE} "
            f"{app_settings.CREDITOR_TOWN} · {app_settings.VAT_NUMBER}"
        )
        pdf.drawString(MARGIN + 9 * mm, PAGE_H - 25.5 * mm, sender)
        if not first:
            pdf.setFont(regular, 9)
            pdf.drawRightString(
                PAGE_W - MARGIN,
                PAGE_H - 21 * mm,
                _("Rechnung %(number)s – Seite %(page)d")
                % {"number": invoice.number, "page": pdf.getPageNumber()},
            )
            return PAGE_H - 35 * mm
        # Recipient, placed for a C5 window envelope with the window on the right.
        pdf.setFont(regular, 10)
        address = [
            order.billing_name,
            f"{order.billing_street} {order.billing_house_number}".strip(),
            f"{order.billing_postcode} {order.billing_town}",
        ]
        if order.billing_country != "CH":
            address.append(order.billing_country)
        y = PAGE_H - 50 * mm
        for text in address:
            pdf.drawString(118 * mm, y, text)
            y -= 5 * mm
        pdf.setFont(bold, 16)
        pdf.drawString(
            MARGIN, PAGE_H - 85 * mm, _("Rechnung %(number)s") % {"number": invoice.number}
        )
        pdf.setFont(regular, 9)
        facts = [
            (_("Rechnungsdatum"), formats.date_format(invoice.issued_at, "SHORT_DATE_FORMAT")),
            (
                (_("Bezahlt am"), _local_date(order.paid_at))
                if order.paid_at
                else (_("Zahlbar bis"), formats.date_format(invoice.due_at, "SHORT_DATE_FORMAT"))
            ),
            (_("Bestellung"), order.number),
            (_("Kundennummer"), order.customer.number),
        ]
        y = PAGE_H - 93 * mm
        for label, value in facts:
            pdf.drawString(MARGIN, y, label)
            pdf.drawString(MARGIN + 35 * mm, y, value)
            y -= 4.5 * mm
        return y - 4 * mm

    top = letterhead(first=True)
    bottom_limit = MARGIN
    pending = [table]
    while pending:
        part = pending.pop(0)
        _w, height = part.wrapOn(pdf, content_w, top - bottom_limit)
        if height <= top - bottom_limit:
            part.drawOn(pdf, MARGIN, top - height)
            top -= height
            continue
        pieces = part.split(content_w, top - bottom_limit)
        if len(pieces) < 2:
            pdf.showPage()
            top = letterhead(first=False)
            pending.insert(0, part)
            continue
        _w, height = pieces[0].wrapOn(pdf, content_w, top - bottom_limit)
        pieces[0].drawOn(pdf, MARGIN, top - height)
        pdf.showPage()
        top = letterhead(first=False)
        pending[:0] = pieces[1:]

    # Totals and the closing note stay with the lines whenever they fit on the page.
    payable = order.status == order.Status.PENDING_PAYMENT
    _w, totals_h = totals_table.wrapOn(pdf, content_w, top)
    note_h = 14 * mm
    if top - 6 * mm - totals_h - note_h < bottom_limit:
        pdf.showPage()
        top = letterhead(first=False)
    totals_table.drawOn(pdf, PAGE_W - MARGIN - 96 * mm, top - 6 * mm - totals_h)
    y = top - 6 * mm - totals_h - 8 * mm
    # The note's line and a gap above the perforation, or the payment part on its own page.
    own_page = payable and y - 6 * mm < BILL_HEIGHT
    _closing_note(pdf, invoice, y, regular=regular, bold=bold, payable=payable, own_page=own_page)

    if payable:
        if own_page:
            pdf.showPage()
            letterhead(first=False)
        drawing = _payment_part(qr_bill(invoice, language))
        renderPDF.draw(drawing, pdf, 0, 0)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _local_date(at) -> str:
    return formats.date_format(timezone.localtime(at), "SHORT_DATE_FORMAT")


def _closing_note(pdf, invoice: Invoice, y: float, *, regular, bold, payable, own_page):
    """Under the totals: the payment request, or "bezahlt" with the date, or "storniert"."""
    order = invoice.order
    due = formats.date_format(invoice.due_at, "SHORT_DATE_FORMAT")
    if payable:
        pdf.setFont(regular, 9)
        request = (
            _(
                "Bitte bezahlen Sie den Betrag bis %(date)s mit dem QR-Zahlteil auf der "
                "nächsten Seite."
            )
            if own_page
            else _("Bitte bezahlen Sie den Betrag bis %(date)s mit dem QR-Zahlteil unten.")
        )
        pdf.drawString(MARGIN, y, request % {"date": due})
        return
    if order.status == order.Status.CANCELLED:
        pdf.setFont(bold, 11)
        pdf.setFillColor(colors.HexColor("#a3001a"))
        pdf.drawString(MARGIN, y, _("Diese Bestellung wurde storniert. Es ist nichts zu zahlen."))
        pdf.setFillColor(colors.black)
        return
    pdf.setFont(bold, 12)
    pdf.setFillColor(colors.HexColor("#1b6e3a"))
    if order.paid_at:
        pdf.drawString(MARGIN, y, _("Bezahlt am %(date)s") % {"date": _local_date(order.paid_at)})
    else:
        pdf.drawString(MARGIN, y, _("Bezahlt"))
    pdf.setFillColor(colors.black)
    pdf.setFont(regular, 9)
    pdf.drawString(MARGIN, y - 5 * mm, _("Vielen Dank für Ihre Zahlung."))
