"""allauth adapter: every new portal user gets a customer account they own."""

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from portal.accounts.services import customer_create


class AccountAdapter(DefaultAccountAdapter):
    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            customer_create(owner=user)
        return user
