"""The checkout's terms checkbox links the terms."""

import pytest
from django.urls import reverse

from portal.shop.models import Product
from portal.shop.services import cart_add_service

pytestmark = pytest.mark.django_db


def test_terms_checkbox_links_the_terms(customer_client, customer, settings):
    settings.PORTAL_TERMS_URL = "https://www.alpenpost.example/agb/?v=1&x=2"
    cart_add_service(
        customer=customer,
        domain_name="agb-test.ch",
        plan_product=Product.objects.get(code="service-mail-starter"),
        register_domain=True,
    )
    html = customer_client.get(reverse("shop:checkout")).content.decode()
    label = html[html.index('for="id_accept_terms"') :]
    label = label[: label.index("</label>")]
    assert 'href="https://www.alpenpost.example/agb/?v=1&amp;x=2"' in label
    assert "Allgemeinen Geschäftsbedingungen</a>" in label and 'rel="noopener"' in label
