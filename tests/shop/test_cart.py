"""Cart rules: domains, ownership, caps, plan changes; prices looked up every time."""

import datetime
from decimal import Decimal

import idna
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mailservices.models import Address
from portal.shop.models import CartLine, Price
from portal.shop.selectors import cart_summary
from portal.shop.services import (
    cart_add_addresses,
    cart_add_service,
    cart_change_plan,
    cart_line_remove,
    cart_line_update,
)

pytestmark = pytest.mark.django_db


def test_new_service_with_registration_adds_two_lines_and_renews_the_token(customer, product):
    cart_add_service(
        customer=customer,
        domain_name="Bücher-Laden.ch",
        plan_product=product("service-mail-starter"),
        register_domain=False,
    )
    before = cart_summary(customer=customer).token
    cart_add_service(
        customer=customer,
        domain_name="neu-domain.ch",
        plan_product=product("service-mail"),
        register_domain=True,
    )
    summary = cart_summary(customer=customer)
    assert summary.token != before
    assert [p.line.kind for p in summary.lines] == ["new_service", "domain", "new_service"]
    assert summary.lines[0].line.domain_name == idna.encode("bücher-laden.ch").decode()
    assert summary.lines[0].label == "Service Mail Starter für bücher-laden.ch"
    # 18.00 + 15.00 + 54.00 net; VAT per line 1.46 + 1.22 + 4.37
    assert summary.totals.net == Decimal("87.00")
    assert summary.totals.vat == Decimal("7.05")
    assert summary.totals.gross == Decimal("94.05")


def test_domain_of_another_customer_is_refused(customer, other_customer, product, make_service):
    make_service(other_customer, "besetzt.ch", plan="service_mail_starter")
    for register in (True, False):
        with pytest.raises(ValidationError, match="bereits im Portal erfasst"):
            cart_add_service(
                customer=customer,
                domain_name="besetzt.ch",
                plan_product=product("service-mail"),
                register_domain=register,
            )
    assert not CartLine.objects.exists()


def test_own_domain_with_a_service_is_refused(customer, product, make_service):
    make_service(customer, "meine.ch", plan="service_mail_starter")
    with pytest.raises(ValidationError, match="bereits ein E-Mail-Dienst"):
        cart_add_service(
            customer=customer,
            domain_name="meine.ch",
            plan_product=product("service-mail"),
            register_domain=False,
        )


def test_own_domain_without_service_is_accepted_but_not_registered_again(customer, product):
    from mailservices.services import domain_create

    domain_create(customer=customer, name="ohne-dienst.ch")
    with pytest.raises(ValidationError, match="gehört bereits zu Ihrem Konto"):
        cart_add_service(
            customer=customer,
            domain_name="ohne-dienst.ch",
            plan_product=product("service-mail"),
            register_domain=True,
        )
    cart_add_service(
        customer=customer,
        domain_name="ohne-dienst.ch",
        plan_product=product("service-mail"),
        register_domain=False,
    )
    assert cart_summary(customer=customer).count == 1


def test_domain_in_another_customers_open_order_is_refused(
    customer, other_customer, product, place_order
):
    place_order(other_customer, "gefragt.ch")
    with pytest.raises(ValidationError, match="bereits bestellt"):
        cart_add_service(
            customer=customer,
            domain_name="gefragt.ch",
            plan_product=product("service-mail"),
            register_domain=True,
        )


def test_same_domain_twice_and_invalid_names_are_refused(customer, product):
    cart_add_service(
        customer=customer,
        domain_name="einmal.ch",
        plan_product=product("service-mail"),
        register_domain=False,
    )
    with pytest.raises(ValidationError, match="bereits ein E-Mail-Dienst im Warenkorb"):
        cart_add_service(
            customer=customer,
            domain_name="EINMAL.ch",
            plan_product=product("service-mail-starter"),
            register_domain=True,
        )
    for bad in ("keine domain", "-x.ch", "ch", ""):
        with pytest.raises(ValidationError):
            cart_add_service(
                customer=customer,
                domain_name=bad,
                plan_product=product("service-mail"),
                register_domain=False,
            )
    assert cart_summary(customer=customer).count == 1


def test_only_plans_are_sold_as_services(customer, product):
    with pytest.raises(ValidationError, match="nicht erhältlich"):
        cart_add_service(
            customer=customer,
            domain_name="x-y.ch",
            plan_product=product("addresses-5"),
            register_domain=False,
        )


