"""Request middleware of accounts: the customer account and the person's language."""

from django.utils import translation
from django.utils.functional import SimpleLazyObject

from portal.accounts.selectors import customer_for_user
from portal.accounts.services import supported_language


class CustomerMiddleware:
    """Attaches the logged-in user's customer account to the request, lazily (for templates)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.customer = SimpleLazyObject(lambda: customer_for_user(user=request.user))
        return self.get_response(request)


class UserLanguageMiddleware:
    """A logged-in person sees the portal in their profile's language, on any device.

    Runs after LocaleMiddleware (cookie, then the browser's Accept-Language). The language
    of sign-up or of the first login is remembered on the profile (accounts.adapter), so
    mails and invoices go out in it; switching in the header updates it (accounts.views).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = supported_language(user.language)
            if language is not None and language != request.LANGUAGE_CODE:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
