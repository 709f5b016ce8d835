"""Pages of the message tools: message check (run by Celery), bounce explainer, phishing
reports."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from messagetools.app_settings import app_settings
from messagetools.engine import NotAMessage
from messagetools.engine.bounce import explain_bounce
from messagetools.forms import BounceForm, MessageSourceForm, PhishingReportForm
from messagetools.guides import address_usage_url, guide_url
from messagetools.models import PhishingReport
from messagetools.selectors import (
    address_for_emails,
    message_check_for_customer,
    message_check_list,
    message_check_result,
    phishing_report_list,
)
from messagetools.services import (
    message_check_create,
    message_check_delete,
    message_check_requeue,
    phishing_report_create,
)
from portal.accounts.decorators import customer_required
from portal.core.ratelimit import rate_limit_exceeded, too_many_requests

SESSION_BOUNCE = "messagetools.bounce_result"
CHECKS_PER_PAGE = 10


@customer_required
def index(request):
    return render(request, "messagetools/index.html")


@customer_required
@require_http_methods(["GET", "POST"])
def message_check(request):
    """Would our filters reject this message, and why? (docs/product.md §5)

    The upload is validated here (bad input: a message on the form, nothing stored); the
    check itself runs in Celery and its page shows the progress.
    """
    form = (
        MessageSourceForm(request.POST, request.FILES)
        if request.method == "POST"
        else MessageSourceForm()
    )
    if request.method == "POST" and form.is_valid():
        if rate_limit_exceeded(request, action="message_check"):
            return too_many_requests()
        try:
            check = message_check_create(
                customer=request.customer,
                raw=form.cleaned_data["raw"],
                language=request.LANGUAGE_CODE,
            )
        except NotAMessage as error:
            form.add_error(None, str(error))
        else:
            detail = reverse("messagetools:check_detail", args=[check.pk])
            if not request.htmx:
                return redirect(detail)
            check.refresh_from_db()
            response = render(
                request,
                "messagetools/partials/_check_area.html",
                _check_context(check, form=MessageSourceForm()),
            )
            response["HX-Push-Url"] = detail
            return response
    if request.htmx:
        return render(
            request, "messagetools/partials/_check_area.html", {"form": form, **_keep_days()}
        )
    page = Paginator(message_check_list(customer=request.customer), CHECKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "messagetools/message_check.html",
        {"form": form, "page": page, "checks": page.object_list, **_keep_days()},
    )


def _keep_days() -> dict:
    return {"keep_days": app_settings.CHECK_KEEP_DAYS}


def _check_context(check, **extra) -> dict:
    return {"check": check, "result": message_check_result(check), **_keep_days(), **extra}


@require_GET
@customer_required
def check_detail(request, pk: int):
    """A check's progress while it runs (htmx polls this), then its findings."""
    check = message_check_for_customer(customer=request.customer, pk=pk)
    if request.htmx:
        return render(request, "messagetools/partials/_check_run.html", _check_context(check))
    return render(
        request,
        "messagetools/message_check_detail.html",
        _check_context(check, form=MessageSourceForm()),
    )


@require_POST
@customer_required
def check_run(request, pk: int):
    """ "Erneut prüfen": the stored message goes through the check again."""
    check = message_check_for_customer(customer=request.customer, pk=pk)
    if rate_limit_exceeded(request, action="message_check"):
        return too_many_requests()
    check = message_check_requeue(check=check, language=request.LANGUAGE_CODE)
    if request.htmx:
        check.refresh_from_db()
        return render(request, "messagetools/partials/_check_run.html", _check_context(check))
    return redirect("messagetools:check_detail", pk=check.pk)


@require_POST
@customer_required
def check_delete(request, pk: int):
    """Deletes a check with the stored message at once (otherwise the clean-up does it)."""
    check = message_check_for_customer(customer=request.customer, pk=pk)
    message_check_delete(check=check)
    messages.success(request, _("Die Prüfung und die gespeicherte Nachricht sind gelöscht."))
    return redirect("messagetools:message_check")


def _bounce_result(request, explanation) -> dict:
    data = explanation.as_dict()
    data["found_anything"] = explanation.found_anything
    data["guide_url"] = guide_url(explanation.guide_slug) if explanation.guide_slug else ""
    data["limits_url"] = ""
    if explanation.shows_limits:
        emails = [explanation.original_sender, *explanation.mentioned_addresses]
        address = address_for_emails(customer=request.customer, emails=emails)
        data["limits_url"] = address_usage_url(address.pk) if address else ""
        data["limits_address"] = (
            f"{address.local_part}@{address.service.domain.name}" if address else ""
        )
    data["check_url"] = reverse("messagetools:message_check")
    return data


@customer_required
@require_http_methods(["GET", "POST"])
def bounce(request):
    """Explains a bounce (DSN or pasted text) in plain words, with the guide to read."""
    form = BounceForm(request.POST, request.FILES) if request.method == "POST" else BounceForm()
    result = None
    if request.method == "POST" and form.is_valid():
        result = _bounce_result(request, explain_bounce(form.cleaned_data["raw"]))
        if not request.htmx:
            request.session[SESSION_BOUNCE] = result
            return redirect(reverse("messagetools:bounce") + "#ergebnis")
    elif request.method == "GET":
        result = request.session.pop(SESSION_BOUNCE, None)
    context = {"form": form, "result": result}
    if request.htmx:
        return render(request, "messagetools/partials/_bounce_area.html", context)
    return render(request, "messagetools/bounce.html", context)


@customer_required
@require_http_methods(["GET", "POST"])
def phishing_new(request):
    """ "Als Phishing melden": upload the message; we store it and tell the abuse team."""
    form = (
        PhishingReportForm(request.POST, request.FILES)
        if request.method == "POST"
        else PhishingReportForm()
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = phishing_report_create(
                customer=request.customer,
                reported_by=request.user,
                raw=form.cleaned_data["raw"],
                note=form.cleaned_data.get("note", ""),
            )
        except NotAMessage as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Danke! Ihre Meldung ist bei unserem Abuse-Team. Sie können die Nachricht "
                    "jetzt in Ihrem Postfach löschen."
                ),
            )
            return redirect("messagetools:phishing_detail", pk=report.pk)
    return render(
        request,
        "messagetools/phishing_new.html",
        {"form": form, "ncsc_url": app_settings.NCSC_REPORT_URL},
    )


@customer_required
def phishing_list(request):
    page = Paginator(phishing_report_list(customer=request.customer), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "messagetools/phishing_list.html",
        {"page": page, "reports": page.object_list, "ncsc_url": app_settings.NCSC_REPORT_URL},
    )


@customer_required
def phishing_detail(request, pk: int):
    report = get_object_or_404(PhishingReport.objects.for_customer(request.customer), pk=pk)
    return render(
        request,
        "messagetools/phishing_detail.html",
        {"report": report, "ncsc_url": app_settings.NCSC_REPORT_URL},
    )
