"""Reads for the overview: a few numbers from each area, a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from mailservices.diagnosis.models import DiagnosisRun
from mailservices.models import MailService
from mailservices.selectors import mailservice_list
from messagetools.models import PhishingReport
from portal.accounts.models import Customer
from portal.shop.models import Order


def overview_services(*, customer: Customer) -> QuerySet[MailService]:
    """The customer's services with address counts and the status of their latest diagnosis."""
    latest = (
        DiagnosisRun.objects.finished()
        .filter(service=OuterRef("pk"))
        .order_by("-created_at", "-pk")
    )
    return mailservice_list(customer=customer).annotate(
        diagnosis_status=Subquery(latest.values("status")[:1]),
        diagnosis_at=Subquery(latest.values("finished_at")[:1]),
    )


@dataclass(frozen=True)
class OverviewCounts:
    orders_awaiting_payment: int
    orders_in_progress: int
    open_phishing_reports: int


def overview_counts(*, customer: Customer) -> OverviewCounts:
    orders = Order.objects.filter(customer=customer)
    return OverviewCounts(
        orders_awaiting_payment=orders.filter(status=Order.Status.PENDING_PAYMENT).count(),
        orders_in_progress=orders.filter(
            status__in=[Order.Status.PAID, Order.Status.PROVISIONING]
        ).count(),
        open_phishing_reports=PhishingReport.objects.for_customer(customer)
        .filter(status__in=[PhishingReport.Status.NEW, PhishingReport.Status.CONFIRMED])
        .count(),
    )
