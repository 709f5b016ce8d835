"""Reads for the overview: a few numbers from each area, a fixed number of queries.

"Zu erledigen" is a list of `Todo`s, one selector per kind (`sending_limit_todos` today);
another kind (storage full, say) is one more selector returning `Todo`s, called in
`overview_todos`. The template shows any `Todo` without knowing its kind.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mailservices.diagnosis.models import DiagnosisRun
from mailservices.mailboxes.selectors import storage_todos
from mailservices.models import Address, MailService
from mailservices.selectors import mailservice_list
from messagetools.models import PhishingReport
from portal.accounts.models import Customer
from portal.shop.models import Order
from quotas.selectors import ChannelUsage, usage_for_addresses


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


@dataclass(frozen=True)
class Todo:
    """One line of "Zu erledigen": a badge, what is wrong, and where to act."""

    level: str  # "error" or "warning" (the badge's colour)
    badge: str
    text: str
    url: str
    action: str


def sending_usage(*, customer: Customer, now: datetime | None = None) -> list[ChannelUsage]:
    """The 24-hour sending figures of every mailbox of the customer, busiest first.

    Three queries (addresses, overrides, the hourly roll-up) and one Redis round trip,
    whatever the number of addresses; without Redis the roll-up answers.
    """
    addresses = Address.objects.for_customer(customer).filter(kind=Address.Kind.MAILBOX)
    items, _live = usage_for_addresses(addresses.select_related("service__domain"), now=now, days=1)
    return sorted(items, key=lambda item: (-item.percent, -item.used))


def busiest_by_service(usage: list[ChannelUsage]) -> dict[int, ChannelUsage]:
    """The address closest to its limit, per service (for the overview's usage column)."""
    busiest: dict[int, ChannelUsage] = {}
    for item in usage:  # busiest first
        busiest.setdefault(item.address.service_id, item)
    return busiest


def sending_limit_todos(*, usage: list[ChannelUsage]) -> list[Todo]:
    """Addresses that reached their sending limit (blocked) or 80 % of it."""
    channels = Counter(item.address.pk for item in usage)
    todos = []
    for item in usage:
        if item.level == "ok":
            continue
        figures = {
            "address": item.address,
            "used": item.used,
            "limit": item.limit.limit,
            "percent": item.percent,
            "hours": 24,
        }
        if item.level == "full":
            text = (
                ngettext(
                    "%(address)s hat das Versandlimit erreicht: %(used)d von %(limit)d Empfänger "
                    "in %(hours)d Stunden. Weitere Nachrichten werden abgewiesen",
                    "%(address)s hat das Versandlimit erreicht: %(used)d von %(limit)d Empfängern "
                    "in %(hours)d Stunden. Weitere Nachrichten werden abgewiesen",
                    item.limit.limit,
                )
                % figures
            )
            if item.frees_at:
                text += _(" (wieder möglich ab %(time)s)") % {"time": _time(item.frees_at)}
        else:
            text = (
                ngettext(
                    "%(address)s hat %(percent)d %% des Versandlimits verbraucht: %(used)d von "
                    "%(limit)d Empfänger in %(hours)d Stunden",
                    "%(address)s hat %(percent)d %% des Versandlimits verbraucht: %(used)d von "
                    "%(limit)d Empfängern in %(hours)d Stunden",
                    item.limit.limit,
                )
                % figures
            )
        if channels[item.address.pk] > 1:
            text += f" ({item.channel_label})"
        blocked = item.level == "full"
        todos.append(
            Todo(
                level="error" if blocked else "warning",
                badge=_("Gesperrt") if blocked else _("Fast erreicht"),
                text=text + ".",
                url=reverse("quotas:address_usage", args=[item.address.pk]),
                action=_("Was tun?") if blocked else _("Nutzung ansehen"),
            )
        )
    return todos


def _time(at: datetime) -> str:
    return formats.date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


def overview_todos(*, customer: Customer, usage: list[ChannelUsage]) -> list[Todo]:
    """Every `Todo` of the overview, most urgent first (blocked before nearly blocked).

    Another kind is one more selector here, e.g. `*storage_todos(customer=customer)`.
    """
    todos = [*sending_limit_todos(usage=usage), *storage_todos(customer=customer)]
    return sorted(todos, key=lambda todo: todo.level != "error")
