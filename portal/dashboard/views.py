from django.shortcuts import render

from portal.accounts.decorators import customer_required
from portal.dashboard.selectors import (
    busiest_by_service,
    overview_counts,
    overview_services,
    overview_todos,
    sending_usage,
)


@customer_required
def overview(request):
    """Übersicht: the customer's services at a glance, what needs attention, where to go."""
    services = list(overview_services(customer=request.customer))
    usage = sending_usage(customer=request.customer)
    busiest = busiest_by_service(usage)
    for service in services:
        service.busiest = busiest.get(service.pk)
    return render(
        request,
        "dashboard/overview.html",
        {
            "customer": request.customer,
            "services": services,
            "counts": overview_counts(customer=request.customer),
            "needs_attention": [s for s in services if s.diagnosis_status in ("error", "warning")],
            "todos": overview_todos(customer=request.customer, usage=usage),
        },
    )
