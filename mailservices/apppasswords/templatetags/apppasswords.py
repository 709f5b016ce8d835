from dataclasses import dataclass

from django import template
from django.db.models import Count, Exists, OuterRef

from mailservices.apppasswords.models import AppPasswordsOnly
from mailservices.models import Address

register = template.Library()


@dataclass(frozen=True)
class Summary:
    count: int
    only: bool


@register.simple_tag
def app_password_summary(address):
    """`{% app_password_summary address as summary %}`: how many, and "only app passwords"
    (one query)."""
    count, only = (
        Address.objects.filter(pk=address.pk)
        .annotate(
            n=Count("app_passwords"),
            only=Exists(AppPasswordsOnly.objects.filter(address=OuterRef("pk"))),
        )
        .values_list("n", "only")
        .get()
    )
    return Summary(count=count, only=bool(only))
