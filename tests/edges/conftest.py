"""The shop's fixtures (catalogue, placed orders) for the admin tests here."""

from tests.shop.conftest import place_order, shop_catalogue  # noqa: F401
