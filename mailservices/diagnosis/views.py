"""Diagnosis pages: results with the records to publish, "Jetzt prüfen", progress, zone."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from mailservices.diagnosis import selectors
from mailservices.diagnosis.services import diagnosis_queue
from mailservices.provisioning.selectors import zone_text
from portal.accounts.decorators import customer_required
from portal.core.ratelimit import rate_limit_exceeded, too_many_requests


@require_GET
@customer_required
def service_diagnosis(request, pk):
    service = selectors.service_for_customer(customer=request.customer, pk=pk)
    history = selectors.service_history(service=service)
    latest = selectors.latest_finished_run(service=service)
    active = next((r for r in history if r.is_active), None)
    return render(
        request,
        "diagnosis/service_diagnosis.html",
        {
            "service": service,
            "run": latest,
            "checks": selectors.checks_of(latest, hosted_zone=service.domain.is_hosted_zone),
            "history": history,
            "active": active,
        },
    )


@require_POST
@customer_required
def run(request, pk):
    service = selectors.service_for_customer(customer=request.customer, pk=pk)
    if rate_limit_exceeded(request, action="diagnosis_run"):
        return too_many_requests()
    diagnosis = diagnosis_queue(service=service)
    if request.htmx:
        diagnosis.refresh_from_db()
        return _progress_or_done(request, diagnosis)
    return redirect("diagnosis:status", pk=diagnosis.pk)


@require_GET
@customer_required
def status(request, pk):
    diagnosis = selectors.run_for_customer(customer=request.customer, pk=pk)
    if request.htmx:
        return _progress_or_done(request, diagnosis)
    if not diagnosis.is_active:
        return redirect(
            reverse("diagnosis:service_diagnosis", args=[diagnosis.service_id]) + "#ergebnis"
        )
    return render(
        request,
        "diagnosis/run_status.html",
        {"service": diagnosis.service, "diagnosis": diagnosis},
    )


def _progress_or_done(request, diagnosis):
    if not diagnosis.is_active:
        # htmx follows HX-Redirect on a 200 (it skips headers of a 204). The query string
        # makes it a real page load even when the browser is already on the page.
        response = HttpResponse("")
        response["HX-Redirect"] = (
            reverse("diagnosis:service_diagnosis", args=[diagnosis.service_id])
            + f"?run={diagnosis.pk}#ergebnis"
        )
        return response
    return render(request, "diagnosis/partials/_progress.html", {"diagnosis": diagnosis})


@require_GET
@customer_required
def zone_export(request, pk):
    service = selectors.service_for_customer(customer=request.customer, pk=pk)
    response = HttpResponse(zone_text(service=service), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{service.domain.name}.zone.txt"'
    return response
