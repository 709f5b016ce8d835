from dataclasses import dataclass

from django import template

from mailservices.apppasswords.models import AppPassword, AppPasswordsOnly

register = template.Library()


@dataclass(frozen=True)
class Summary:
    count: int
    only: bool


@register.simple_tag
def app_password_summary(address):
    """`{% app_password_summary address as summary %}`: how many, and "only app passwords"."""
    return Summary(
        count=AppPassword.objects.filter(address=address).count(),
        only=AppPasswordsOnly.objects.filter(address=address).exists(),
    )
