"""The staff admin: search by what customers quote, German names without duplicates, the
read-only mixin, mail services changed through the services, the favicon."""

import pytest
from django.contrib import admin
from django.urls import reverse

from mailservices.models import MailService
from mailservices.services import domain_create, mailservice_create
from mailservices.services.addresses import address_create, alias_create
from portal.core.admin import ReadOnlyAdminMixin

pytestmark = pytest.mark.django_db

MAIL_PASSWORD = "Gletscher-Weg-2026!"


@pytest.fixture
def addresses(customer, other_customer):
    """buchhaltung@ of two domains (the search must tell them apart) and an alias."""
    ours = mailservice_create(
        domain=domain_create(customer=customer, name="demo-kunde.ch"), plan="service_mail"
    )
    theirs = mailservice_create(
        domain=domain_create(customer=other_customer, name="demo-kunde.com"),
        plan="service_mail",
    )
    wanted = address_create(service=ours, local_part="buchhaltung", password=MAIL_PASSWORD)
    address_create(service=theirs, local_part="buchhaltung", password=MAIL_PASSWORD)
    address_create(service=ours, local_part="info", password=MAIL_PASSWORD)
    alias_create(address=wanted, local_part="rechnungen")
    return wanted


def _found(staff_client, changelist, term):
    response = staff_client.get(reverse(f"admin:{changelist}_changelist"), {"q": term})
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize(
    "term", ["buchhaltung@demo-kunde.ch", " Buchhaltung@Demo-Kunde.CH ", "rechnungen@demo-kunde.ch"]
)
def test_address_found_by_the_whole_address(staff_client, addresses, term):
    assert _found(staff_client, "mailservices_address", term) == [addresses]


def test_whole_address_search_in_related_lists(staff_client, addresses):
    assert _found(staff_client, "mailservices_mailservice", "buchhaltung@demo-kunde.ch") == [
        addresses.service
    ]
    assert len(_found(staff_client, "mailservices_alias", "rechnungen@demo-kunde.ch")) == 1
    assert _found(staff_client, "mailservices_address", "niemand@demo-kunde.ch") == []


def test_override_forms_address_picker_finds_the_whole_address(staff_client, addresses):
    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "buchhaltung@demo-kunde.ch",
            "app_label": "quotas",
            "model_name": "sendinglimitoverride",
            "field_name": "address",
        },
    )
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(addresses.pk)]


def test_addresses_found_by_the_customers_login_email(staff_client, addresses):
    found = _found(staff_client, "mailservices_address", "anna@example.org")
    assert addresses in found and len(found) == 2


def test_order_found_by_number_invoice_number_and_login_email(
    staff_client, customer, other_customer, place_order
):
    order = place_order(customer, "bestellt.ch")
    place_order(other_customer, "anderes.ch")
    assert _found(staff_client, "shop_order", order.number) == [order]
    assert _found(staff_client, "shop_order", order.number.lower()) == [order]
    assert _found(staff_client, "shop_order", order.invoice.number) == [order]
    assert _found(staff_client, "shop_order", "anna@example.org") == [order]
    assert _found(staff_client, "shop_invoice", order.number) == [order.invoice]
    assert _found(staff_client, "shop_invoice", order.invoice.number) == [order.invoice]


def test_admin_index_names_are_german_and_unique(staff_client):
    response = staff_client.get(reverse("admin:index"))
    names = [str(m["name"]) for app in response.context["app_list"] for m in app["models"]]
    assert len(names) == len(set(names)), sorted(names)
    page = response.content.decode()
    for english in ("Task results", "Group results", "Authenticators", "Celery Results", "MFA"):
        assert english not in page
    assert "Login-E-Mail-Adressen" in page and "Aufgabenergebnisse" in page
    assert 'rel="icon"' in page and "img/logo.svg" in page


