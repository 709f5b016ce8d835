from django.shortcuts import render

from portal.accounts.decorators import customer_required


@customer_required
def overview(request):
    """Übersicht: the customer's start page."""
    return render(request, "dashboard/overview.html", {"customer": request.customer})
