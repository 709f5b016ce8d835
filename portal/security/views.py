"""The customer's "Aktivitäten" page."""

from django.core.paginator import Paginator
from django.shortcuts import render

from portal.accounts.decorators import customer_required
from portal.security.app_settings import app_settings
from portal.security.selectors import activities_for_customer


@customer_required
def activity_list(request):
    """Who did what in the account, newest first, kept 12 months."""
    paginator = Paginator(
        activities_for_customer(customer=request.customer), app_settings.ACTIVITIES_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "security/activity_list.html",
        {"page": page, "retention_days": app_settings.ACTIVITY_RETENTION_DAYS},
    )