def test_admin_login_page_has_the_favicon(client):
    """Whichever login page staff land on (the admin's or the portal's with 2FA)."""
    page = client.get(reverse("admin:login"), follow=True).content.decode()
    assert 'rel="icon"' in page


def test_third_party_names_need_no_migration():
    from django.apps import apps
    from django.db.migrations.state import ModelState

    state = ModelState.from_model(apps.get_model("mfa", "authenticator"))
    assert "verbose_name_plural" not in state.options
    state = ModelState.from_model(apps.get_model("django_celery_results", "taskresult"))
    assert state.options["verbose_name_plural"] == "task results"


def test_read_only_lists_refuse_writes(staff_client, customer, place_order):
    order = place_order(customer, "nurlesen.ch")
    assert staff_client.get(reverse("admin:quotas_usagehour_add")).status_code == 403
    page = staff_client.get(reverse("admin:shop_invoice_change", args=[order.invoice.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert (
        staff_client.post(reverse("admin:shop_invoice_delete", args=[order.invoice.pk])).status_code
        == 403
    )
    # An order keeps its actions (change), is never added or deleted.
    assert staff_client.get(reverse("admin:shop_order_add")).status_code == 403


# Apps of this wave whose admins are not on the mixin yet (none left: keep it that way).
NOT_YET_ON_THE_MIXIN: tuple[str, ...] = ()


def test_no_admin_overrides_permissions_by_hand():
    """Every read-only list of ours uses the one mixin."""
    for model_admin in admin.site._registry.values():
        module = type(model_admin).__module__
        if not module.startswith(("portal", "mailservices", "quotas", "kb", "messagetools")):
            continue
        if NOT_YET_ON_THE_MIXIN and module.startswith(NOT_YET_ON_THE_MIXIN):
            continue
        for inline in [type(model_admin), *model_admin.inlines]:
            own = {n for n in vars(inline) if n.startswith("has_") and n.endswith("_permission")}
            assert not own or issubclass(inline, ReadOnlyAdminMixin) and not own, (inline, own)


def _service_form(service, **changes):
    data = {
        "domain": service.domain_id,
        "plan": service.plan,
        "address_quota": service.address_quota,
        "status": service.status,
        "spam_filter_enabled": "on",
        "external_warning_enabled": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_creates_a_service_with_its_switches_through_the_services(
    staff_client, customer, django_capture_on_commit_callbacks
):
    domain = domain_create(customer=customer, name="neu-im-admin.ch")
    data = _service_form(
        MailService(domain=domain, plan="service_mail", address_quota=5, status="active"),
        spam_filter_enabled=None,
        address_quota="",
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_client.post(reverse("admin:mailservices_mailservice_add"), data)
    assert response.status_code == 302, response.context["adminform"].errors
    service = MailService.objects.get(domain=domain)
    assert service.spam_filter_enabled is False and service.external_warning_enabled is True
    assert service.address_quota == 5  # the plan's default
    assert callbacks  # the first diagnosis is queued as for any new service


def test_admin_plan_and_quota_changes_go_through_the_services(staff_client, addresses):
    service = addresses.service
    url = reverse("admin:mailservices_mailservice_change", args=[service.pk])

    # Below the addresses in use: an inline error, nothing saved.
    response = staff_client.post(url, _service_form(service, address_quota=1))
    assert response.status_code == 200
    assert "Der Dienst hat 2 Adressen" in response.content.decode()

    # Too small a plan: the plan's ceiling, in the singular.
    response = staff_client.post(url, _service_form(service, plan="my_ksuite", address_quota=2))
    assert "höchstens 1 Adresse." in response.content.decode()

    response = staff_client.post(
        url, _service_form(service, plan="ksuite_pro", address_quota=40, status="suspended")
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.plan, service.address_quota, service.status) == ("ksuite_pro", 40, "suspended")


def test_favicon_at_the_root(client):
    """Browsers ask /favicon.ico without being told; WhiteNoise answers from static/root."""
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
