"""Orders: placing (atomic, idempotent), payment, cancellation and provisioning."""

import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mailservices.models import Domain, MailService
from mailservices.services import (
    domain_create,
    mailservice_add_addresses,
    mailservice_change_plan,
    mailservice_create,
)
from portal.accounts.models import Customer, User
from portal.accounts.services import user_language
from portal.security.services import activity_record
from portal.shop import pricing
from portal.shop.models import Cart, LineKind, Order, OrderLine
from portal.shop.selectors import cart_lines, price_lines
from portal.shop.services.invoices import invoice_create

logger = logging.getLogger(__name__)

# Provisioning order inside an order: a domain exists before its service gets created.
LINE_ORDER = {
    LineKind.DOMAIN: 0,
    LineKind.NEW_SERVICE: 1,
    LineKind.PLAN_CHANGE: 2,
    LineKind.ADDRESSES: 3,
}


@dataclass(frozen=True)
class BillingAddress:
    name: str
    street: str
    house_number: str
    postcode: str
    town: str
    country: str


class CartChanged(ValidationError):
    """The cart is not the one the customer reviewed (edited in another tab, or emptied)."""


def _queue_provisioning(order: Order) -> None:
    from portal.shop.tasks import provision_order

    transaction.on_commit(lambda: provision_order.delay(order.pk))


@transaction.atomic
def order_place(
    *,
    customer: Customer,
    token: uuid.UUID,
    billing: BillingAddress,
    accept_terms: bool,
    expected_gross: Decimal | None = None,
) -> Order:
    """Turns the reviewed cart into an order; the same `token` always yields the same order.

    `token` is the cart's version the customer reviewed. A double click, a replayed POST or a
    second tab present the same token and get the order that token already made. The cart row
    is locked while the order is written, and the order's idempotency key is unique in the
    database, so two concurrent requests cannot both place it.
    """
    existing = Order.objects.filter(customer=customer, idempotency_key=token).first()
    if existing is not None:
        return existing
    if not accept_terms:
        raise ValidationError(_("Bitte akzeptieren Sie die AGB."), code="terms")
    cart = Cart.objects.select_for_update().filter(customer=customer).first()
    existing = Order.objects.filter(customer=customer, idempotency_key=token).first()
    if existing is not None:
        return existing
    if cart is None or cart.token != token:
        raise CartChanged(
            _("Der Warenkorb wurde inzwischen geändert. Bitte prüfen Sie ihn noch einmal."),
            code="cart_changed",
        )
    priced = price_lines(customer=customer, lines=cart_lines(customer=customer))
    if not priced:
        raise CartChanged(_("Ihr Warenkorb ist leer."), code="cart_empty")
    problems = [msg for line in priced for msg in line.problems]
    if problems or any(line.amounts is None for line in priced):
        raise ValidationError(
            problems or [_("Ein Produkt ist nicht mehr erhältlich.")], code="line_problems"
        )
    totals = pricing.totals([line.amounts for line in priced])
    if expected_gross is not None and expected_gross != totals.gross:
        raise CartChanged(
            _("Die Preise haben sich geändert. Bitte prüfen Sie den neuen Betrag."),
            code="price_changed",
        )

    now = timezone.now()
    order = Order(
        customer=customer,
        idempotency_key=token,
        total_net=totals.net,
        total_vat=totals.vat,
        total_gross=totals.gross,
        billing_name=billing.name,
        billing_street=billing.street,
        billing_house_number=billing.house_number,
        billing_postcode=billing.postcode,
        billing_town=billing.town,
        billing_country=billing.country,
        terms_accepted_at=now,
    )
    order.full_clean(exclude=["idempotency_key"])
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        # Another request placed this very cart a moment ago (databases without row locks).
        return Order.objects.get(customer=customer, idempotency_key=token)

    ordered = sorted(priced, key=lambda p: (LINE_ORDER[p.line.kind], p.line.created_at))
    for position, item in enumerate(ordered, start=1):
        line, amounts = item.line, item.amounts
        service = line.service
        OrderLine.objects.create(
            order=order,
            position=position,
            kind=line.kind,
            product=line.product,
            price_id=item.price_id,
            description=line.product.name,
            billing_period=line.product.billing_period,
            quantity=amounts.quantity,
            unit_price=amounts.unit_price,
            net=amounts.net,
            vat_rate=amounts.vat_rate,
            vat=amounts.vat,
            gross=amounts.gross,
            domain_name=line.domain_name or (service.domain.name if service else ""),
            plan=line.product.plan,
            address_count=item.address_count,
            service=service,
        )
    cart.lines.all().delete()
    cart.token = uuid.uuid4()
    cart.save(update_fields=["token", "updated_at"])

    if order.total_gross > 0:
        invoice_create(order=order)
    else:
        # Nothing to pay (a free plan): deliver straight away.
        order.status = Order.Status.PAID
        order.paid_at = now
        order.save(update_fields=["status", "paid_at"])
        _queue_provisioning(order)

    from portal.shop.tasks import send_order_confirmation

    language = user_language(customer.owner)
    transaction.on_commit(lambda: send_order_confirmation.delay(order.pk, language))
    activity_record(customer=customer, kind="order_placed", target=order.number)
    return order


