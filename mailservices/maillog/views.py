"""Customer pages: the delivery log of one address or one mail service (last 30 days)."""

from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from mailservices.maillog.app_settings import app_settings
from mailservices.maillog.explain import explain
from mailservices.maillog.forms import DeliveryFilterForm
from mailservices.maillog.selectors import (
    OUT,
    DeliveryFilter,
    deliveries_for_address,
    deliveries_for_service,
    page_of,
)
from mailservices.models import Address, MailService
from portal.accounts.decorators import customer_required


def _filter(form: DeliveryFilterForm) -> DeliveryFilter:
    if not form.is_valid():
        return DeliveryFilter()
    data = form.cleaned_data
    return DeliveryFilter(
        direction=data.get("direction") or OUT,
        status=data.get("status") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        counterpart=data.get("counterpart") or "",
        before=data.get("before"),
    )


def _page(request, qs, f: DeliveryFilter, context: dict, template: str):
    rows, cursor = page_of(qs)
    cache: dict = {}
    rendered: dict = {}
    for row in rows:
        row.explained = explain(row, cache)
        # Rows share a handful of explanations: each is rendered once per page.
        key = (row.status, row.explained)
        if key not in rendered:
            rendered[key] = render_to_string(
                "maillog/partials/_explanation.html", {"e": row.explained, "status": row.status}
            )
        row.explained_html = rendered[key]
        row.counterpart = row.recipient if f.direction == OUT else (row.sender or "<>")
        row.own = row.sender if f.direction == OUT else row.recipient
    next_query = ""
    if cursor:
        query = request.GET.copy() if request.GET else QueryDict(mutable=True)
        query["before"] = f"{cursor[0].isoformat()}_{cursor[1]}"
        next_query = query.urlencode()
    context.update(
        {
            "rows": rows,
            "direction": f.direction,
            "next_query": next_query,
            "is_first_page": f.before is None,
            "retention_days": app_settings.RETENTION_DAYS,
        }
    )
    if request.htmx:
        template = "maillog/partials/_delivery_table.html"
    return render(request, template, context)


@customer_required
def address_log(request, pk):
    address = get_object_or_404(
        Address.objects.for_customer(request.customer).select_related("service__domain"), pk=pk
    )
    form = DeliveryFilterForm(request.GET or None)
    f = _filter(form) if request.GET else DeliveryFilter()
    qs = deliveries_for_address(address_id=address.pk, f=f, now=timezone.now())
    context = {"address": address, "service": address.service, "form": form}
    return _page(request, qs, f, context, "maillog/address_log.html")


@customer_required
def service_log(request, pk):
    service = get_object_or_404(
        MailService.objects.for_customer(request.customer).select_related("domain"), pk=pk
    )
    form = DeliveryFilterForm(request.GET or None)
    f = _filter(form) if request.GET else DeliveryFilter()
    qs = deliveries_for_service(service_id=service.pk, f=f, now=timezone.now())
    context = {"address": None, "service": service, "form": form}
    return _page(request, qs, f, context, "maillog/service_log.html")
