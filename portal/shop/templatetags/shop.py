"""Template filters of the shop: Swiss money notation and VAT rates."""

from decimal import Decimal

from django import template

from mailservices.plans import plan_facts as facts_of_plan
from portal.shop.pricing import chf as format_chf

register = template.Library()


@register.filter
def chf(amount) -> str:
    """1234.5 -> 1'234.50"""
    if amount is None or amount == "":
        return ""
    return format_chf(Decimal(amount))


@register.filter
def rate(value) -> str:
    """8.10 -> 8.1"""
    return f"{Decimal(value).normalize():f}"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def plan_facts(plan: str):
    """The facts of a plan (included and maximum addresses), or None for other products."""
    return facts_of_plan(plan) if plan else None
