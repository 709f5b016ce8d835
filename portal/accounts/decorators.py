"""Access to customer pages: a logged-in user who belongs to a customer account."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from portal.accounts.selectors import customer_for_user


def customer_required(view):
    """Logs in first; then sets `request.customer` (a real Customer) or answers 404.

    Every customer page filters its objects with `request.customer`, so another customer's
    object is simply not found.
    """

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        customer = customer_for_user(user=request.user)
        if customer is None:
            raise Http404("No customer account.")
        request.customer = customer
        return view(request, *args, **kwargs)

    return wrapped