def test_address_packs_add_up_and_stay_within_the_plan_limit(customer, product, make_service):
    service = make_service(customer, "firma.ch", plan="service_mail_starter", quota=990)
    line = cart_add_addresses(
        customer=customer, service=service, pack=product("addresses-1"), quantity=3
    )
    line = cart_add_addresses(
        customer=customer, service=service, pack=product("addresses-1"), quantity=2
    )
    assert line.quantity == 5 and CartLine.objects.count() == 1
    # 990 + 5 + 5 = 1000 is the plan's maximum: fine; one more is not.
    cart_add_addresses(customer=customer, service=service, pack=product("addresses-5"), quantity=1)
    with pytest.raises(ValidationError, match="höchstens 1000 Adressen"):
        cart_add_addresses(
            customer=customer, service=service, pack=product("addresses-1"), quantity=1
        )
    with pytest.raises(ValidationError, match="höchstens 1000 Adressen"):
        cart_line_update(customer=customer, line=line, quantity=6)
    assert CartLine.objects.get(pk=line.pk).quantity == 5


@pytest.mark.parametrize("quantity", [0, -3, 51])
def test_quantities_outside_1_to_50_are_refused(customer, product, make_service, quantity):
    service = make_service(customer, "menge.ch", plan="service_mail_starter")
    with pytest.raises(ValidationError, match="zwischen 1 und 50"):
        cart_add_addresses(
            customer=customer, service=service, pack=product("addresses-1"), quantity=quantity
        )
    line = cart_add_addresses(
        customer=customer, service=service, pack=product("addresses-1"), quantity=1
    )
    with pytest.raises(ValidationError, match="zwischen 1 und 50"):
        cart_line_update(customer=customer, line=line, quantity=quantity)


def test_a_service_of_another_customer_cannot_be_put_in_the_cart(
    customer, other_customer, product, make_service
):
    foreign = make_service(other_customer, "fremd.ch", plan="service_mail_starter")
    with pytest.raises(ValidationError, match="gehört nicht"):
        cart_add_addresses(
            customer=customer, service=foreign, pack=product("addresses-1"), quantity=1
        )
    with pytest.raises(ValidationError, match="gehört nicht"):
        cart_change_plan(customer=customer, service=foreign, plan_product=product("service-mail"))
    assert not CartLine.objects.exists()


def test_plan_change_rules(customer, product, make_service):
    service = make_service(customer, "wechsel.ch", plan="service_mail", quota=5)
    for local in ("anna", "beat"):
        Address.objects.create(service=service, local_part=local)
    with pytest.raises(ValidationError, match="bereits"):
        cart_change_plan(customer=customer, service=service, plan_product=product("service-mail"))
    with pytest.raises(ValidationError, match="erlaubt 1 Adresse,"):
        cart_change_plan(customer=customer, service=service, plan_product=product("my-ksuite-plus"))
    cart_change_plan(customer=customer, service=service, plan_product=product("ksuite-pro"))
    cart_change_plan(customer=customer, service=service, plan_product=product("ksuite-enterprise"))
    summary = cart_summary(customer=customer)
    assert summary.count == 1
    assert summary.lines[0].label == "Wechsel zu kSuite Enterprise für wechsel.ch"


def test_removing_a_new_service_removes_its_domain_registration(customer, product):
    new_lines = cart_add_service(
        customer=customer,
        domain_name="weg.ch",
        plan_product=product("service-mail"),
        register_domain=True,
    )
    cart_line_remove(customer=customer, line=new_lines[1])
    assert cart_summary(customer=customer).count == 0


def test_prices_are_looked_up_every_time_and_never_edited(customer, product):
    cart_add_service(
        customer=customer,
        domain_name="teurer.ch",
        plan_product=product("service-mail"),
        register_domain=False,
    )
    assert cart_summary(customer=customer).totals.net == Decimal("54.00")
    Price.objects.create(
        product=product("service-mail"),
        amount=Decimal("60.00"),
        valid_from=timezone.now() - datetime.timedelta(seconds=1),
    )
    Price.objects.create(
        product=product("service-mail"),
        amount=Decimal("99.00"),
        valid_from=timezone.now() + datetime.timedelta(days=30),
    )
    assert cart_summary(customer=customer).totals.net == Decimal("60.00")
    price = Price.objects.filter(product__code="service-mail").first()
    price.amount = Decimal("1.00")
    with pytest.raises(ValidationError, match="nie geändert"):
        price.save()
