"""Reads of the cart: its lines priced now and checked against the rules.

Prices are never stored in the cart. Every time a cart is shown or ordered, its lines are
priced here from the price rows valid at that moment, and checked again (domain still free,
service still the customer's, quota within the plan's limit).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mailservices.models import Domain, MailService
from mailservices.plans import plan_facts
from mailservices.validators import to_a_label
from portal.accounts.models import Customer
from portal.shop import pricing
from portal.shop.models import Cart, CartLine, LineKind, Order, OrderLine
from portal.shop.selectors.catalogue import current_price_subquery

OPEN_ORDER_STATES = [
    Order.Status.PENDING_PAYMENT,
    Order.Status.PAID,
    Order.Status.PROVISIONING,
]


def line_label(*, kind: str, product_name: str, domain: str, count: int = 0) -> str:
    """How a cart or order line reads, in the active language."""
    if kind == LineKind.DOMAIN:
        return _("Registrierung der Domain %(domain)s") % {"domain": domain}
    if kind == LineKind.NEW_SERVICE:
        return _("%(product)s für %(domain)s") % {"product": product_name, "domain": domain}
    if kind == LineKind.PLAN_CHANGE:
        return _("Wechsel zu %(product)s für %(domain)s") % {
            "product": product_name,
            "domain": domain,
        }
    return ngettext(
        "%(count)d zusätzliche Adresse für %(domain)s",
        "%(count)d zusätzliche Adressen für %(domain)s",
        count,
    ) % {"count": count, "domain": domain}


def unicode_domain(a_label: str) -> str:
    return Domain(name=a_label).unicode_name


@dataclass
class PricedLine:
    line: CartLine
    amounts: pricing.LineAmounts | None
    price_id: int | None
    label: str
    address_count: int
    problems: list[str] = field(default_factory=list)


@dataclass
class CartSummary:
    cart: Cart | None
    lines: list[PricedLine]
    totals: pricing.Totals

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def has_problems(self) -> bool:
        return any(line.problems for line in self.lines)

    @property
    def token(self):
        return self.cart.token if self.cart else None


def cart_lines(*, customer: Customer, at=None) -> list[CartLine]:
    """The cart's lines with product, service, domain and current price (one query)."""
    at = at or timezone.now()
    latest = current_price_subquery("product", at)
    return list(
        CartLine.objects.filter(cart__customer=customer)
        .select_related("product", "service__domain")
        .annotate(
            current_price_id=Subquery(latest.values("pk")[:1]),
            current_amount=Subquery(latest.values("amount")[:1]),
        )
        .order_by("created_at", "id")
    )


def line_problems(*, customer: Customer, lines: list[CartLine]) -> dict[int, list[str]]:
    """What stands in the way of each line (by position in `lines`); a fixed number of queries.

    Checked: the product is on sale; a domain is not in the portal already (except the
    customer's own domain without a mail service) and not in another open order; a service
    still belongs to the customer; a plan change goes to another plan that holds the addresses
    in use; bought addresses stay within the plan's limit.
    """
    problems: dict[int, list[str]] = defaultdict(list)
    names = {ln.domain_name for ln in lines if ln.kind in (LineKind.NEW_SERVICE, LineKind.DOMAIN)}
    service_ids = {ln.service_id for ln in lines if ln.service_id}

    domains = {}
    ordered: set[str] = set()
    if names:
        domains = {
            d.name: d for d in Domain.objects.filter(name__in=names).select_related("mail_service")
        }
        ordered = set(
            OrderLine.objects.filter(
                domain_name__in=names,
                kind__in=[LineKind.NEW_SERVICE, LineKind.DOMAIN],
                order__status__in=OPEN_ORDER_STATES,
                provisioned_at__isnull=True,
            ).values_list("domain_name", flat=True)
        )
    services = {}
    if service_ids:
        services = {
            s.pk: s
            for s in MailService.objects.for_customer(customer)
            .filter(pk__in=service_ids)
            .annotate(used=Count("addresses"))
        }

    added: dict[int, int] = defaultdict(int)
    for ln in lines:
        if ln.kind == LineKind.ADDRESSES:
            added[ln.service_id] += (ln.product.pack_size or 0) * ln.quantity

    for index, ln in enumerate(lines):
        found = problems[index]
        if not ln.product.is_active or getattr(ln, "current_price_id", True) is None:
            found.append(_("Dieses Produkt ist nicht mehr erhältlich."))
        if ln.kind in (LineKind.NEW_SERVICE, LineKind.DOMAIN):
            shown = unicode_domain(ln.domain_name)
            domain = domains.get(ln.domain_name)
            if ln.domain_name in ordered:
                found.append(_("Die Domain %(name)s ist bereits bestellt.") % {"name": shown})
            elif domain is not None:
                if domain.customer_id != customer.pk:
                    found.append(
                        _("Die Domain %(name)s ist bereits im Portal erfasst.") % {"name": shown}
                    )
                elif ln.kind == LineKind.DOMAIN:
                    found.append(
                        _("Die Domain %(name)s gehört bereits zu Ihrem Konto.") % {"name": shown}
                    )
                elif hasattr(domain, "mail_service"):
                    found.append(
                        _("Für %(name)s besteht bereits ein E-Mail-Dienst.") % {"name": shown}
                    )
            continue
        service = services.get(ln.service_id)
        if service is None:
            found.append(_("Dieser E-Mail-Dienst gehört nicht (mehr) zu Ihrem Konto."))
            continue
        if ln.kind == LineKind.PLAN_CHANGE:
            if ln.product.plan == service.plan:
                found.append(_("Der Dienst hat dieses Angebot bereits."))
            elif service.used > plan_facts(ln.product.plan).max_address_quota:
                maximum = plan_facts(ln.product.plan).max_address_quota
                found.append(
                    ngettext(
                        "Das Angebot erlaubt %(max)d Adresse, der Dienst hat aber %(used)d.",
                        "Das Angebot erlaubt %(max)d Adressen, der Dienst hat aber %(used)d.",
                        maximum,
                    )
                    % {"max": maximum, "used": service.used}
                )
        elif ln.kind == LineKind.ADDRESSES:
            limit = plan_facts(service.plan).max_address_quota
            if service.address_quota + added[service.pk] > limit:
                found.append(
                    ngettext(
                        "Das Angebot %(plan)s erlaubt höchstens %(max)d Adresse; "
                        "der Dienst hat %(quota)d, im Warenkorb sind %(added)d weitere.",
                        "Das Angebot %(plan)s erlaubt höchstens %(max)d Adressen; "
                        "der Dienst hat %(quota)d, im Warenkorb sind %(added)d weitere.",
                        limit,
                    )
                    % {
                        "plan": service.get_plan_display(),
                        "max": limit,
                        "quota": service.address_quota,
                        "added": added[service.pk],
                    }
                )
    return problems


