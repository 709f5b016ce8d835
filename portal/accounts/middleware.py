"""Attaches the logged-in user's customer account to the request, lazily (for templates)."""

from django.utils.functional import SimpleLazyObject

from portal.accounts.selectors import customer_for_user


class CustomerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.customer = SimpleLazyObject(lambda: customer_for_user(user=request.user))
        return self.get_response(request)