@transaction.atomic
def order_mark_paid(*, order: Order, by: User | None = None) -> Order:
    """Staff confirm the payment; provisioning is queued once the change is committed."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Order.Status.PENDING_PAYMENT:
        raise ValidationError(
            _("Nur Bestellungen mit ausstehender Zahlung können als bezahlt markiert werden."),
            code="not_pending",
        )
    order.status = Order.Status.PAID
    order.paid_at = timezone.now()
    order.marked_paid_by = by
    order.save(update_fields=["status", "paid_at", "marked_paid_by"])
    _queue_provisioning(order)
    return order


@transaction.atomic
def order_cancel(*, order: Order) -> Order:
    """Cancels an order that is not paid yet (its invoice keeps its number)."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != Order.Status.PENDING_PAYMENT:
        raise ValidationError(
            _("Nur Bestellungen mit ausstehender Zahlung können storniert werden."),
            code="not_pending",
        )
    order.status = Order.Status.CANCELLED
    order.cancelled_at = timezone.now()
    order.save(update_fields=["status", "cancelled_at"])
    return order


@transaction.atomic
def order_retry_provisioning(*, order: Order) -> Order:
    """Staff start a failed provisioning again."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in (Order.Status.PAID, Order.Status.PROVISIONING):
        raise ValidationError(
            _("Nur bezahlte Bestellungen werden bereitgestellt."), code="not_paid"
        )
    _queue_provisioning(order)
    return order


def _provision_line(line: OrderLine, customer: Customer) -> MailService | None:
    if line.kind == LineKind.DOMAIN:
        domain = Domain.objects.filter(name=line.domain_name, customer=customer).first()
        if domain is None:
            domain_create(customer=customer, name=line.domain_name, source=Domain.Source.REGISTERED)
        return None
    if line.kind == LineKind.NEW_SERVICE:
        domain = Domain.objects.filter(name=line.domain_name, customer=customer).first()
        if domain is None:
            domain = domain_create(
                customer=customer, name=line.domain_name, source=Domain.Source.EXTERNAL
            )
        return mailservice_create(domain=domain, plan=line.plan)
    service = MailService.objects.for_customer(customer).filter(pk=line.service_id).first()
    if service is None:
        raise ValidationError(
            _("Der E-Mail-Dienst dieser Position besteht nicht mehr."), code="service_gone"
        )
    if line.kind == LineKind.PLAN_CHANGE:
        return mailservice_change_plan(service=service, plan=line.plan)
    return mailservice_add_addresses(service=service, count=line.address_count)


def order_provision(*, order_id: int) -> Order:
    """Delivers every line of a paid order that is not delivered yet; safe to run twice.

    Each line is delivered in its own transaction together with its `provisioned_at` mark, under
    a lock on the line, so a line is never delivered twice even when two workers run at once. A
    failure is written to the order (visible to staff and customer) and raised for a retry.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status not in (Order.Status.PAID, Order.Status.PROVISIONING):
            return order
        order.status = Order.Status.PROVISIONING
        order.provisioning_attempts += 1
        order.save(update_fields=["status", "provisioning_attempts"])
    line_ids = list(
        order.lines.filter(provisioned_at__isnull=True)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    try:
        for line_id in line_ids:
            with transaction.atomic():
                line = OrderLine.objects.select_for_update().get(pk=line_id)
                if line.provisioned_at is not None:
                    continue
                service = _provision_line(line, order.customer)
                line.provisioned_at = timezone.now()
                if service is not None and line.service_id is None:
                    line.service = service
                line.save(update_fields=["provisioned_at", "service"])
    except Exception as exc:
        message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else repr(exc)
        logger.warning("Provisioning of order %s failed: %s", order.pk, message)
        Order.objects.filter(pk=order.pk).update(provisioning_error=message[:2000])
        raise
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if not order.lines.filter(provisioned_at__isnull=True).exists():
            order.status = Order.Status.ACTIVE
            order.activated_at = order.activated_at or timezone.now()
            order.provisioning_error = ""
            order.save(update_fields=["status", "activated_at", "provisioning_error"])
    return order
