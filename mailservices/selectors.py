"""Reads for mail-service pages: querysets with what each page needs, filtered by customer."""

from django.db.models import Count, Min, Prefetch, Q, QuerySet

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


def service_address_facts(*, service: MailService) -> dict:
    """What the service page says about all its addresses, in one query whatever their
    number: a tested password, a configured client, a catch-all, the first active mailbox."""
    mailbox = Q(kind=Address.Kind.MAILBOX)
    return Address.objects.filter(service=service).aggregate(
        total=Count("pk"),
        tested=Count("pk", filter=mailbox & Q(password_tested_at__isnull=False)),
        configured=Count("pk", filter=mailbox & Q(client_configured_at__isnull=False)),
        catchall=Count("pk", filter=Q(local_part=CATCHALL_LOCAL_PART)),
        first_mailbox=Min("pk", filter=mailbox & Q(enabled=True)),
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
