"""Address pages: create (normal and catch-all), detail with client settings, edit, disable,
delete, mail password, aliases, forwards, responder and the Apple profile download."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mailservices import selectors
from mailservices.autoconfig import apple_mobileconfig, client_settings
from mailservices.forms import (
    AddressCreateForm,
    AddressEditForm,
    AliasForm,
    CatchallCreateForm,
    DeleteConfirmForm,
    ForwardForm,
    PasswordSetForm,
    PasswordTestForm,
    ResponderForm,
)
from mailservices.models import CATCHALL_LOCAL_PART, Address
from mailservices.services import addresses as address_services
from portal.accounts.decorators import customer_required
from portal.core.app_settings import app_settings as portal_settings
from portal.core.forms import add_service_error


def _service(request, pk):
    return get_object_or_404(selectors.mailservice_get(customer=request.customer), pk=pk)


def _address(request, pk):
    return get_object_or_404(selectors.address_get(customer=request.customer), pk=pk)


def _quota_full(service) -> bool:
    return service.address_count >= service.address_quota


def _delivery(data) -> dict:
    """Where a new address's mail goes, from the create forms: its mailbox password (mailboxes
    only) and the forward destination, if one was given."""
    return {
        "password": data["password1"] if data["kind"] == Address.Kind.MAILBOX else "",
        "forward_to": [data["destination"]] if data["destination"] else [],
    }


@customer_required
@require_http_methods(["GET", "POST"])
def address_create(request, pk):
    service = _service(request, pk)
    form = AddressCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            address = address_services.address_create(
                service=service,
                local_part=data["local_part"],
                kind=data["kind"],
                display_name=data["display_name"],
                **_delivery(data),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Die Adresse %(address)s wurde erstellt.") % {"address": address}
            )
            return redirect("mailservices:address_detail", pk=address.pk)
    quota_error = any(e.code == "quota_exceeded" for e in form.non_field_errors().as_data())
    context = {
        "service": service,
        "form": form,
        "quota_full": _quota_full(service) or quota_error,
        "catchall_reserved": CATCHALL_LOCAL_PART,
    }
    return render(request, "mailservices/address_create.html", context)


@customer_required
@require_http_methods(["GET", "POST"])
def catchall_create(request, pk):
    service = _service(request, pk)
    existing = service.addresses.filter(local_part=CATCHALL_LOCAL_PART).first()
    form = CatchallCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            address = address_services.catchall_create(
                service=service,
                confirmed=data["confirm"],
                kind=data["kind"],
                **_delivery(data),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Die Catchall-Adresse %(address)s wurde erstellt.") % {"address": address},
            )
            return redirect("mailservices:address_detail", pk=address.pk)
    context = {
        "service": service,
        "form": form,
        "existing": existing,
        "quota_full": _quota_full(service),
    }
    return render(request, "mailservices/catchall_create.html", context)


def _detail_context(address, **forms):
    return {
        "address": address,
        "service": address.service,
        "client": client_settings(address),
        "alias_form": forms.get("alias_form") or AliasForm(),
        "forward_form": forms.get("forward_form") or ForwardForm(),
        "responder": getattr(address, "responder", None),
        "provider_name": portal_settings.PROVIDER_NAME,
    }


@customer_required
def address_detail(request, pk):
    address = _address(request, pk)
    return render(request, "mailservices/address_detail.html", _detail_context(address))


@customer_required
@require_http_methods(["GET", "POST"])
def address_edit(request, pk):
    address = _address(request, pk)
    if request.method == "POST":
        form = AddressEditForm(request.POST)
        if form.is_valid():
            try:
                address_services.address_update(address=address, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Die Änderungen wurden gespeichert."))
                return redirect("mailservices:address_detail", pk=address.pk)
    else:
        form = AddressEditForm(
            initial={
                "display_name": address.display_name,
                "enabled": address.enabled,
            }
        )
    return render(request, "mailservices/address_edit.html", {"address": address, "form": form})


@customer_required
def address_enable(request, pk):
    """Disables or enables an address (a button on the address page)."""
    address = _address(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])  # after the lookup: foreign objects 404
    enabled = request.POST.get("enabled") == "1"
    address_services.address_set_enabled(address=address, enabled=enabled)
    if enabled:
        messages.success(request, _("Die Adresse %(a)s ist wieder aktiv.") % {"a": address})
    else:
        messages.success(
            request,
            _(
                "Die Adresse %(a)s ist deaktiviert: Nachrichten an sie werden abgewiesen, "
                "das Postfach bleibt erhalten."
            )
            % {"a": address},
        )
    return redirect("mailservices:address_detail", pk=address.pk)


@customer_required
@require_http_methods(["GET", "POST"])
def address_delete(request, pk):
    address = _address(request, pk)
    service = address.service
    form = DeleteConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        label = str(address)
        address_services.address_delete(address=address)
        messages.success(request, _("Die Adresse %(a)s wurde gelöscht.") % {"a": label})
        return redirect("mailservices:service_detail", pk=service.pk)
    catchall_exists = (
        not address.is_catchall
        and service.is_paid
        and service.addresses.filter(local_part=CATCHALL_LOCAL_PART, enabled=True).exists()
    )
    context = {"address": address, "form": form, "catchall_exists": catchall_exists}
    return render(request, "mailservices/address_delete.html", context)


@customer_required
@require_http_methods(["GET", "POST"])
def address_password(request, pk):
    address = _address(request, pk)
    if address.kind != Address.Kind.MAILBOX:
        messages.info(request, _("Eine reine Weiterleitung hat kein Postfach und kein Passwort."))
        return redirect("mailservices:address_detail", pk=address.pk)
    set_form, test_form, test_result = PasswordSetForm(), PasswordTestForm(), None
    if request.method == "POST" and request.POST.get("action") == "test":
        test_form = PasswordTestForm(request.POST)
        if test_form.is_valid():
            test_result = address_services.address_test_password(
                address=address, password=test_form.cleaned_data["password"]
            )
            if not request.htmx:
                if test_result:
                    messages.success(request, _("Das Passwort ist korrekt."))
                else:
                    messages.error(
                        request,
                        _("Das Passwort stimmt nicht mit dem gespeicherten Mail-Passwort überein."),
                    )
                return redirect("mailservices:address_password", pk=address.pk)
            test_form = PasswordTestForm()
        if request.htmx:
            return render(
                request,
                "mailservices/partials/_password_test.html",
                {"address": address, "test_form": test_form, "test_result": test_result},
            )
    elif request.method == "POST":
        set_form = PasswordSetForm(request.POST)
        if set_form.is_valid():
            try:
                address_services.address_set_password(
                    address=address, password=set_form.cleaned_data["password1"]
                )
            except ValidationError as exc:
                add_service_error(set_form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Das neue Mail-Passwort ist gespeichert. Tragen Sie es jetzt in allen "
                        "Mailprogrammen und auf allen Geräten ein, die diese Adresse nutzen."
                    ),
                )
                return redirect("mailservices:address_password", pk=address.pk)
    context = {
        "address": address,
        "set_form": set_form,
        "test_form": test_form,
        "test_result": test_result,
    }
    return render(request, "mailservices/address_password.html", context)


@customer_required
@require_http_methods(["GET", "POST"])
def address_responder(request, pk):
    address = _address(request, pk)
    responder = getattr(address, "responder", None)
    if request.method == "POST" and request.POST.get("action") == "delete":
        address_services.responder_delete(address=address)
        messages.success(request, _("Die Abwesenheitsnotiz wurde gelöscht."))
        return redirect("mailservices:address_detail", pk=address.pk)
    if request.method == "POST":
        form = ResponderForm(request.POST)
        if form.is_valid():
            try:
                address_services.responder_save(address=address, **form.cleaned_data)
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Die Abwesenheitsnotiz wurde gespeichert."))
                return redirect("mailservices:address_detail", pk=address.pk)
    else:
        form = ResponderForm(initial=ResponderForm.initial_for(responder))
    context = {"address": address, "form": form, "responder": responder}
    return render(request, "mailservices/address_responder.html", context)


@customer_required
def alias_add(request, pk):
    address = _address(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])  # after the lookup: foreign objects 404
    form = AliasForm(request.POST)
    if form.is_valid():
        try:
            alias = address_services.alias_create(
                address=address, local_part=form.cleaned_data["local_part"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Der Alias %(alias)s@%(domain)s wurde hinzugefügt.")
                % {"alias": alias.local_part, "domain": address.service.domain.unicode_name},
            )
            return redirect("mailservices:address_detail", pk=address.pk)
    context = _detail_context(address, alias_form=form)
    return render(request, "mailservices/address_detail.html", context)


@customer_required
def alias_delete(request, pk):
    alias = get_object_or_404(selectors.alias_get(customer=request.customer), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])  # after the lookup: foreign objects 404
    address_pk = alias.address_id
    address_services.alias_delete(alias=alias)
    messages.success(request, _("Der Alias wurde entfernt."))
    return redirect("mailservices:address_detail", pk=address_pk)


@customer_required
def forward_add(request, pk):
    address = _address(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])  # after the lookup: foreign objects 404
    form = ForwardForm(request.POST)
    if form.is_valid():
        try:
            forward = address_services.forward_create(
                address=address, destination=form.cleaned_data["destination"]
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Die Weiterleitung an %(d)s wurde hinzugefügt.") % {"d": forward.destination},
            )
            return redirect("mailservices:address_detail", pk=address.pk)
    context = _detail_context(address, forward_form=form)
    return render(request, "mailservices/address_detail.html", context)


@customer_required
def forward_delete(request, pk):
    forward = get_object_or_404(selectors.forward_get(customer=request.customer), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])  # after the lookup: foreign objects 404
    address_pk = forward.address_id
    try:
        address_services.forward_delete(forward=forward)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Die Weiterleitung wurde entfernt."))
    return redirect("mailservices:address_detail", pk=address_pk)


@customer_required
def address_mobileconfig(request, pk):
    """An Apple configuration profile (.mobileconfig) for this address."""
    address = _address(request, pk)
    address_services.address_note_client_setup(
        service=address.service, local_part=address.local_part
    )
    response = HttpResponse(
        apple_mobileconfig(address), content_type="application/x-apple-aspen-config"
    )
    filename = f"{address.local_part}@{address.service.domain.name}.mobileconfig"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
