from django.shortcuts import render

from portal.accounts.decorators import customer_required
from portal.dashboard.selectors import overview_counts, overview_services


@customer_required
def overview(request):
    """Übersicht: the customer's services at a glance, what needs attention, where to go."""
    services = list(overview_services(customer=request.customer))
    return render(
        request,
        "dashboard/overview.html",
        {
            "customer": request.customer,
            "services": services,
            "counts": overview_counts(customer=request.customer),
            "needs_attention": [s for s in services if s.diagnosis_status in ("error", "warning")],
        },
    )
