"""Reads of app passwords, always through the customer (tenant isolation)."""

from django.db.models import Exists, OuterRef, QuerySet

from mailservices.apppasswords.models import AppPassword, AppPasswordsOnly
from mailservices.models import Address


def app_password_get(*, customer) -> QuerySet[AppPassword]:
    """The customer's app passwords, with the address and domain the pages show."""
    return AppPassword.objects.for_customer(customer).select_related("address__service__domain")


def address_for_app_passwords(*, customer) -> QuerySet[Address]:
    """The customer's addresses, each with `app_passwords_only` as a flag (one query)."""
    return (
        Address.objects.for_customer(customer)
        .select_related("service__domain")
        .annotate(
            only_app_passwords=Exists(AppPasswordsOnly.objects.filter(address=OuterRef("pk")))
        )
    )


def app_passwords_of(*, address: Address) -> list[AppPassword]:
    """The address's app passwords, by name (one query, whatever their number)."""
    return list(AppPassword.objects.filter(address=address).order_by("name", "id"))
