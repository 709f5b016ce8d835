"""The whole purchase in chromium: order a service, staff mark it paid, use it, buy more."""

import itertools
import re
import time

import pytest

from mailservices.models import MailService
from portal.shop.models import Order
from tests.conftest import PASSWORD, STAFF_TOTP_SECRET
from tests.totp import totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAIL_PASSWORD = "Gletscher-Sonne-2026!"


def _log_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/$"))


def _checkout(page):
    page.get_by_role("link", name="Zur Kasse").click()
    page.wait_for_url(re.compile(r"/shop/checkout/$"))
    page.get_by_label("Name oder Firma").fill("Neue Firma GmbH")
    page.get_by_label("Strasse").fill("Marktgasse")
    page.get_by_label("Hausnummer").fill("5")
    page.get_by_label("PLZ").fill("3011")
    page.get_by_label("Ort").fill("Bern")
    page.get_by_label("Ich akzeptiere").check()
    page.get_by_role("button", name=re.compile("Kostenpflichtig bestellen")).click()
    page.wait_for_url(re.compile(r"/shop/orders/\d+/$"))
    assert page.get_by_text("Zahlung ausstehend").first.is_visible()
    return Order.objects.order_by("-pk").first()


_steps = itertools.cycle([-30, 30])


def _staff_marks_paid(browser, live_server, order):
    context = browser.new_context(locale="de-CH", base_url=live_server.url)
    staff = context.new_page()
    staff.goto("/accounts/login/")
    staff.get_by_label("E-Mail").fill("support@example.org")
    staff.get_by_label("Passwort").fill(PASSWORD)
    staff.get_by_role("button", name="Anmelden").click()
    staff.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))  # staff: a second factor
    # Each login another time step (allauth refuses a code used before; tolerance: 1 step).
    staff.locator("input[name=code]").fill(totp(STAFF_TOTP_SECRET, at=time.time() + next(_steps)))
    staff.get_by_role("button", name="Anmelden").click()
    staff.wait_for_url(re.compile(r"/$"))
    staff.goto("/admin/shop/order/")
    staff.locator(f"input[name=_selected_action][value='{order.pk}']").check()
    staff.locator("select[name=action]").select_option("mark_paid")
    staff.get_by_role("button", name="Ausführen").click()
    # Provisioning runs inside this request (eager Celery in tests), with the new service's
    # DNS set-up and DKIM key: allow for a slow, busy machine.
    staff.get_by_text("als bezahlt markiert").wait_for(timeout=60_000)
    context.close()


def test_new_customer_orders_uses_and_extends_a_mail_service(
    page, browser, live_server, make_customer, staff_user
):
    customer = make_customer("neu@example.org")
    _log_in(page, "neu@example.org")

    # Order Service Mail Starter for a new domain.
    page.goto("/shop/")
    page.get_by_role("link", name="Bestellen Service Mail Starter").click()
    page.get_by_label("Domain", exact=True).fill("neue-firma.ch")
    page.get_by_text("neue-firma.ch ist im Portal noch frei.").wait_for()
    assert page.get_by_label("Service Mail Starter").is_checked()
    page.get_by_role("button", name="In den Warenkorb").click()
    page.wait_for_url(re.compile(r"/shop/cart/$"))
    assert page.locator("#cart-badge").inner_text() == "2"
    assert page.get_by_text("CHF 35.68").is_visible()
    first = _checkout(page)
    assert page.locator("#cart-badge").inner_text() == ""

    # Staff mark it paid in the admin; provisioning runs and the service appears.
    _staff_marks_paid(browser, live_server, first)
    page.goto("/services/")
    row = page.locator("tr", has_text="neue-firma.ch")
    assert row.get_by_text("Service Mail Starter").is_visible()
    service = MailService.objects.get(domain__name="neue-firma.ch", domain__customer=customer)
    assert service.address_quota == 1

    # The customer creates the first address.
    page.goto(f"/services/{service.pk}/addresses/new/")
    page.locator("input[name=local_part]").fill("info")
    page.locator("input[name=password1]").fill(MAIL_PASSWORD)
    page.locator("input[name=password2]").fill(MAIL_PASSWORD)
    page.get_by_role("button", name="Adresse erstellen").click()
    page.wait_for_url(re.compile(r"/addresses/\d+/$"))
    assert service.addresses.filter(local_part="info").exists()

    # The quota is full: buy five more addresses from the service page, with htmx totals.
    page.goto(f"/services/{service.pk}/")
    page.get_by_role("link", name=re.compile("Weitere Adressen kaufen")).first.click()
    page.wait_for_url(re.compile(rf"/shop/add/addresses/{service.pk}/$"))
    page.get_by_role("radio", name=re.compile(r"^5 Adressen")).check()
    page.get_by_role("button", name="In den Warenkorb").click()
    page.wait_for_url(re.compile(r"/shop/cart/$"))
    assert page.get_by_text("CHF 19.46").is_visible()  # 18.00 + 8.1 % VAT
    quantity = page.get_by_label("Anzahl Pakete")
    quantity.fill("2")
    quantity.press("Tab")
    page.get_by_text("CHF 38.92").wait_for()  # recomputed by the server, swapped by htmx
    quantity.fill("1")
    quantity.press("Tab")
    page.get_by_text("CHF 19.46").wait_for()
    assert page.locator("#cart-badge").inner_text() == "1"
    second = _checkout(page)
    assert str(second.total_gross) == "19.46"

    _staff_marks_paid(browser, live_server, second)
    service.refresh_from_db()
    assert service.address_quota == 6
    page.goto("/services/")
    assert page.locator("tr", has_text="neue-firma.ch").get_by_text("1 von 6").is_visible()
    page.goto(f"/shop/orders/{second.pk}/")
    assert page.get_by_text("Alles ist eingerichtet.").is_visible()
