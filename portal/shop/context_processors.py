"""The number of lines in the customer's cart, for the badge in the navigation."""

from functools import cache

from portal.shop.selectors import cart_count


def cart(request):
    """`cart_count`: lines in the cart, or None. Lazy (templates call it), so pages that do
    not show the navigation, like the admin, do not pay for the query."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count():
        customer = getattr(request, "customer", None)
        if not customer:
            return None
        return cart_count(customer=customer) or None

    return {"cart_count": count}
