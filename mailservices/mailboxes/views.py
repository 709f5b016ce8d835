"""Customer pages of the mail import: form -> preview -> start -> progress -> report.

The preview connects while the customer waits (a few seconds at most, bounded by the
timeout); the password then travels to the start step only as an encrypted, 15-minute token
bound to the address and the user, and lives in the job (encrypted) until it ends.
"""

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mailservices import selectors as mail_selectors
from mailservices.mailboxes import sealing
from mailservices.mailboxes.forms import ImportSourceForm
from mailservices.mailboxes.imap.connection import ImapError
from mailservices.mailboxes.importer import (
    ImportRefused,
    Preview,
    import_cancel,
    import_preview,
    import_start,
    source_endpoint,
)
from mailservices.mailboxes.selectors import imports_for_customer, recent_imports
from portal.accounts.decorators import customer_required

TOKEN_SECONDS = 15 * 60


def _mailbox(request, pk):
    return get_object_or_404(
        mail_selectors.address_get(customer=request.customer).filter(kind="mailbox"), pk=pk
    )


@customer_required
def import_new(request, pk):
    """The old provider's server and login; POST connects and shows the preview."""
    address = _mailbox(request, pk)
    if request.method == "POST":
        form = ImportSourceForm(request.POST)
        if form.is_valid():
            source = source_endpoint(**form.cleaned_data)
            try:
                preview = import_preview(address=address, source=source)
            except ImapError as exc:
                form.add_error(None, str(exc))
            else:
                token = sealing.seal(
                    {
                        **form.cleaned_data,
                        "address": address.pk,
                        "user": request.user.pk,
                        "preview": preview.folders,
                    }
                )
                return render(
                    request,
                    "mailboxes/import_preview.html",
                    {"address": address, "preview": preview, "token": token, "source": source},
                )
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


@require_POST
@customer_required
def import_start_view(request, pk):
    address = _mailbox(request, pk)
    data = sealing.unseal(request.POST.get("token", ""), ttl=TOKEN_SECONDS)
    if not data or data.get("address") != address.pk or data.get("user") != request.user.pk:
        messages.error(
            request, _("Die Vorschau ist abgelaufen; bitte geben Sie die Angaben erneut ein.")
        )
        return redirect("mailboxes:import_new", pk=address.pk)
    source = source_endpoint(
        host=data["host"],
        port=data["port"],
        security=data["security"],
        login=data["login"],
        password=data["password"],
    )
    folders = data.get("preview") or []
    preview = Preview(
        folders=folders,
        messages=sum(f["messages"] for f in folders),
        bytes=sum(f["bytes"] for f in folders),
        free_bytes=0,
    )
    try:
        job = import_start(address=address, source=source, preview=preview)
    except ImportRefused as exc:
        messages.error(request, str(exc))
        return redirect("mailboxes:import_new", pk=address.pk)
    return redirect("mailboxes:import_detail", pk=job.pk)


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
