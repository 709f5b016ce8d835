"""The DNS editor of a hosted domain: records (list, add, change, delete), the DS record
for the registry, and the change history with rollback. htmx swaps the editor section;
without JavaScript every form is a plain POST-redirect-GET."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from mailservices.diagnosis.services import diagnosis_queue
from mailservices.forms import add_service_error
from mailservices.hosteddns.selectors import zone_ds_records
from mailservices.models import MailService
from mailservices.provisioning import selectors, services
from mailservices.provisioning.forms import ManagedConfirmForm, ZoneRecordForm
from mailservices.provisioning.models import DkimKey
from mailservices.provisioning.rotation import dkim_rotation_advance, dkim_rotation_start
from mailservices.provisioning.selectors import dkim_record_lines
from portal.accounts.decorators import customer_required


def _editor_context(domain, form=None):
    return {
        "domain": domain,
        "records": selectors.zone_records(domain=domain),
        "form": form or ZoneRecordForm(),
        "ds_records": zone_ds_records(domain=domain),
        "history": selectors.zone_history(domain=domain),
    }


@customer_required
@require_http_methods(["GET", "POST"])
def zone_detail(request, pk):
    domain = get_object_or_404(selectors.hosted_domains(customer=request.customer), pk=pk)
    form = ZoneRecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.zone_record_create(
                domain=domain,
                name=data["name"],
                type=data["type"],
                ttl=data["ttl"],
                value=data["value"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Der Eintrag %(name)s %(type)s wurde gespeichert und ist sofort aktiv.")
                % {"name": record.name, "type": record.type},
            )
            if request.htmx:
                return render(
                    request,
                    "provisioning/partials/_zone_editor.html",
                    _editor_context(domain),
                )
            return redirect("provisioning:zone_detail", pk=domain.pk)
    template = (
        "provisioning/partials/_zone_editor.html"
        if request.htmx and request.method == "POST"
        else "provisioning/zone_detail.html"
    )
    return render(request, template, _editor_context(domain, form))


@customer_required
@require_http_methods(["GET", "POST"])
def record_edit(request, pk):
    record = get_object_or_404(selectors.zone_record_get(customer=request.customer), pk=pk)
    initial = {"name": record.name, "type": record.type, "ttl": record.ttl, "value": record.value}
    form = ZoneRecordForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.zone_record_update(
                record=record,
                name=data["name"],
                type=data["type"],
                ttl=data["ttl"],
                value=data["value"],
                user=request.user,
                confirmed=data["confirm"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Der Eintrag wurde geändert und ist sofort aktiv."))
            return redirect("provisioning:zone_detail", pk=record.domain_id)
    return render(
        request,
        "provisioning/record_edit.html",
        {"record": record, "domain": record.domain, "form": form},
    )


@customer_required
@require_http_methods(["GET", "POST"])
def record_delete(request, pk):
    record = get_object_or_404(selectors.zone_record_get(customer=request.customer), pk=pk)
    form = ManagedConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.zone_record_delete(
                record=record, user=request.user, confirmed=form.cleaned_data["confirm"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Der Eintrag wurde gelöscht."))
            return redirect("provisioning:zone_detail", pk=record.domain_id)
    return render(
        request,
        "provisioning/record_delete.html",
        {"record": record, "domain": record.domain, "form": form},
    )


@customer_required
@require_POST
def change_rollback(request, pk):
    change = get_object_or_404(selectors.zone_change_get(customer=request.customer), pk=pk)
    try:
        services.zone_change_rollback(change=change, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Die Änderung wurde rückgängig gemacht."))
    return redirect("provisioning:zone_detail", pk=change.domain_id)


@require_http_methods(["GET", "HEAD"])
def mta_sts_policy(request):
    """RFC 8461 policy, public: https://mta-sts.<domain>/.well-known/mta-sts.txt (the host
    names the domain; the name `mta-sts.<domain>` is a CNAME to the portal)."""
    domain = selectors.mta_sts_domain_for_host(request.get_host())
    policy = selectors.mta_sts_policy(domain=domain) if domain else None
    if policy is None:
        raise Http404("No MTA-STS policy for this host.")
    response = HttpResponse(policy, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "max-age=300"
    return response


@customer_required
@require_POST
def zone_correct(request, pk):
    """\"Einträge automatisch korrigieren" (from the diagnosis): our mail records back in
    place, then a fresh diagnosis."""
    domain = get_object_or_404(selectors.hosted_domains(customer=request.customer), pk=pk)
    count = services.zone_correct_mail_records(domain=domain, user=request.user)
    service = getattr(domain, "mail_service", None)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s Eintrag wurde korrigiert; er ist sofort aktiv.",
                "%(count)s Einträge wurden korrigiert; sie sind sofort aktiv.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Die Einträge für E-Mail waren schon richtig."))
    if service is not None:
        diagnosis_queue(service=service)
        return redirect("diagnosis:service_diagnosis", pk=service.pk)
    return redirect("provisioning:zone_detail", pk=domain.pk)


def _service_for(request, pk):
    return get_object_or_404(
        MailService.objects.for_customer(request.customer).select_related("domain", "dkim_key"),
        pk=pk,
    )


@customer_required
@require_http_methods(["GET"])
def dkim_detail(request, pk):
    """The service's DKIM key and its rotation, step by step."""
    service = _service_for(request, pk)
    rotation = service.dkim_rotations.first()
    return render(
        request,
        "provisioning/dkim_detail.html",
        {
            "service": service,
            "key": getattr(service, "dkim_key", None),
            "rotation": rotation,
            "new_record": rotation and dkim_record_lines(service.domain, rotation),
        },
    )


@customer_required
@require_POST
def dkim_rotate(request, pk):
    """Starts a rotation, or (when one is open) checks whether it can move on now."""
    service = _service_for(request, pk)
    open_rotation = service.dkim_rotations.exclude(step="done").first()
    try:
        if open_rotation is None:
            dkim_rotation_start(service=service)
            messages.success(request, _("Der neue Schlüssel ist erstellt und veröffentlicht."))
        else:
            dkim_rotation_advance(rotation=open_rotation)
    except (ValidationError, DkimKey.DoesNotExist) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("provisioning:dkim_detail", pk=service.pk)


@customer_required
@require_POST
def dkim_ed25519(request, pk):
    """Adds an Ed25519 key beside RSA (RFC 8463)."""
    service = _service_for(request, pk)
    try:
        services.dkim_ed25519_enable(service=service)
    except DkimKey.DoesNotExist:
        messages.error(request, _("Der Schlüssel wird gerade erstellt."))
    else:
        messages.success(request, _("Ed25519 ist eingerichtet: wir signieren zusätzlich damit."))
    return redirect("provisioning:dkim_detail", pk=service.pk)
