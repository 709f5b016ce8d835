"""allauth adapter: every new portal user gets a customer account they own."""

from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.utils import translation

from portal.accounts.services import customer_create, supported_language, user_set_language
from portal.core.app_settings import app_settings as portal_settings
from portal.core.clientip import client_ip


@dataclass(frozen=True)
class ProviderSite:
    """What allauth's mail templates call the site: the provider's name, not the host name."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The client behind our proxies (TRUSTED_PROXY_COUNT): the key of allauth's limits."""
        return client_ip(request)

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        # The language the person signed up in (header choice or browser) is remembered.
        user.language = supported_language(translation.get_language()) or settings.LANGUAGE_CODE
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            customer_create(owner=user)
        return user

    def login(self, request, user):
        # A language chosen in the header before logging in (the cookie) is the person's
        # choice and is kept; a person without a language yet (created by staff, or before
        # languages were kept) gets the one detected from the browser.
        chosen = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if chosen or not user.language:
            user_set_language(user=user, language=chosen or translation.get_language() or "")
        return super().login(request, user)

    def send_mail(self, template_prefix, email, context):
        """Account mails name the provider, in the recipient's language when we know it."""
        request = allauth_context.request
        domain = get_current_site(request).domain if request is not None else ""
        context = {
            **context,
            "current_site": ProviderSite(name=portal_settings.PROVIDER_NAME, domain=domain),
        }
        user = context.get("user")
        language = supported_language(getattr(user, "language", None))
        with translation.override(language or translation.get_language()):
            return super().send_mail(template_prefix, email, context)
