"""Fixtures of the shop tests: catalogue products, services of a customer, a placed order."""

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation

from portal.shop.models import Product
from portal.shop.selectors import cart_summary
from portal.shop.services import BillingAddress, cart_add_service, order_place

BILLING = BillingAddress(
    name="Anna Muster",
    street="Bahnhofstrasse",
    house_number="10",
    postcode="8001",
    town="Zürich",
    country="CH",
)

_catalogue = importlib.import_module("portal.shop.migrations.0002_catalogue")


@pytest.fixture(autouse=True)
def german(request):
    """Each test starts in the primary language; a request with another language cookie
    leaves that language active in the thread otherwise."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def shop_catalogue(request):
    """The catalogue the data migration loads. A transactional test anywhere in the suite
    empties every table afterwards, so it is loaded again (idempotently) where missing."""
    if request.node.get_closest_marker("django_db") is None:
        return
    if not Product.objects.exists():
        _catalogue.load(apps, None)


@pytest.fixture
def product(db):
    """A catalogue product by code (the catalogue comes with the migrations)."""
    return lambda code: Product.objects.get(code=code)


@pytest.fixture
def place_order(db):
    """Puts a new service for `domain` in the cart and orders it."""

    def place(customer, domain: str, plan_code: str = "service-mail-starter", register=True):
        cart_add_service(
            customer=customer,
            domain_name=domain,
            plan_product=Product.objects.get(code=plan_code),
            register_domain=register,
        )
        return order_place(
            customer=customer,
            token=cart_summary(customer=customer).token,
            billing=BILLING,
            accept_terms=True,
        )

    return place
