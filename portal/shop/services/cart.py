"""Writes on the cart. Each change is checked as an order would be and renews the cart token."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mailservices.models import MailService
from mailservices.validators import to_a_label
from portal.accounts.models import Customer
from portal.shop.models import Cart, CartLine, LineKind, Product
from portal.shop.selectors import catalogue, line_problems

MAX_CART_LINES = 20
MAX_PACKS_PER_LINE = 50


def _locked_cart(customer: Customer) -> Cart:
    cart, _created = Cart.objects.get_or_create(customer=customer)
    return Cart.objects.select_for_update().get(pk=cart.pk)


def _renew_token(cart: Cart) -> None:
    cart.token = uuid.uuid4()
    cart.save(update_fields=["token", "updated_at"])


def _on_sale(product: Product, kind: str) -> Product:
    """The product again from the catalogue (on sale and priced now), or a clear error."""
    found = catalogue().filter(pk=product.pk, kind=kind).first()
    if found is None:
        raise ValidationError(_("Dieses Produkt ist nicht erhältlich."), code="not_on_sale")
    return found


def _check(*, customer: Customer, cart: Cart, changed: list[CartLine]) -> None:
    """Raises if a changed line (or the cart with it) breaks a rule."""
    others = [
        ln
        for ln in cart.lines.select_related("product", "service__domain")
        if ln.pk not in {c.pk for c in changed if c.pk}
    ]
    lines = others + changed
    if len(lines) > MAX_CART_LINES:
        raise ValidationError(
            _("Der Warenkorb fasst höchstens %(max)d Positionen.") % {"max": MAX_CART_LINES},
            code="cart_full",
        )
    problems = line_problems(customer=customer, lines=lines)
    errors = []
    for index in range(len(others), len(lines)):
        errors.extend(msg for msg in problems[index] if msg not in errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def cart_add_service(
    *, customer: Customer, domain_name: str, plan_product: Product, register_domain: bool
) -> list[CartLine]:
    """A new mail service for a domain; with `register_domain`, its registration too."""
    a_label = to_a_label(domain_name)
    product = _on_sale(plan_product, Product.Kind.PLAN)
    cart = _locked_cart(customer)
    if cart.lines.filter(kind=LineKind.NEW_SERVICE, domain_name=a_label).exists():
        raise ValidationError(
            _("Für diese Domain liegt bereits ein E-Mail-Dienst im Warenkorb."), code="in_cart"
        )
    new = [CartLine(cart=cart, kind=LineKind.NEW_SERVICE, product=product, domain_name=a_label)]
    if register_domain:
        registration = catalogue().filter(kind=Product.Kind.DOMAIN).first()
        if registration is None:
            raise ValidationError(
                _("Domains können im Moment nicht registriert werden."), code="no_domain_product"
            )
        new.insert(
            0, CartLine(cart=cart, kind=LineKind.DOMAIN, product=registration, domain_name=a_label)
        )
    _check(customer=customer, cart=cart, changed=new)
    for line in new:
        line.full_clean()
        line.save()
    _renew_token(cart)
    return new


@transaction.atomic
def cart_add_addresses(
    *, customer: Customer, service: MailService, pack: Product, quantity: int
) -> CartLine:
    """More addresses for one of the customer's services; the same pack again adds up."""
    if not 1 <= quantity <= MAX_PACKS_PER_LINE:
        raise ValidationError(
            _("Bitte eine Anzahl zwischen 1 und %(max)d wählen.") % {"max": MAX_PACKS_PER_LINE},
            code="quantity_range",
        )
    pack = _on_sale(pack, Product.Kind.ADDRESS_PACK)
    cart = _locked_cart(customer)
    line = cart.lines.filter(kind=LineKind.ADDRESSES, service=service, product=pack).first()
    if line is None:
        line = CartLine(
            cart=cart, kind=LineKind.ADDRESSES, product=pack, service=service, quantity=0
        )
    line.quantity += quantity
    if line.quantity > MAX_PACKS_PER_LINE:
        raise ValidationError(
            _("Höchstens %(max)d Pakete pro Position.") % {"max": MAX_PACKS_PER_LINE},
            code="quantity_range",
        )
    _check(customer=customer, cart=cart, changed=[line])
    line.full_clean()
    line.save()
    _renew_token(cart)
    return line


@transaction.atomic
def cart_change_plan(
    *, customer: Customer, service: MailService, plan_product: Product
) -> CartLine:
    """A plan change for one of the customer's services (replaces an earlier one in the cart)."""
    product = _on_sale(plan_product, Product.Kind.PLAN)
    cart = _locked_cart(customer)
    line = cart.lines.filter(kind=LineKind.PLAN_CHANGE, service=service).first() or CartLine(
        cart=cart, kind=LineKind.PLAN_CHANGE, service=service
    )
    line.product = product
    line.quantity = 1
    _check(customer=customer, cart=cart, changed=[line])
    line.full_clean()
    line.save()
    _renew_token(cart)
    return line


@transaction.atomic
def cart_line_update(*, customer: Customer, line: CartLine, quantity: int) -> CartLine:
    """Sets the number of packs of an address line (other lines always count one)."""
    cart = _locked_cart(customer)
    line = cart.lines.select_related("product", "service").get(pk=line.pk)
    if line.kind != LineKind.ADDRESSES:
        raise ValidationError(_("Die Menge dieser Position ist fest."), code="fixed_quantity")
    if not 1 <= quantity <= MAX_PACKS_PER_LINE:
        raise ValidationError(
            _("Bitte eine Anzahl zwischen 1 und %(max)d wählen.") % {"max": MAX_PACKS_PER_LINE},
            code="quantity_range",
        )
    line.quantity = quantity
    _check(customer=customer, cart=cart, changed=[line])
    line.full_clean()
    line.save(update_fields=["quantity"])
    _renew_token(cart)
    return line


@transaction.atomic
def cart_line_remove(*, customer: Customer, line: CartLine) -> None:
    """Removes a line; a new service and its domain registration go together."""
    cart = _locked_cart(customer)
    line = cart.lines.get(pk=line.pk)
    if line.kind in (LineKind.NEW_SERVICE, LineKind.DOMAIN):
        cart.lines.filter(
            kind__in=[LineKind.NEW_SERVICE, LineKind.DOMAIN], domain_name=line.domain_name
        ).delete()
    else:
        line.delete()
    _renew_token(cart)
