"""Customer pages of the mail import: form -> preview -> start -> progress -> report.

The preview is a background job (`previews.py`): the form queues it and its page polls
until the worker has counted the old provider's folders. The password stays sealed in the
preview until "Import starten" hands it to the import job, which deletes it when it ends.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mailservices import selectors as mail_selectors
from mailservices.mailboxes.forms import ImportSourceForm
from mailservices.mailboxes.importer import ImportRefused, import_cancel
from mailservices.mailboxes.previews import (
    import_preview_cancel,
    import_preview_request,
    import_preview_result,
    import_start_from_preview,
)
from mailservices.mailboxes.selectors import (
    import_previews_for_user,
    imports_for_customer,
    recent_imports,
)
from portal.accounts.decorators import customer_required
from portal.core.ratelimit import rate_limit_exceeded


def _mailbox(request, pk):
    return get_object_or_404(
        mail_selectors.address_get(customer=request.customer).filter(kind="mailbox"), pk=pk
    )


def form_url(address_pk: int, job) -> str:
    """The form again, filled in with the server and login of `job` (never the password)."""
    query = urlencode(
        {"host": job.host, "port": job.port, "security": job.security, "login": job.login}
    )
    return f"{reverse('mailboxes:import_new', args=[address_pk])}?{query}"


@customer_required
def import_new(request, pk):
    """The old provider's server and login; POST queues the preview and shows its page."""
    address = _mailbox(request, pk)
    if request.method == "POST":
        form = ImportSourceForm(request.POST)
        if form.is_valid() and rate_limit_exceeded(request, action="import_preview"):
            form.add_error(
                None,
                _(
                    "Sie haben in der letzten Stunde zu viele Vorschauen angefordert. "
                    "Bitte versuchen Sie es später noch einmal."
                ),
            )
        elif form.is_valid():
            job = import_preview_request(
                address=address,
                user=request.user,
                language=request.LANGUAGE_CODE,
                **form.cleaned_data,
            )
            return redirect("mailboxes:import_preview", pk=job.pk)
    elif request.method == "GET":
        initial = {
            k: request.GET[k] for k in ("host", "port", "security", "login") if k in request.GET
        }
        form = ImportSourceForm(initial=initial or None)
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "mailboxes/import_form.html",
        {"address": address, "form": form, "imports": recent_imports(address)},
    )


def _preview(request, pk):
    return get_object_or_404(
        import_previews_for_user(customer=request.customer, user=request.user), pk=pk
    )


@require_GET
@customer_required
def import_preview(request, pk):
    """The preview's progress while the worker counts (htmx polls this), then its result."""
    job = _preview(request, pk)
    context = {
        "job": job,
        "address": job.address,
        "preview": import_preview_result(job) if job.state == job.State.DONE else None,
        "form_url": form_url(job.address_id, job),
    }
    if request.htmx:
        response = render(request, "mailboxes/partials/_import_preview_run.html", context)
        response["HX-Retarget"] = "#import-preview-run"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "mailboxes/import_preview.html", context)


@require_POST
@customer_required
def import_preview_cancel_view(request, pk):
    job = _preview(request, pk)
    if import_preview_cancel(job=job):
        messages.success(request, _("Die Vorschau wurde abgebrochen."))
    return redirect(form_url(job.address_id, job))


@require_POST
@customer_required
def import_start_view(request, pk):
    job = _preview(request, pk)
    try:
        started = import_start_from_preview(job=job, user=request.user)
    except ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect(form_url(job.address_id, job))
    return redirect("mailboxes:import_detail", pk=started.pk)


@require_GET
@customer_required
def import_detail(request, pk):
    """Progress while the import runs (htmx polls this), then its report."""
    job = get_object_or_404(imports_for_customer(request.customer), pk=pk)
    context = {"job": job, "address": job.address, "failures": list(job.failures.all()[:200])}
    if request.htmx:
        # The progress partial polls itself; the whole run (with the cancel button, or the
        # report once it is over) replaces the block each time.
        response = render(request, "mailboxes/partials/_import_run.html", context)
        response["HX-Retarget"] = "#import-run"
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "mailboxes/import_detail.html", context)


@require_POST
@customer_required
def import_cancel_view(request, pk):
    job = get_object_or_404(imports_for_customer(request.customer), pk=pk)
    if import_cancel(job=job):
        messages.success(request, _("Der Import wurde abgebrochen."))
    return redirect("mailboxes:import_detail", pk=job.pk)
