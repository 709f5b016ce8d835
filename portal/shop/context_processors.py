"""The number of lines in the customer's cart, for the badge in the navigation."""

from portal.shop.selectors import cart_count


def cart(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    customer = getattr(request, "customer", None)
    if not customer:
        return {"cart_count": None}
    return {"cart_count": cart_count(customer=customer) or None}
