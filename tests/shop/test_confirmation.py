"""The order confirmation is a service that records that it sent: a task delivered twice
(acks_late) sends one email; a failed send is released for the retry."""

from unittest import mock

import pytest
from django.core import mail

from portal.shop.models import Order
from portal.shop.services import order_place
from portal.shop.services.confirmations import order_confirmation_send
from portal.shop.tasks import send_order_confirmation
from tests.shop.conftest import BILLING
from tests.shop.test_orders import _fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(customer, product):
    summary = _fill(customer, product)
    return order_place(customer=customer, token=summary.token, billing=BILLING, accept_terms=True)


def test_a_redelivered_task_sends_the_confirmation_once(order):
    assert send_order_confirmation.apply(args=[order.pk, "de"]).get() is True
    assert send_order_confirmation.apply(args=[order.pk, "de"]).get() is False
    assert len(mail.outbox) == 1 and order.number in mail.outbox[0].subject
    order.refresh_from_db()
    assert order.confirmation_sent_at is not None


def test_a_failed_send_is_not_recorded_and_may_be_retried(order):
    with (
        mock.patch(
            "portal.shop.services.confirmations.send_mail", side_effect=OSError("smtp down")
        ),
        pytest.raises(OSError),
    ):
        order_confirmation_send(order_id=order.pk)
    assert Order.objects.get(pk=order.pk).confirmation_sent_at is None
    assert order_confirmation_send(order_id=order.pk, language="en") is True
    assert len(mail.outbox) == 1 and "order" in mail.outbox[0].subject.lower()
