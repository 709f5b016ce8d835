from django import template

from mailservices.dav.account import address_login, dav_account

register = template.Library()


@register.simple_tag
def dav_account_for(address):
    """`{% dav_account_for address as dav %}`: server URL and user name of an address."""
    return dav_account(address_login(address))
