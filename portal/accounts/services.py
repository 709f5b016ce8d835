"""Writes for accounts: creating customers and their owners."""

from django.db import transaction

from portal.accounts.models import Customer, Membership, User


def _next_customer_number() -> str:
    last = Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return f"K{100000 + last + 1}"


@transaction.atomic
def customer_create(*, owner: User, name: str = "") -> Customer:
    """Creates a customer account owned by `owner` (who also becomes its first member)."""
    customer = Customer(owner=owner, name=name or owner.email, number=_next_customer_number())
    customer.full_clean()
    customer.save()
    Membership.objects.create(customer=customer, user=owner, role=Membership.Role.OWNER)
    return customer
