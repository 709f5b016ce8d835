"""Reads of the shop: the catalogue at its current prices, the priced cart, orders, invoices.

Prices are never stored in the cart. Every time a cart is shown or ordered, its lines are
priced here from the price rows valid at that moment, and checked again (domain still free,
service still the customer's, quota within the plan's limit).
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from mailservices.models import Domain, MailService
from mailservices.plans import plan_facts
from portal.accounts.models import Customer
from portal.shop import pricing
from portal.shop.models import (
    Cart,
    CartLine,
    Invoice,
    LineKind,
    Order,
    OrderLine,
    Price,
    Product,
)

OPEN_ORDER_STATES = [
    Order.Status.PENDING_PAYMENT,
    Order.Status.PAID,
    Order.Status.PROVISIONING,
]


def _current_price(outer: str, at) -> QuerySet:
    return Price.objects.filter(product=OuterRef(outer), valid_from__lte=at).order_by("-valid_from")


def catalogue(*, at=None) -> QuerySet[Product]:
    """Products on sale with the price valid now (`current_price_id`, `current_amount`)."""
    at = at or timezone.now()
    latest = _current_price("pk", at)
    return (
        Product.objects.filter(is_active=True)
        .annotate(
            current_price_id=Subquery(latest.values("pk")[:1]),
            current_amount=Subquery(latest.values("amount")[:1]),
        )
        .filter(current_price_id__isnull=False)
    )


def plan_products(*, at=None) -> list[Product]:
    return list(catalogue(at=at).filter(kind=Product.Kind.PLAN))


def address_pack_products(*, at=None) -> list[Product]:
    return list(catalogue(at=at).filter(kind=Product.Kind.ADDRESS_PACK).order_by("pack_size"))


def domain_product(*, at=None) -> Product | None:
    return catalogue(at=at).filter(kind=Product.Kind.DOMAIN).first()


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
    return _("%(count)d zusätzliche Adressen für %(domain)s (%(product)s)") % {
        "count": count,
        "domain": domain,
        "product": product_name,
    }


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
    latest = _current_price("product", at)
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
                found.append(
                    _("Das Angebot erlaubt %(max)d Adressen, der Dienst hat aber %(used)d.")
                    % {"max": plan_facts(ln.product.plan).max_address_quota, "used": service.used}
                )
        elif ln.kind == LineKind.ADDRESSES:
            limit = plan_facts(service.plan).max_address_quota
            if service.address_quota + added[service.pk] > limit:
                found.append(
                    _(
                        "Das Angebot %(plan)s erlaubt höchstens %(max)d Adressen; "
                        "der Dienst hat %(quota)d, im Warenkorb sind %(added)d weitere."
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
                    kind=ln.kind, product_name=ln.product.name, domain=domain, count=count
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


def order_list(*, customer: Customer) -> QuerySet[Order]:
    return (
        Order.objects.for_customer(customer)
        .select_related("invoice")
        .annotate(line_count=Count("lines"))
        .order_by("-created_at", "-id")
    )


def order_detail_queryset(*, customer: Customer) -> QuerySet[Order]:
    return (
        Order.objects.for_customer(customer)
        .select_related("invoice")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("position")),
        )
    )


def invoice_queryset(*, customer: Customer) -> QuerySet[Invoice]:
    return Invoice.objects.for_customer(customer).select_related("order")


def order_line_label(line: OrderLine) -> str:
    domain = unicode_domain(line.domain_name) if line.domain_name else ""
    return line_label(
        kind=line.kind, product_name=line.description, domain=domain, count=line.address_count
    )


def last_billing_address(*, customer: Customer) -> dict:
    """The billing address of the customer's latest order, to fill in the checkout form."""
    order = Order.objects.for_customer(customer).order_by("-created_at", "-id").first()
    if order is None:
        return {"name": customer.name}
    return {
        "name": order.billing_name,
        "street": order.billing_street,
        "house_number": order.billing_house_number,
        "postcode": order.billing_postcode,
        "town": order.billing_town,
        "country": order.billing_country,
    }
