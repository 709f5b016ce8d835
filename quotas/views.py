"""Customer pages: how much of its sending limit an address (or a whole service) used."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from mailservices.models import Address, MailService
from portal.accounts.decorators import customer_required
from portal.core.app_settings import app_settings as portal_settings
from quotas.app_settings import app_settings as quota_settings
from quotas.charts import daily_chart, hourly_chart
from quotas.selectors import usage_for_addresses, usage_hourly_totals, usage_totals_by_hour


def _common(now):
    return {
        "now": now,
        "window_hours": quota_settings.WINDOW_SECONDS // 3600,
        "newsletter_url": portal_settings.NEWSLETTER_URL,
    }


MAILBOXES_PER_PAGE = 50


@customer_required
def address_usage(request, pk):
    address = get_object_or_404(
        Address.objects.for_customer(request.customer).select_related("service__domain"), pk=pk
    )
    now = timezone.now()
    items, live = usage_for_addresses([address], now=now)
    for item in items:
        item.chart_24h = hourly_chart(item.window_hourly, now=now)
        item.chart_7d = daily_chart(item.hourly, now=now, limit=item.limit.limit)
    context = {
        **_common(now),
        "address": address,
        "service": address.service,
        "items": items,
        "live": live,
    }
    template = "quotas/address_usage.html"
    if request.htmx:
        template = "quotas/partials/_address_usage.html"
    return render(request, template, context)


@customer_required
def service_usage(request, pk):
    service = get_object_or_404(
        MailService.objects.for_customer(request.customer).select_related("domain"), pk=pk
    )
    # Redirects have no mailbox and no mail password: they cannot log in to send.
    addresses = list(service.addresses.filter(kind=Address.Kind.MAILBOX).order_by("local_part"))
    for address in addresses:
        address.service = service  # already loaded: no query per row
    now = timezone.now()
    # Per mailbox the live 24 hours; the week's chart sums the roll-up in the database.
    items, live = usage_for_addresses(addresses, now=now, days=1)
    window = usage_totals_by_hour(items, attr="window_hourly")
    week = (now - timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    totals = usage_hourly_totals(addresses, since=week)
    if live:  # the hours inside the window are Redis's, exact
        window_start = now - timedelta(seconds=quota_settings.WINDOW_SECONDS)
        totals = {hour: n for hour, n in totals.items() if hour <= window_start} | window
    # A service may have hundreds of mailboxes: the table shows them a page at a time, the
    # totals and the busiest count all of them.
    page = Paginator(items, MAILBOXES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **_common(now),
        "service": service,
        "items": page.object_list,
        "page": page,
        "live": live,
        "total_used": sum(i.used for i in items),
        "busiest": max(items, key=lambda i: i.percent, default=None),
        "chart_24h": hourly_chart(window, now=now),
        "chart_7d": daily_chart(totals, now=now),
    }
    template = "quotas/service_usage.html"
    if request.htmx:
        template = "quotas/partials/_service_usage.html"
    return render(request, template, context)
