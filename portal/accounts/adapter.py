"""allauth adapter: every new portal user gets a customer account they own."""

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from portal.accounts.services import customer_create
from portal.core.clientip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request):
        """The client behind our proxies (TRUSTED_PROXY_COUNT): the key of allauth's limits."""
        return client_ip(request)

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            customer_create(owner=user)
        return user
