"""Customer pages of the shop: catalogue, cart, checkout, orders and invoice PDFs."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mailservices.models import MailService
from mailservices.plans import plan_facts
from portal.accounts.decorators import customer_required
from portal.core.forms import add_service_error
from portal.shop import selectors, services
from portal.shop.forms import (
    AddressesForm,
    CheckoutForm,
    PlanChangeForm,
    QuantityForm,
    ServiceForm,
)
from portal.shop.invoice_pdf import render_invoice_pdf
from portal.shop.models import CartLine, Product


def _services(customer):
    return (
        MailService.objects.for_customer(customer)
        .select_related("domain")
        .annotate(used=Count("addresses"))
        .order_by("domain__name")
    )


@customer_required
@require_GET
def index(request):
    """The catalogue: plans, domain registration and address packs at today's prices."""
    products = list(selectors.catalogue())
    return render(
        request,
        "shop/index.html",
        {
            "plans": [p for p in products if p.kind == Product.Kind.PLAN],
            "domain_product": next((p for p in products if p.kind == Product.Kind.DOMAIN), None),
            "packs": [p for p in products if p.kind == Product.Kind.ADDRESS_PACK],
            "services": _services(request.customer),
        },
    )


def _render_cart(request, summary, *, status=200, line_errors=None):
    context = {"summary": summary, "line_errors": line_errors or {}}
    if request.htmx:
        return render(request, "shop/partials/_cart_update.html", context, status=status)
    return render(request, "shop/cart.html", context, status=status)


@customer_required
@require_GET
def cart(request):
    return _render_cart(request, selectors.cart_summary(customer=request.customer))


def _customer_line(request, pk) -> CartLine:
    return get_object_or_404(CartLine.objects.filter(cart__customer=request.customer), pk=pk)


@customer_required
@require_POST
def cart_line_update(request, pk):
    """Changes the number of address packs of a line (htmx: the cart part and the badge)."""
    line = _customer_line(request, pk)
    form = QuantityForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            services.cart_line_update(
                customer=request.customer, line=line, quantity=form.cleaned_data["quantity"]
            )
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = form.errors["quantity"]
    if request.htmx:
        summary = selectors.cart_summary(customer=request.customer)
        return _render_cart(request, summary, line_errors={line.pk: errors} if errors else None)
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, _("Die Menge wurde geändert."))
    return redirect("shop:cart")


@customer_required
@require_POST
def cart_line_remove(request, pk):
    line = _customer_line(request, pk)
    services.cart_line_remove(customer=request.customer, line=line)
    if request.htmx:
        return _render_cart(request, selectors.cart_summary(customer=request.customer))
    messages.success(request, _("Die Position wurde aus dem Warenkorb entfernt."))
    return redirect("shop:cart")


@customer_required
@require_http_methods(["GET", "POST"])
def add_service(request):
    """A new mail service for a domain: register the domain with us, or bring your own."""
    plans = selectors.catalogue().filter(kind=Product.Kind.PLAN)
    if request.method == "POST":
        form = ServiceForm(request.POST, plans=plans)
        if form.is_valid():
            try:
                services.cart_add_service(
                    customer=request.customer,
                    domain_name=form.cleaned_data["domain"],
                    plan_product=form.cleaned_data["plan"],
                    register_domain=form.cleaned_data["domain_option"]
                    == ServiceForm.DOMAIN_REGISTER,
                )
            except ValidationError as exc:
                add_service_error(form, exc, "domain")
            else:
                messages.success(request, _("Der E-Mail-Dienst liegt im Warenkorb."))
                return redirect("shop:cart")
    else:
        initial = {"domain": request.GET.get("domain", "")[:253]}
        plan_code = request.GET.get("plan")
        chosen = plans.filter(code=plan_code).first() if plan_code else None
        initial["plan"] = chosen or plans.filter(plan="service_mail_starter").first()
        if initial["domain"] and selectors.is_own_domain(
            customer=request.customer, name=initial["domain"]
        ):
            initial["domain_option"] = ServiceForm.DOMAIN_EXISTING
        form = ServiceForm(initial=initial, plans=plans)
    return render(
        request,
        "shop/add_service.html",
        {"form": form, "plans": list(plans), "domain_product": selectors.domain_product()},
    )


@customer_required
@require_GET
def domain_check(request):
    """htmx: whether the typed domain can get a new mail service."""
    name = request.GET.get("domain", "").strip()[:253]
    register = request.GET.get("domain_option", "register") == ServiceForm.DOMAIN_REGISTER
    status, message = "", ""
    if name:
        status, message = selectors.domain_availability(
            customer=request.customer, name=name, register=register
        )
    return render(
        request, "shop/partials/_domain_check.html", {"status": status, "message": message}
    )