def price_lines(*, customer: Customer, lines: list[CartLine]) -> list[PricedLine]:
    problems = line_problems(customer=customer, lines=lines)
    priced = []
    for index, ln in enumerate(lines):
        amount = getattr(ln, "current_amount", None)
        amounts = None
        if amount is not None:
            amounts = pricing.line_amounts(
                unit_price=amount, quantity=ln.quantity, vat_rate=ln.product.vat_rate
            )
        domain = unicode_domain(ln.domain_name) if ln.domain_name else str(ln.service)
        count = (ln.product.pack_size or 0) * ln.quantity if ln.kind == LineKind.ADDRESSES else 0
        priced.append(
            PricedLine(
                line=ln,
                amounts=amounts,
                price_id=getattr(ln, "current_price_id", None),
                label=line_label(
                    kind=ln.kind, product_name=ln.product.display_name, domain=domain, count=count
                ),
                address_count=count,
                problems=problems[index],
            )
        )
    return priced


def cart_summary(*, customer: Customer, at=None) -> CartSummary:
    """The customer's cart, priced now and checked."""
    cart = Cart.objects.filter(customer=customer).first()
    lines = cart_lines(customer=customer, at=at) if cart else []
    priced = price_lines(customer=customer, lines=lines)
    totals = pricing.totals([p.amounts for p in priced if p.amounts is not None])
    return CartSummary(cart=cart, lines=priced, totals=totals)


def cart_count(*, customer: Customer) -> int:
    return CartLine.objects.filter(cart__customer=customer).count()


def domain_availability(*, customer: Customer, name: str, register: bool) -> tuple[str, str]:
    """("ok"|"warning"|"error", message) for a domain typed in the new-service form."""
    try:
        a_label = to_a_label(name)
    except ValidationError as exc:
        return "error", exc.messages[0]
    shown = Domain(name=a_label).unicode_name
    domain = Domain.objects.filter(name=a_label).select_related("mail_service").first()
    ordered = OrderLine.objects.filter(
        domain_name=a_label,
        kind__in=[LineKind.NEW_SERVICE, LineKind.DOMAIN],
        order__status__in=OPEN_ORDER_STATES,
        provisioned_at__isnull=True,
    ).exists()
    if ordered:
        return "error", _("%(name)s ist bereits bestellt.") % {"name": shown}
    if domain is None:
        if register:
            return "ok", _("%(name)s ist im Portal noch frei.") % {"name": shown}
        return "ok", _(
            "%(name)s wird als externe Domain erfasst. Sie veröffentlichen danach unsere "
            "MX-Einträge bei Ihrem Registrar."
        ) % {"name": shown}
    if domain.customer_id != customer.pk:
        return "error", _("%(name)s ist bereits im Portal erfasst.") % {"name": shown}
    if hasattr(domain, "mail_service"):
        return "error", _("Für %(name)s besteht bereits ein E-Mail-Dienst.") % {"name": shown}
    if register:
        return "warning", _(
            "%(name)s gehört bereits zu Ihrem Konto: wählen Sie „Ich besitze die Domain schon“."
        ) % {"name": shown}
    return "ok", _("%(name)s gehört zu Ihrem Konto und hat noch keinen E-Mail-Dienst.") % {
        "name": shown
    }


def is_own_domain(*, customer: Customer, name: str) -> bool:
    try:
        a_label = to_a_label(name)
    except ValidationError:
        return False
    return Domain.objects.for_customer(customer).filter(name=a_label).exists()
