"""Domains: a customer adds one (in Unicode or punycode) before ordering a service for it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mailservices.models import Domain
from mailservices.validators import to_a_label
from portal.accounts.models import Customer


@transaction.atomic
def domain_create(*, customer: Customer, name: str, source: str = Domain.Source.EXTERNAL) -> Domain:
    """Adds a domain (typed in any form: Unicode or punycode) to the customer's account."""
    a_label = to_a_label(name)
    if Domain.objects.filter(name=a_label).exists():
        raise ValidationError(
            _("Die Domain %(name)s ist bereits im Portal erfasst.") % {"name": name},
            code="domain_taken",
        )
    domain = Domain(customer=customer, name=a_label, source=source)
    domain.full_clean()
    domain.save()
    return domain
