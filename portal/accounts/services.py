"""Writes for accounts: creating customers and their owners."""

from django.conf import settings
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


def supported_language(language: str | None) -> str | None:
    """The portal language code for `language` ("fr-CH" -> "fr"), or None if we have none."""
    if not language:
        return None
    code = language.lower().split("-")[0].split("_")[0]
    return code if code in dict(settings.LANGUAGES) else None


def user_language(user: User | None) -> str:
    """The language to write to this person in (their profile's, else the portal's default)."""
    return supported_language(getattr(user, "language", None)) or settings.LANGUAGE_CODE


def user_set_language(*, user: User, language: str) -> bool:
    """Remembers the person's language on their profile; False when unsupported or unchanged."""
    code = supported_language(language)
    if code is None or code == user.language:
        return False
    User.objects.filter(pk=user.pk).update(language=code)
    user.language = code
    return True
