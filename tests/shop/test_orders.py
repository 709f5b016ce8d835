"""Placing orders (atomic, idempotent), payment, provisioning (idempotent per line), failures."""

import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mailservices.models import Domain, MailService
from mailservices.services import domain_create
from portal.shop.models import Cart, Invoice, Order, OrderLine, Price
from portal.shop.selectors import cart_summary
from portal.shop.services import (
    CartChanged,
    cart_add_addresses,
    cart_add_service,
    order_cancel,
    order_mark_paid,
    order_place,
    order_provision,
    order_retry_provisioning,
)
from tests.shop.conftest import BILLING

pytestmark = pytest.mark.django_db


def _fill(customer, product, domain="bestellt.ch", code="service-mail-starter", register=True):
    cart_add_service(
        customer=customer,
        domain_name=domain,
        plan_product=product(code),
        register_domain=register,
    )
    return cart_summary(customer=customer)


def test_placing_snapshots_prices_issues_the_invoice_and_empties_the_cart(
    customer, product, django_capture_on_commit_callbacks
):
    summary = _fill(customer, product)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(
            customer=customer,
            token=summary.token,
            billing=BILLING,
            accept_terms=True,
            expected_gross=summary.totals.gross,
        )
    assert order.status == Order.Status.PENDING_PAYMENT
    assert (order.total_net, order.total_vat, order.total_gross) == (
        Decimal("33.00"),
        Decimal("2.68"),
        Decimal("35.68"),
    )
    lines = list(order.lines.all())
    assert [(ln.position, ln.kind, ln.unit_price) for ln in lines] == [
        (1, "domain", Decimal("15.00")),
        (2, "new_service", Decimal("18.00")),
    ]
    assert order.invoice.number.endswith("-00001")
    assert order.invoice.total_gross == order.total_gross
    assert cart_summary(customer=customer).count == 0
    assert Cart.objects.get(customer=customer).token != summary.token

    # The price rises later: the order keeps what it was sold at.
    Price.objects.create(product=lines[1].product, amount=Decimal("99.00"))
    order.refresh_from_db()
    assert order.lines.get(position=2).unit_price == Decimal("18.00")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [customer.owner.email]
    assert order.number in message.subject
    assert "Service Mail Starter für bestellt.ch" in message.body
    assert "35.68" in message.body and order.invoice.number in message.body


def test_double_click_replay_and_second_tab_make_one_order(customer, product):
    summary = _fill(customer, product)
    first = order_place(customer=customer, token=summary.token, billing=BILLING, accept_terms=True)
    again = order_place(customer=customer, token=summary.token, billing=BILLING, accept_terms=True)
    assert again.pk == first.pk
    assert Order.objects.count() == 1 and Invoice.objects.count() == 1


def test_a_stale_cart_version_is_refused(customer, product):
    stale = _fill(customer, product).token
    _fill(customer, product, domain="noch-eine.ch")
    with pytest.raises(CartChanged):
        order_place(customer=customer, token=stale, billing=BILLING, accept_terms=True)
    with pytest.raises(CartChanged):
        order_place(customer=customer, token=uuid.uuid4(), billing=BILLING, accept_terms=True)
    assert not Order.objects.exists()


def test_a_changed_price_since_the_review_is_refused(customer, product):
    summary = _fill(customer, product)
    with pytest.raises(CartChanged, match="Preise"):
        order_place(
            customer=customer,
            token=summary.token,
            billing=BILLING,
            accept_terms=True,
            expected_gross=summary.totals.gross - Decimal("1.00"),
        )
    assert not Order.objects.exists()


def test_terms_must_be_accepted_and_problems_block_the_order(customer, other_customer, product):
    summary = _fill(customer, product)
    with pytest.raises(ValidationError, match="AGB"):
        order_place(customer=customer, token=summary.token, billing=BILLING, accept_terms=False)
    # Someone else gets the domain in the meantime.
    domain_create(customer=other_customer, name="bestellt.ch")
    with pytest.raises(ValidationError, match="bereits im Portal"):
        order_place(customer=customer, token=summary.token, billing=BILLING, accept_terms=True)
    assert not Order.objects.exists()
    assert cart_summary(customer=customer).count == 2


