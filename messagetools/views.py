"""Pages of the message tools: message check, bounce explainer, phishing reports."""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from messagetools.app_settings import app_settings
from messagetools.engine import NotAMessage, check_message
from messagetools.engine.bounce import explain_bounce
from messagetools.forms import BounceForm, MessageSourceForm, PhishingReportForm
from messagetools.guides import FINDING_GUIDES, address_usage_url, guide_url
from messagetools.models import PhishingReport
from messagetools.selectors import address_for_emails, phishing_report_list
from messagetools.services import phishing_report_create
from messagetools.spf import sender_spf
from portal.accounts.decorators import customer_required

SESSION_CHECK = "messagetools.check_result"
SESSION_BOUNCE = "messagetools.bounce_result"


def _check_result(report) -> dict:
    """A check report as plain data for the page (and the session, for POST-redirect-GET)."""
    findings = []
    for finding in report.sorted_findings():
        data = finding.as_dict()
        slug = FINDING_GUIDES.get(finding.code)
        data["guide_url"] = guide_url(slug) if slug else ""
        findings.append(data)
    return {
        "verdict": str(report.verdict),
        "findings": findings,
        "subject": report.subject,
        "sender": report.sender,
        "size": report.size,
        "guide_url": guide_url("spam-abgelehnt"),
        "json_text": json.dumps(report.as_dict(), ensure_ascii=False, indent=2),
    }


@customer_required
def index(request):
    return render(request, "messagetools/index.html")


@customer_required
@require_http_methods(["GET", "POST"])
def message_check(request):
    """Would our filters reject this message, and why? (SPEC §5)"""
    form = (
        MessageSourceForm(request.POST, request.FILES)
        if request.method == "POST"
        else MessageSourceForm()
    )
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            report = check_message(form.cleaned_data["raw"], spf_checker=sender_spf)
        except NotAMessage as error:
            form.add_error(None, str(error))
        else:
            result = _check_result(report)
            if not request.htmx:
                request.session[SESSION_CHECK] = result
                return redirect(reverse("messagetools:message_check") + "#ergebnis")
    elif request.method == "GET":
        result = request.session.pop(SESSION_CHECK, None)
    context = {"form": form, "result": result}
    if request.htmx:
        return render(request, "messagetools/partials/_check_area.html", context)
    return render(request, "messagetools/message_check.html", context)


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
