"""Views of accounts: the language switch in the header."""

from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from portal.accounts.services import user_set_language


@require_POST
def set_language(request):
    """Django's language switch (cookie + redirect) that also remembers the choice on the
    profile of a logged-in person, for their next visit on any device and for their mails."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response
