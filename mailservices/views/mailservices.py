"""Product table, service page (with onboarding) and the service's settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mailservices import selectors
from mailservices.diagnosis.selectors import latest_finished_run
from mailservices.forms import ServiceSettingsForm
from mailservices.models import CATCHALL_LOCAL_PART
from mailservices.services import mailservice_update_settings
from portal.accounts.decorators import customer_required
from portal.core.forms import add_service_error

DIAGNOSIS_SUMMARY = "diagnosis/partials/_summary.html"
ADDRESSES_PER_PAGE = 50


@customer_required
def product_list(request):
    """Produkte: the customer's mail services with their address counts."""
    services = list(selectors.mailservice_list(customer=request.customer))
    return render(request, "mailservices/product_list.html", {"services": services})


def _diagnosis_green(service) -> bool:
    """Whether the latest finished diagnosis of the service is all green."""
    run = latest_finished_run(service=service)
    return run is not None and run.status == "ok"


def onboarding_steps(*, service, facts: dict, diagnosis_available: bool) -> list[dict]:
    """The four first steps of a new service and whether each is done."""
    return [
        {"key": "address", "done": facts["total"] > 0},
        {"key": "password", "done": facts["tested"] > 0},
        {"key": "device", "done": facts["configured"] > 0},
        {"key": "diagnosis", "done": diagnosis_available and _diagnosis_green(service)},
    ]


@customer_required
def service_detail(request, pk):
    service = get_object_or_404(selectors.mailservice_get(customer=request.customer), pk=pk)
    # A service may hold hundreds of addresses: the table shows them a page at a time, and
    # what the page says about all of them comes from one aggregate query.
    paginator = Paginator(selectors.service_addresses(service=service), ADDRESSES_PER_PAGE)
    paginator.count = service.address_count  # counted already by mailservice_get
    page = paginator.get_page(request.GET.get("page"))
    facts = selectors.service_address_facts(service=service)
    diagnosis_partial = DIAGNOSIS_SUMMARY
    steps = onboarding_steps(
        service=service, facts=facts, diagnosis_available=bool(diagnosis_partial)
    )
    context = {
        "service": service,
        "addresses": page.object_list,
        "page": page,
        "quota_full": service.address_count >= service.address_quota,
        "quota_percent": min(100, round(100 * service.address_count / service.address_quota)),
        "has_catchall": facts["catchall"] > 0,
        "steps": steps,
        # Shown until every step that can be checked here is done.
        "show_onboarding": not all(
            step["done"] for step in steps if step["key"] != "diagnosis" or diagnosis_partial
        ),
        "first_mailbox_pk": facts["first_mailbox"],
        "diagnosis_partial": diagnosis_partial,
    }
    return render(request, "mailservices/service_detail.html", context)


@customer_required
@require_http_methods(["GET", "POST"])
def service_settings(request, pk):
    service = get_object_or_404(selectors.mailservice_get(customer=request.customer), pk=pk)
    catchall = (
        service.addresses.filter(local_part=CATCHALL_LOCAL_PART)
        .select_related("service__domain")
        .first()
    )
    if request.method == "POST":
        form = ServiceSettingsForm(request.POST, service=service, catchall=catchall)
        if form.is_valid():
            try:
                mailservice_update_settings(service=service, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Die Einstellungen wurden gespeichert."))
                return redirect("mailservices:service_settings", pk=service.pk)
    else:
        form = ServiceSettingsForm(
            initial={
                "spam_filter_enabled": service.spam_filter_enabled,
                "external_warning_enabled": service.external_warning_enabled,
            },
            service=service,
            catchall=catchall,
        )
    context = {"service": service, "form": form, "catchall": catchall}
    return render(request, "mailservices/service_settings.html", context)
