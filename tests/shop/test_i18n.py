"""German first, English second: the shop's catalogue is complete and used."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from portal.shop.invoice_pdf import qr_bill

CATALOGUE = Path(settings.BASE_DIR) / "portal/shop/locale/en/LC_MESSAGES/django.po"


def test_every_message_has_an_english_translation():
    po = polib.pofile(str(CATALOGUE))
    assert len(po) > 100
    assert not po.untranslated_entries()
    assert not po.fuzzy_entries()


@pytest.mark.django_db
def test_pages_and_the_payment_part_speak_english(customer_client, customer, place_order):
    order = place_order(customer, "english.ch")
    customer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = customer_client.get(f"/shop/orders/{order.pk}/").content.decode()
    assert "Awaiting payment" in page and "Registration of the domain english.ch" in page
    assert "Your cart is empty." in customer_client.get("/shop/cart/").content.decode()
    with translation.override("en"):
        assert "Invoice " + order.invoice.number in qr_bill(order.invoice, "en").qr_data()
