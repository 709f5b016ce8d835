"""Template filters of the shop: Swiss money notation (per language) and VAT rates."""

from django import template

from mailservices.plans import plan_facts as facts_of_plan
from portal.formats import format_amount, format_money, format_rate

register = template.Library()


@register.filter
def chf(amount) -> str:
    """The amount in the active language's notation: 1'234.50 (fr: 1 234,50)."""
    return format_amount(amount)


@register.filter
def money(amount) -> str:
    """The amount with its currency: CHF 1'234.50 (fr: 1 234,50 CHF)."""
    return format_money(amount)


@register.filter
def rate(value) -> str:
    """8.10 -> 8.1 (fr: 8,1)"""
    return format_rate(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def plan_facts(plan: str):
    """The facts of a plan (included and maximum addresses), or None for other products."""
    return facts_of_plan(plan) if plan else None
