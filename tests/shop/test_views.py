"""Customer pages: flows as plain form posts and with htmx, tenant isolation, query counts."""

import re

import pytest
from django.core import mail

from portal.shop.models import CartLine, Order, Product
from portal.shop.selectors import cart_summary
from portal.shop.services import cart_add_addresses, cart_add_service

pytestmark = pytest.mark.django_db


def _checkout_post(client, **overrides):
    page = client.get("/shop/checkout/").content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    gross = re.search(r'name="expected_gross" value="([^"]+)"', page).group(1)
    data = {
        "token": token,
        "expected_gross": gross,
        "name": "Anna Muster",
        "street": "Bahnhofstrasse",
        "house_number": "10",
        "postcode": "8001",
        "town": "Zürich",
        "country": "CH",
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


def test_pages_need_a_login(client):
    for url in ("/shop/", "/shop/cart/", "/shop/checkout/", "/shop/orders/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_order_flow_without_javascript(
    customer_client, customer, django_capture_on_commit_callbacks
):
    response = customer_client.post(
        "/shop/add/service/",
        {
            "domain": "ohne-js.ch",
            "domain_option": "register",
            "plan": Product.objects.get(code="service-mail-starter").pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/shop/cart/"
    cart_page = customer_client.get("/shop/cart/").content.decode()
    assert "Service Mail Starter für ohne-js.ch" in cart_page
    assert 'id="cart-badge"' in cart_page and ">2</span>" in cart_page
    assert "35.68" in cart_page

    data = _checkout_post(customer_client)
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post("/shop/checkout/", data)
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/shop/orders/{order.pk}/"
    # The replayed POST (double click, reload, second tab) lands on the same order.
    again = customer_client.post("/shop/checkout/", data)
    assert again["Location"] == f"/shop/orders/{order.pk}/" and Order.objects.count() == 1
    assert len(mail.outbox) == 1

    detail = customer_client.get(f"/shop/orders/{order.pk}/").content.decode()
    assert "Zahlung ausstehend" in detail and order.invoice.number in detail
    pdf = customer_client.get(f"/shop/invoices/{order.invoice.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_checkout_shows_inline_errors_and_keeps_input(customer_client, customer, product):
    cart_add_service(
        customer=customer,
        domain_name="fehler.ch",
        plan_product=product("service-mail"),
        register_domain=False,
    )
    data = _checkout_post(customer_client, postcode="80", accept_terms="", street="")
    response = customer_client.post("/shop/checkout/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Eine Schweizer Postleitzahl hat vier Ziffern." in page
    assert "Bitte akzeptieren Sie die AGB." in page
    assert 'value="Anna Muster"' in page
    assert not Order.objects.exists()


def test_checkout_after_the_cart_changed_shows_the_review_again(customer_client, customer, product):
    cart_add_service(
        customer=customer,
        domain_name="zwei-tabs.ch",
        plan_product=product("service-mail"),
        register_domain=False,
    )
    data = _checkout_post(customer_client)
    cart_add_service(
        customer=customer,
        domain_name="dritter.ch",
        plan_product=product("service-mail"),
        register_domain=False,
    )
    response = customer_client.post("/shop/checkout/", data)
    assert response.status_code == 302 and response["Location"] == "/shop/checkout/"
    assert not Order.objects.exists()
    page = customer_client.get("/shop/checkout/").content.decode()
    assert "inzwischen geändert" in page and "dritter.ch" in page


def test_empty_cart_checkout_goes_back_to_the_cart(customer_client):
    response = customer_client.get("/shop/checkout/")
    assert response.status_code == 302 and response["Location"] == "/shop/cart/"


def test_add_service_form_shows_service_errors_inline(
    customer_client, make_service, other_customer
):
    make_service(other_customer, "vergeben.ch", plan="service_mail_starter")
    response = customer_client.post(
        "/shop/add/service/",
        {
            "domain": "vergeben.ch",
            "domain_option": "existing",
            "plan": Product.objects.get(code="service-mail").pk,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "bereits im Portal erfasst" in page
    assert 'value="vergeben.ch"' in page
    assert not CartLine.objects.exists()


def test_domain_check_answers_for_htmx(customer_client, make_service, other_customer):
    make_service(other_customer, "vergeben.ch", plan="service_mail_starter")
    free = customer_client.get("/shop/add/service/check/?domain=frei.ch&domain_option=register")
    assert "noch frei" in free.content.decode()
    taken = customer_client.get("/shop/add/service/check/?domain=vergeben.ch")
    assert "bereits im Portal erfasst" in taken.content.decode()
    bad = customer_client.get("/shop/add/service/check/?domain=nicht gültig")
    assert "kein gültiger Domainname" in bad.content.decode()


def test_htmx_quantity_change_returns_the_cart_and_the_badge(
    customer_client, customer, product, make_service
):
    service = make_service(customer, "htmx.ch", plan="service_mail_starter")
    line = cart_add_addresses(
        customer=customer, service=service, pack=product("addresses-1"), quantity=1
    )
    response = customer_client.post(
        f"/shop/cart/lines/{line.pk}/", {"quantity": "5"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page and 'id="cart-body"' in page
    assert 'id="cart-badge" hx-swap-oob="true"' in page
    assert "20.00" in page  # 5 × 4.00 net
    bad = customer_client.post(
        f"/shop/cart/lines/{line.pk}/", {"quantity": "0"}, HTTP_HX_REQUEST="true"
    )
    assert 'role="alert"' in bad.content.decode()
    removed = customer_client.post(
        f"/shop/cart/lines/{line.pk}/remove/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Ihr Warenkorb ist leer." in removed
    assert re.search(r'id="cart-badge" hx-swap-oob="true"[^>]*></span>', removed)


def test_plain_post_quantity_change_redirects(customer_client, customer, product, make_service):
    service = make_service(customer, "plain.ch", plan="service_mail_starter")
    line = cart_add_addresses(
        customer=customer, service=service, pack=product("addresses-1"), quantity=1
    )
    response = customer_client.post(f"/shop/cart/lines/{line.pk}/", {"quantity": "3"})
    assert response.status_code == 302
    assert CartLine.objects.get(pk=line.pk).quantity == 3


def test_another_customers_objects_answer_404(
    client, customer, other_customer, place_order, make_service, product
):
    order = place_order(other_customer, "geheim.ch")
    service = make_service(other_customer, "fremd.ch", plan="service_mail_starter")
    line = cart_add_addresses(
        customer=other_customer, service=service, pack=product("addresses-1"), quantity=1
    )
    client.force_login(customer.owner)
    gets = [
        f"/shop/orders/{order.pk}/",
        f"/shop/invoices/{order.invoice.pk}.pdf",
        f"/shop/add/addresses/{service.pk}/",
        f"/shop/add/plan/{service.pk}/",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        (f"/shop/add/addresses/{service.pk}/", {"pack": line.product_id, "quantity": 1}),
        (f"/shop/add/plan/{service.pk}/", {"plan": product("service-mail").pk}),
        (f"/shop/cart/lines/{line.pk}/", {"quantity": 2}),
        (f"/shop/cart/lines/{line.pk}/remove/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert CartLine.objects.get(pk=line.pk).quantity == 1
    assert "geheim.ch" not in client.get("/shop/orders/").content.decode()
    assert cart_summary(customer=customer).count == 0


def test_add_addresses_and_change_plan_pages(customer_client, customer, make_service, product):
    service = make_service(customer, "seite.ch", plan="service_mail_starter")
    page = customer_client.get(f"/shop/add/addresses/{service.pk}/").content.decode()
    assert "Mehr Adressen für seite.ch" in page and "CHF 18.00" in page
    response = customer_client.post(
        f"/shop/add/addresses/{service.pk}/",
        {"pack": product("addresses-5").pk, "quantity": 1},
    )
    assert response.status_code == 302
    page = customer_client.get(f"/shop/add/plan/{service.pk}/").content.decode()
    # The current plan is no choice.
    assert 'shop-choice-name">Service Mail Starter<' not in page
    assert 'shop-choice-name">Service Mail<' in page
    response = customer_client.post(
        f"/shop/add/plan/{service.pk}/", {"plan": product("service-mail").pk}
    )
    assert response.status_code == 302
    assert cart_summary(customer=customer).count == 2


def _assert_flat(client, url, counts, grow, django_assert_max_num_queries):
    """The page needs no more queries with more rows."""
    grow(1)
    client.get(url)
    with django_assert_max_num_queries(counts) as small:
        assert client.get(url).status_code == 200
    grow(5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_cart_query_count_does_not_grow(
    customer_client, customer, product, make_service, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            index = CartLine.objects.count()
            service = make_service(customer, f"q{index}.ch", plan="service_mail_starter")
            cart_add_addresses(
                customer=customer, service=service, pack=product("addresses-1"), quantity=1
            )
            cart_add_service(
                customer=customer,
                domain_name=f"neu{index}.ch",
                plan_product=product("service-mail"),
                register_domain=True,
            )

    _assert_flat(customer_client, "/shop/cart/", 14, grow, django_assert_max_num_queries)
    _assert_flat(
        customer_client, "/shop/checkout/", 14, lambda n: None, django_assert_max_num_queries
    )


def test_order_pages_query_counts_do_not_grow(
    customer_client, customer, place_order, make_service, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            place_order(customer, f"o{Order.objects.count()}.ch")

    _assert_flat(customer_client, "/shop/orders/", 10, grow, django_assert_max_num_queries)
    _assert_flat(
        customer_client,
        "/shop/",
        10,
        lambda n: [
            make_service(customer, f"s{i}-{n}.ch", plan="service_mail_starter") for i in range(n)
        ],
        django_assert_max_num_queries,
    )
    order = Order.objects.first()
    with django_assert_max_num_queries(10):
        assert customer_client.get(f"/shop/orders/{order.pk}/").status_code == 200


def test_cart_marks_lines_that_became_impossible(
    customer_client, customer, other_customer, product, make_service
):
    cart_add_service(
        customer=customer,
        domain_name="zu-spaet.ch",
        plan_product=product("service-mail"),
        register_domain=True,
    )
    make_service(other_customer, "zu-spaet.ch", plan="service_mail_starter")
    page = customer_client.get("/shop/cart/").content.decode()
    assert "Die Domain zu-spaet.ch ist bereits im Portal erfasst." in page
    assert 'aria-disabled="true">Zur Kasse' in page
    assert 'href="/shop/checkout/"' not in page


def test_a_full_plan_points_to_a_plan_change(customer_client, customer, make_service):
    service = make_service(customer, "voll.ch", plan="my_ksuite_plus")
    page = customer_client.get(f"/shop/add/addresses/{service.pk}/").content.decode()
    assert "erlaubt höchstens 1 Adresse." in page
    assert f"/shop/add/plan/{service.pk}/" in page and 'name="quantity"' not in page
