"""Reads for mail-service pages: querysets with what each page needs, filtered by customer."""

from django.db.models import Count, Prefetch, Q, QuerySet

from mailservices.models import CATCHALL_LOCAL_PART, Address, Alias, MailService
from portal.accounts.models import Customer


def mailservice_list(*, customer: Customer) -> QuerySet[MailService]:
    """The product table: the customer's services with their address counts."""
    return (
        MailService.objects.for_customer(customer)
        .select_related("domain")
        .annotate(
            address_count=Count("addresses", distinct=True),
            mailbox_count=Count(
                "addresses", filter=Q(addresses__kind=Address.Kind.MAILBOX), distinct=True
            ),
            has_catchall=Count(
                "addresses", filter=Q(addresses__local_part=CATCHALL_LOCAL_PART), distinct=True
            ),
        )
        .order_by("domain__name")
    )


def mailservice_get(*, customer: Customer) -> QuerySet[MailService]:
    """One service of the customer (use with get_object_or_404), with its address count."""
    return (
        MailService.objects.for_customer(customer)
        .select_related("domain")
        .annotate(address_count=Count("addresses", distinct=True))
    )


def service_addresses(*, service: MailService) -> QuerySet[Address]:
    """The addresses of a service page, with alias and forward counts and the responder."""
    return (
        Address.objects.filter(service=service)
        .select_related("responder")
        .annotate(
            alias_count=Count("aliases", distinct=True),
            forward_count=Count("forwards", distinct=True),
        )
        .order_by("local_part")
    )


def address_get(*, customer: Customer) -> QuerySet[Address]:
    """One address of the customer (use with get_object_or_404) with what its page shows."""
    return (
        Address.objects.for_customer(customer)
        .select_related("service__domain", "responder")
        .prefetch_related(
            Prefetch("aliases", queryset=Alias.objects.order_by("local_part")), "forwards"
        )
    )


def alias_get(*, customer: Customer) -> QuerySet[Alias]:
    return Alias.objects.filter(service__domain__customer=customer).select_related(
        "address__service__domain"
    )


def forward_get(*, customer: Customer):
    from mailservices.models import Forward

    return Forward.objects.filter(address__service__domain__customer=customer).select_related(
        "address__service__domain"
    )
