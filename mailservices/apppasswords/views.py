"""The app-password page of an address (list, create, revoke, "only app passwords") and the
endpoint Dovecot's auth policy reports successful logins to."""

import hmac
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from mailservices.apppasswords import keys, selectors, services
from mailservices.apppasswords.app_settings import app_settings
from mailservices.apppasswords.forms import AppPasswordCreateForm, AppPasswordsOnlyForm
from mailservices.models import Address
from portal.accounts.decorators import customer_required
from portal.core.forms import add_service_error

PAGE = "apppasswords/app_passwords.html"
SECTION = "apppasswords/partials/_section.html"


def _address(request, pk):
    address = get_object_or_404(
        selectors.address_for_app_passwords(customer=request.customer), pk=pk
    )
    return address


def _render(request, address, *, form=None, created=None):
    context = {
        "address": address,
        "service": address.service,
        "form": form or AppPasswordCreateForm(),
        "app_passwords": selectors.app_passwords_of(address=address),
        "created": created,
        "max_per_address": app_settings.MAX_PER_ADDRESS,
    }
    response = render(request, SECTION if request.htmx else PAGE, context)
    if created is not None:
        # The clear text is in this response only: no cache may keep it.
        response["Cache-Control"] = "no-store"
    return response


@customer_required
@require_http_methods(["GET", "POST"])
def address_app_passwords(request, pk):
    """GET: the list and the form. POST: creates one and shows its password once (in this
    response, no redirect: the clear text is stored nowhere to show it later)."""
    address = _address(request, pk)
    if address.kind != Address.Kind.MAILBOX:
        messages.info(
            request, _("Eine reine Weiterleitung hat kein Postfach und keine App-Passwörter.")
        )
        return redirect("mailservices:address_detail", pk=address.pk)
    if request.method == "GET":
        return _render(request, address)
    form = AppPasswordCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.app_password_create(
                address=address,
                name=data["name"],
                protocols=data["protocols"],
                password=data["password1"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            return _render(request, address, created=created)
    return _render(request, address, form=form)


@customer_required
@require_http_methods(["GET", "POST"])
def app_password_revoke(request, pk):
    """GET: a confirmation page (works without JavaScript). POST: revokes at once."""
    app_password = get_object_or_404(selectors.app_password_get(customer=request.customer), pk=pk)
    address = app_password.address
    if request.method == "GET":
        return render(
            request,
            "apppasswords/app_password_revoke.html",
            {"app_password": app_password, "address": address, "service": address.service},
        )
    services.app_password_revoke(app_password=app_password)
    message = _("Das App-Passwort „%(name)s“ ist widerrufen; es meldet sich nicht mehr an.") % {
        "name": app_password.name
    }
    if request.htmx:
        return _render(request, _address(request, address.pk))
    messages.success(request, message)
    return redirect("apppasswords:address_app_passwords", pk=address.pk)


@customer_required
@require_POST
def address_app_passwords_only(request, pk):
    """Switches "only app passwords" (the mail password stops logging in) on or off."""
    address = _address(request, pk)
    form = AppPasswordsOnlyForm(request.POST)
    if form.is_valid():
        try:
            services.app_passwords_only_set(address=address, enabled=form.cleaned_data["enabled"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return _render(request, _address(request, pk))
    return redirect("apppasswords:address_app_passwords", pk=address.pk)


@csrf_exempt
@require_POST
def auth_report(request):
    """Dovecot's auth policy (`command=report`) after each login: remembers the last use of
    an app password. Only Dovecot knows the token; the answer is what Dovecot expects."""
    header = request.headers.get("Authorization", "")
    expected = f"Bearer {app_settings.REPORT_TOKEN}"
    if not hmac.compare_digest(header.encode(), expected.encode()):
        return HttpResponseForbidden()
    if request.GET.get("command") == "report":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return HttpResponse(status=400)
        use = keys.parse_report(data)
        if use is not None:
            services.app_password_record_use(use=use)
    return JsonResponse({"status": 0, "msg": ""})