@customer_required
@require_http_methods(["GET", "POST"])
def add_addresses(request, service_pk):
    """More addresses for one of the customer's services (the cart icon on the service page)."""
    service = get_object_or_404(_services(request.customer), pk=service_pk)
    packs = selectors.catalogue().filter(kind=Product.Kind.ADDRESS_PACK).order_by("pack_size")
    form = AddressesForm(request.POST or None, packs=packs, initial={"pack": packs.first()})
    if request.method == "POST" and form.is_valid():
        try:
            services.cart_add_addresses(
                customer=request.customer,
                service=service,
                pack=form.cleaned_data["pack"],
                quantity=form.cleaned_data["quantity"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Die Adressen liegen im Warenkorb."))
            return redirect("shop:cart")
    return render(
        request,
        "shop/add_addresses.html",
        {
            "form": form,
            "service": service,
            "packs": list(packs),
            "max_quota": plan_facts(service.plan).max_address_quota,
        },
    )


@customer_required
@require_http_methods(["GET", "POST"])
def change_plan(request, service_pk):
    service = get_object_or_404(_services(request.customer), pk=service_pk)
    plans = selectors.catalogue().filter(kind=Product.Kind.PLAN)
    form = PlanChangeForm(request.POST or None, plans=plans, current_plan=service.plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.cart_change_plan(
                customer=request.customer, service=service, plan_product=form.cleaned_data["plan"]
            )
        except ValidationError as exc:
            add_service_error(form, exc, "plan")
        else:
            messages.success(request, _("Der Angebotswechsel liegt im Warenkorb."))
            return redirect("shop:cart")
    return render(
        request,
        "shop/change_plan.html",
        {"form": form, "service": service, "plans": list(form.fields["plan"].queryset)},
    )


@customer_required
@require_http_methods(["GET", "POST"])
def checkout(request):
    """Review (net, VAT, gross), billing address, terms; placing is idempotent per cart version."""
    summary = selectors.cart_summary(customer=request.customer)
    if request.method == "POST":
        form = CheckoutForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = services.order_place(
                    customer=request.customer,
                    token=data["token"],
                    expected_gross=data["expected_gross"],
                    accept_terms=data["accept_terms"],
                    billing=services.BillingAddress(
                        name=data["name"],
                        street=data["street"],
                        house_number=data["house_number"],
                        postcode=data["postcode"],
                        town=data["town"],
                        country=data["country"],
                    ),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
                if isinstance(exc, services.CartChanged):
                    return redirect("shop:cart" if not summary.lines else "shop:checkout")
            else:
                messages.success(
                    request,
                    _("Vielen Dank! Ihre Bestellung %(number)s ist eingegangen.")
                    % {"number": order.number},
                )
                return redirect("shop:order_detail", pk=order.pk)
    else:
        if not summary.lines:
            messages.info(request, _("Ihr Warenkorb ist leer."))
            return redirect("shop:cart")
        form = CheckoutForm(initial=selectors.last_billing_address(customer=request.customer))
    if summary.cart is not None:
        # The review always submits the cart version and the amount shown on this page.
        if form.is_bound:
            data = form.data.copy()
            data["token"] = str(summary.token)
            data["expected_gross"] = str(summary.totals.gross)
            form = CheckoutForm(data)
            form.is_valid()
        else:
            form.initial.update(token=summary.token, expected_gross=summary.totals.gross)
    return render(request, "shop/checkout.html", {"form": form, "summary": summary})


@customer_required
@require_GET
def order_list(request):
    return render(
        request,
        "shop/order_list.html",
        {"orders": selectors.order_list(customer=request.customer)},
    )


@customer_required
@require_GET
def order_detail(request, pk):
    order = get_object_or_404(selectors.order_detail_queryset(customer=request.customer), pk=pk)
    lines = [(line, selectors.order_line_label(line)) for line in order.lines.all()]
    return render(
        request,
        "shop/order_detail.html",
        {"order": order, "lines": lines, "invoice": getattr(order, "invoice", None)},
    )


@customer_required
@require_GET
def invoice_pdf(request, pk):
    invoice = get_object_or_404(selectors.invoice_queryset(customer=request.customer), pk=pk)
    return pdf_response(invoice)


def pdf_response(invoice) -> HttpResponse:
    if invoice is None:
        raise Http404
    # Always the language of issue: the same PDF whoever downloads it, whenever.
    with translation.override(invoice.language):
        pdf = render_invoice_pdf(invoice)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response
