"""Reads for accounts."""

from portal.accounts.models import Customer, User


def customer_for_user(*, user: User) -> Customer | None:
    """The customer account the user works in (the oldest one they belong to), or None."""
    if not user.is_authenticated:
        return None
    return Customer.objects.filter(memberships__user=user).order_by("id").first()