def test_the_idempotency_key_is_unique_in_the_database(customer, product, place_order):
    order = place_order(customer, "eins.ch")
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(
            customer=customer,
            idempotency_key=order.idempotency_key,
            total_net=0,
            total_vat=0,
            total_gross=0,
            billing_name="x",
            billing_street="x",
            billing_postcode="8000",
            billing_town="x",
            billing_country="CH",
            terms_accepted_at=order.terms_accepted_at,
        )


def test_paid_order_is_provisioned_and_activated(
    customer, staff_user, place_order, django_capture_on_commit_callbacks
):
    order = place_order(customer, "neu-aktiv.ch")
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_paid(order=order, by=staff_user)
    order.refresh_from_db()
    assert order.status == Order.Status.ACTIVE
    assert order.marked_paid_by == staff_user and order.paid_at and order.activated_at
    domain = Domain.objects.get(name="neu-aktiv.ch")
    assert domain.customer == customer and domain.source == Domain.Source.REGISTERED
    service = MailService.objects.get(domain=domain)
    assert (service.plan, service.address_quota) == ("service_mail_starter", 1)
    assert all(line.provisioned_at for line in order.lines.all())
    assert order.lines.get(kind="new_service").service == service
    with pytest.raises(ValidationError):
        order_mark_paid(order=order)


def test_provisioning_twice_delivers_each_line_once(
    customer, product, make_service, django_capture_on_commit_callbacks
):
    service = make_service(customer, "mehr.ch", quota=1, plan="service_mail_starter")
    cart_add_addresses(customer=customer, service=service, pack=product("addresses-5"), quantity=1)
    order = order_place(
        customer=customer,
        token=cart_summary(customer=customer).token,
        billing=BILLING,
        accept_terms=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_paid(order=order)
    # A second run (a redelivered task, or staff retrying) changes nothing.
    Order.objects.filter(pk=order.pk).update(status=Order.Status.PROVISIONING)
    order_provision(order_id=order.pk)
    order_provision(order_id=order.pk)
    service.refresh_from_db()
    assert service.address_quota == 6
    assert Order.objects.get(pk=order.pk).status == Order.Status.ACTIVE


def test_failure_is_recorded_visible_and_can_be_retried(
    customer, other_customer, place_order, django_capture_on_commit_callbacks, client
):
    order = place_order(customer, "streit.ch", register=False)
    taken = domain_create(customer=other_customer, name="streit.ch")
    with django_capture_on_commit_callbacks(execute=True):
        order_mark_paid(order=order)
    order.refresh_from_db()
    assert order.status == Order.Status.PROVISIONING
    assert "bereits im Portal erfasst" in order.provisioning_error
    assert order.provisioning_attempts == 1
    assert not OrderLine.objects.filter(order=order, provisioned_at__isnull=False).exists()

    client.force_login(customer.owner)
    page = client.get(f"/shop/orders/{order.pk}/").content.decode()
    assert "Problem" in page and "bereits im Portal erfasst" in page

    # Staff sort it out (the other customer's entry was a mistake) and retry.
    taken.delete()
    with django_capture_on_commit_callbacks(execute=True):
        order_retry_provisioning(order=order)
    order.refresh_from_db()
    assert order.status == Order.Status.ACTIVE and order.provisioning_error == ""
    assert order.provisioning_attempts == 2


def test_only_unpaid_orders_can_be_cancelled(customer, place_order):
    order = place_order(customer, "storno.ch")
    order_cancel(order=order)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and order.cancelled_at
    with pytest.raises(ValidationError):
        order_mark_paid(order=order)
    with pytest.raises(ValidationError):
        order_cancel(order=order)


def test_a_free_plan_needs_no_invoice_and_is_delivered_at_once(
    customer, place_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order(customer, "gratis.ch", plan_code="my-ksuite", register=False)
    order.refresh_from_db()
    assert order.total_gross == 0
    assert not Invoice.objects.filter(order=order).exists()
    assert order.status == Order.Status.ACTIVE
    assert MailService.objects.get(domain__name="gratis.ch").plan == "my_ksuite"
