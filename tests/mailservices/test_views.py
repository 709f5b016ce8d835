import pytest
from django.urls import reverse

from mailservices.models import Address, Alias, Forward, MailService, Responder
from mailservices.passwords import verify_mail_password
from mailservices.services.addresses import (
    address_create,
    alias_create,
    catchall_create,
    forward_create,
)
from tests.mailservices.conftest import MAIL_PASSWORD

NEW_PASSWORD = "Neues-Passwort-Berg-77"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- product table -------------------------------------------------------------------------


def test_product_list_shows_services_with_counts(customer_client, customer, make_service):
    first = make_service(customer, name="alpha.ch")
    second = make_service(customer, name="bücher.ch", plan="service_mail_starter")
    address_create(service=first, local_part="a", password=MAIL_PASSWORD)
    address_create(service=first, local_part="b", password=MAIL_PASSWORD)
    response = customer_client.get(reverse("mailservices:product_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "alpha.ch" in html and "bücher.ch" in html and "xn--bcher-kva.ch" in html
    rows = {s.domain.name: s for s in response.context["services"]}
    assert rows["alpha.ch"].address_count == 2
    assert rows["xn--bcher-kva.ch"].address_count == 0
    assert "2 von 5" in html and "0 von 1" in html
    assert "Weiteren E-Mail-Dienst bestellen" in html
    assert reverse("mailservices:service_detail", args=[second.pk]) in html


def test_product_list_cart_link_points_to_shop(customer_client):
    html = customer_client.get(reverse("mailservices:product_list")).content.decode()
    try:
        target = reverse("shop:add_service")
    except Exception:  # the shop may not be there yet
        target = "/shop/"
    assert f'href="{target}"' in html


def test_product_list_query_count_does_not_grow(
    customer_client, customer, make_service, django_assert_max_num_queries
):
    def fill(start, count):
        for i in range(start, start + count):
            service = make_service(customer, name=f"domain{i}.ch")
            for local in ("a", "b", "c"):
                address_create(service=service, local_part=local)

    fill(0, 2)
    with django_assert_max_num_queries(12) as few:
        customer_client.get(reverse("mailservices:product_list"))
    fill(10, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = customer_client.get(reverse("mailservices:product_list"))
    assert len(response.context["services"]) == 8


def test_empty_product_list(customer_client):
    html = customer_client.get(reverse("mailservices:product_list")).content.decode()
    assert "Noch kein E-Mail-Dienst" in html


# --- service page -----------------------------------------------------------------------------


def test_service_page_buttons_and_menu(customer_client, service, address):
    response = customer_client.get(reverse("mailservices:service_detail", args=[service.pk]))
    html = response.content.decode()
    assert "E-Mail-Adresse erstellen" in html
    assert '<details class="dropdown">' in html
    assert "Generische E-Mail-Adresse erstellen" in html
    assert reverse("mailservices:catchall_create", args=[service.pk]) in html
    assert "Weitere Adressen kaufen" in html
    try:
        cart = reverse("shop:add_addresses", args=[service.pk])
    except Exception:
        cart = "/shop/"
    assert f'href="{cart}"' in html
    assert "anna" in html and "1 von 5 Adressen genutzt" in html


def test_service_page_query_count_does_not_grow(
    customer_client, service, django_assert_max_num_queries
):
    url = reverse("mailservices:service_detail", args=[service.pk])
    address_create(service=service, local_part="a")
    # 13: the page adds one aggregate over all addresses (the onboarding facts) to the 12 of
    # the list it pages through.
    with django_assert_max_num_queries(13) as few:
        customer_client.get(url)
    service.address_quota = 20
    service.save()
    for i in range(8):
        address = address_create(service=service, local_part=f"x{i}")
        alias_create(address=address, local_part=f"alias{i}")
        forward_create(address=address, destination=f"f{i}@example.net")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = customer_client.get(url)
    assert len(response.context["addresses"]) == 9


def test_onboarding_steps(customer_client, service):
    url = reverse("mailservices:service_detail", args=[service.pk])
    html = customer_client.get(url).content.decode()
    assert "Erste Schritte" in html
    assert "mailclient-einrichten" in html
    steps = customer_client.get(url).context["steps"]
    assert [s["done"] for s in steps[:2]] == [False, False]
    address = address_create(service=service, local_part="anna", password=MAIL_PASSWORD)
    steps = customer_client.get(url).context["steps"]
    assert [s["done"] for s in steps[:2]] == [True, False]
    customer_client.post(
        reverse("mailservices:address_password", args=[address.pk]),
        {"action": "test", "password": MAIL_PASSWORD},
    )
    response = customer_client.get(url)
    assert [s["done"] for s in response.context["steps"][:3]] == [True, True, False]
    assert response.context["show_onboarding"] is True
    # A mail client fetching its settings (here: the Apple profile) completes step 3.
    customer_client.get(reverse("mailservices:address_mobileconfig", args=[address.pk]))
    response = customer_client.get(url)
    assert [s["done"] for s in response.context["steps"][:3]] == [True, True, True]
    diagnosis_step = response.context["steps"][3]
    if response.context["diagnosis_partial"]:
        assert response.context["show_onboarding"] is not diagnosis_step["done"]
    else:
        assert diagnosis_step["done"] is False
        assert response.context["show_onboarding"] is False


def test_onboarding_device_step_from_autoconfig(client, customer_client, service):
    address = address_create(service=service, local_part="anna", password=MAIL_PASSWORD)
    client.get("/mail/config-v1.1.xml", {"emailaddress": "Anna+x@beispiel.ch"})
    address.refresh_from_db()
    first = address.client_configured_at
    assert first is not None
    client.get("/mail/config-v1.1.xml", {"emailaddress": "anna@beispiel.ch"})
    address.refresh_from_db()
    assert address.client_configured_at == first  # the first time is kept


def test_diagnosis_partial_is_included_only_if_it_exists(customer_client, service):
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    response = customer_client.get(reverse("mailservices:service_detail", args=[service.pk]))
    try:
        get_template("diagnosis/partials/_summary.html")
        exists = True
    except TemplateDoesNotExist:
        exists = False
    assert bool(response.context["diagnosis_partial"]) is exists


# --- creating addresses --------------------------------------------------------------------------


def test_create_mailbox_prg(customer_client, service):
    url = reverse("mailservices:address_create", args=[service.pk])
    assert "Adresse (vor dem @)" in customer_client.get(url).content.decode()
    response = customer_client.post(
        url,
        {
            "local_part": "Jean.Dupont",
            "display_name": "Jean Dupont",
            "kind": "mailbox",
            "password1": MAIL_PASSWORD,
            "password2": MAIL_PASSWORD,
        },
    )
    address = Address.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("mailservices:address_detail", args=[address.pk])
    assert address.local_part == "jean.dupont"
    assert verify_mail_password(MAIL_PASSWORD, address.password_hash)


def test_create_redirect(customer_client, service):
    response = customer_client.post(
        reverse("mailservices:address_create", args=[service.pk]),
        {"local_part": "info", "kind": "redirect", "destination": "chef@example.org"},
    )
    assert response.status_code == 302
    address = Address.objects.get()
    assert address.kind == "redirect"
    assert list(address.forwards.values_list("destination", flat=True)) == ["chef@example.org"]


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"local_part": "", "kind": "mailbox"}, "local_part", "erforderlich"),
        (
            {
                "local_part": "a..b",
                "kind": "mailbox",
                "password1": MAIL_PASSWORD,
                "password2": MAIL_PASSWORD,
            },
            "local_part",
            "Erlaubt sind",
        ),  # noqa: E501
        ({"local_part": "anna", "kind": "mailbox"}, "password1", "braucht ein Mail-Passwort"),
        (
            {"local_part": "anna", "kind": "mailbox", "password1": MAIL_PASSWORD, "password2": "x"},
            "password2",
            "stimmen nicht überein",
        ),  # noqa: E501
        (
            {"local_part": "anna", "kind": "mailbox", "password1": "kurz", "password2": "kurz"},
            "password1",
            "mindestens 10 Zeichen",
        ),  # noqa: E501
        ({"local_part": "info", "kind": "redirect"}, "destination", "Zieladresse"),
        ({"local_part": "info", "kind": "redirect", "destination": "x"}, "destination", "gültige"),
    ],
)
def test_create_errors_are_inline(customer_client, service, data, field, text):
    response = customer_client.post(reverse("mailservices:address_create", args=[service.pk]), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert text in errors, response.context["form"].errors
    assert 'class="field has-error' in response.content.decode()
    assert not Address.objects.exists()


def test_create_refuses_catchall_with_pointer(customer_client, service):
    response = customer_client.post(
        reverse("mailservices:address_create", args=[service.pk]),
        {
            "local_part": "catchall",
            "kind": "mailbox",
            "password1": MAIL_PASSWORD,
            "password2": MAIL_PASSWORD,
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["local_part"])
    assert "reserviert" in errors and "Generische E-Mail-Adresse erstellen" in errors
    assert not Address.objects.exists()


def test_quota_full_message_links_to_shop(customer_client, customer, make_service):
    service = make_service(customer, plan="service_mail_starter")
    address_create(service=service, local_part="eins")
    url = reverse("mailservices:address_create", args=[service.pk])
    html = customer_client.get(url).content.decode()
    assert "Das Adresskontingent ist ausgeschöpft" in html
    assert "1 von 1" in html and "Weitere Adressen kaufen" in html
    try:
        buy = reverse("shop:add_addresses", args=[service.pk])
    except Exception:
        buy = "/shop/"
    assert f'href="{buy}"' in html
    response = customer_client.post(
        url,
        {
            "local_part": "zwei",
            "kind": "mailbox",
            "password1": MAIL_PASSWORD,
            "password2": MAIL_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "ausgeschöpft" in response.content.decode()
    assert service.addresses.count() == 1


# --- catch-all --------------------------------------------------------------------------------


def test_catchall_page_warns_with_three_reasons(customer_client, service):
    html = customer_client.get(
        reverse("mailservices:catchall_create", args=[service.pk])
    ).content.decode()
    assert "Wir raten von einer Catchall-Adresse ab" in html
    for reason in ("Spam-Flut", "Verlorene Nachrichten", "Ausspähen"):
        assert reason in html
    assert "catchall@beispiel.ch" in html
    assert 'name="confirm"' in html
    assert 'name="local_part"' not in html  # the name is forced


def test_catchall_needs_confirmation_then_creates(customer_client, service):
    url = reverse("mailservices:catchall_create", args=[service.pk])
    data = {"kind": "mailbox", "password1": MAIL_PASSWORD, "password2": MAIL_PASSWORD}
    response = customer_client.post(url, data)
    assert response.status_code == 200
    assert "bestätigen" in " ".join(response.context["form"].errors["confirm"])
    assert not service.addresses.exists()
    response = customer_client.post(url, {**data, "local_part": "boss", "confirm": "on"})
    catchall = service.addresses.get()
    assert catchall.local_part == "catchall"
    assert response.url == reverse("mailservices:address_detail", args=[catchall.pk])
    html = customer_client.get(url).content.decode()
    assert "bereits eine Catchall-Adresse" in html
    response = customer_client.post(url, {**data, "confirm": "on"})
    assert service.addresses.count() == 1


def test_catchall_on_free_service_has_clear_message(customer_client, customer, make_service):
    service = make_service(customer, plan="my_ksuite")
    url = reverse("mailservices:catchall_create", args=[service.pk])
    html = customer_client.get(url).content.decode()
    assert "nur bei kostenpflichtigen E-Mail-Diensten" in html
    assert 'name="confirm"' not in html
    response = customer_client.post(
        url,
        {
            "kind": "mailbox",
            "password1": MAIL_PASSWORD,
            "password2": MAIL_PASSWORD,
            "confirm": "on",
        },
    )
    assert response.status_code == 200
    assert not service.addresses.exists()


# --- address page, edit, disable, delete -------------------------------------------------------


def test_address_page_shows_client_settings(customer_client, address, settings):
    html = customer_client.get(
        reverse("mailservices:address_detail", args=[address.pk])
    ).content.decode()
    assert settings.PORTAL_MAIL_HOST in html
    assert ">993<" in html and ">465<" in html and "SSL/TLS" in html
    assert 'data-copy="anna@beispiel.ch"' in html
    assert f'data-copy="{settings.PORTAL_MAIL_HOST}"' in html
    assert reverse("mailservices:address_mobileconfig", args=[address.pk]) in html


def test_edit_address(customer_client, address):
    url = reverse("mailservices:address_edit", args=[address.pk])
    assert customer_client.get(url).status_code == 200
    response = customer_client.post(url, {"display_name": "Anna M.", "enabled": "on"})
    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.display_name, address.enabled) == ("Anna M.", True)
    # The storage is the plan's (or a staff override), not the customer's to set here.
    assert "storage_quota_mb" not in customer_client.get(url).context["form"].fields
    response = customer_client.post(url, {"display_name": "x" * 121})
    assert response.status_code == 200 and "display_name" in response.context["form"].errors


def test_disable_and_enable(customer_client, address):
    url = reverse("mailservices:address_enable", args=[address.pk])
    assert customer_client.get(url).status_code == 405
    customer_client.post(url, {"enabled": "0"})
    address.refresh_from_db()
    assert address.enabled is False
    html = customer_client.get(
        reverse("mailservices:address_detail", args=[address.pk])
    ).content.decode()
    assert "deaktiviert" in html
    customer_client.post(url, {"enabled": "1"})
    address.refresh_from_db()
    assert address.enabled is True


def test_delete_explains_and_needs_confirmation(customer_client, service, address):
    alias_create(address=address, local_part="kontakt")
    url = reverse("mailservices:address_delete", args=[address.pk])
    html = customer_client.get(url).content.decode()
    assert "endgültig gelöscht" in html
    assert "abgewiesen" in html
    assert "kontakt@beispiel.ch" in html
    response = customer_client.post(url, {})
    assert response.status_code == 200 and Address.objects.filter(pk=address.pk).exists()
    response = customer_client.post(url, {"confirm": "on"})
    assert response.url == reverse("mailservices:service_detail", args=[service.pk])
    assert not Address.objects.filter(pk=address.pk).exists()
    assert not Alias.objects.exists()


def test_delete_mentions_catchall_when_there_is_one(customer_client, service, address):
    catchall_create(service=service, confirmed=True, password=MAIL_PASSWORD)
    html = customer_client.get(
        reverse("mailservices:address_delete", args=[address.pk])
    ).content.decode()
    assert "landen danach in der Catchall-Adresse" in html


# --- password --------------------------------------------------------------------------------


def test_password_set_and_test_plain_posts(customer_client, address):
    url = reverse("mailservices:address_password", args=[address.pk])
    html = customer_client.get(url).content.decode()
    assert "Passwort testen" in html and "in allen Mailprogrammen" in html
    assert "data-strength-for" in html
    response = customer_client.post(
        url, {"action": "set", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert verify_mail_password(NEW_PASSWORD, address.password_hash)
    response = customer_client.post(url, {"action": "test", "password": NEW_PASSWORD}, follow=True)
    assert "Das Passwort ist korrekt." in messages_of(response)
    response = customer_client.post(url, {"action": "test", "password": MAIL_PASSWORD}, follow=True)
    assert any("stimmt nicht" in m for m in messages_of(response))


def test_password_set_weak_is_inline(customer_client, address):
    before = address.password_hash
    response = customer_client.post(
        reverse("mailservices:address_password", args=[address.pk]),
        {"action": "set", "password1": "1234567890", "password2": "1234567890"},
    )
    assert response.status_code == 200
    assert response.context["set_form"].errors["password1"]
    address.refresh_from_db()
    assert address.password_hash == before


def test_password_test_htmx_returns_partial(customer_client, address):
    url = reverse("mailservices:address_password", args=[address.pk])
    response = customer_client.post(
        url, {"action": "test", "password": MAIL_PASSWORD}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="password-test"' in html
    assert "Das Passwort ist korrekt." in html
    response = customer_client.post(
        url, {"action": "test", "password": "falsch-falsch"}, HTTP_HX_REQUEST="true"
    )
    assert "stimmt nicht" in response.content.decode()


def test_redirect_has_no_password_page(customer_client, service):
    redirect = address_create(
        service=service, local_part="info", kind="redirect", forward_to=["a@example.org"]
    )
    response = customer_client.get(reverse("mailservices:address_password", args=[redirect.pk]))
    assert response.status_code == 302


# --- aliases, forwards, responder, settings ----------------------------------------------------


def test_alias_add_and_remove(customer_client, address):
    url = reverse("mailservices:alias_add", args=[address.pk])
    response = customer_client.post(url, {"local_part": "Kontakt"})
    assert response.status_code == 302
    alias = Alias.objects.get()
    assert alias.local_part == "kontakt"
    response = customer_client.post(url, {"local_part": "anna"})
    assert response.status_code == 200
    assert "besteht bereits" in " ".join(response.context["alias_form"].errors["local_part"])
    customer_client.post(reverse("mailservices:alias_delete", args=[alias.pk]))
    assert not Alias.objects.exists()


def test_forward_add_and_remove(customer_client, address):
    url = reverse("mailservices:forward_add", args=[address.pk])
    customer_client.post(url, {"destination": "kopie@example.net"})
    forward = Forward.objects.get()
    response = customer_client.post(url, {"destination": "kein-mail"})
    assert response.status_code == 200 and response.context["forward_form"].errors
    customer_client.post(reverse("mailservices:forward_delete", args=[forward.pk]))
    assert not Forward.objects.exists()


def test_redirect_last_forward_delete_shows_message(customer_client, service):
    redirect = address_create(
        service=service, local_part="info", kind="redirect", forward_to=["a@example.org"]
    )
    forward = redirect.forwards.get()
    response = customer_client.post(
        reverse("mailservices:forward_delete", args=[forward.pk]), follow=True
    )
    assert any("mindestens eine Zieladresse" in m for m in messages_of(response))
    assert Forward.objects.filter(pk=forward.pk).exists()


def test_responder_form(customer_client, address):
    url = reverse("mailservices:address_responder", args=[address.pk])
    assert customer_client.get(url).status_code == 200
    data = {
        "enabled": "on",
        "subject": "Ferien",
        "body": "Ich bin weg.",
        "starts_at": "2026-07-01T08:00",
        "ends_at": "2026-07-20T18:00",
        "interval_days": "5",
    }
    assert customer_client.post(url, data).status_code == 302
    responder = Responder.objects.get()
    assert (responder.subject, responder.interval_days) == ("Ferien", 5)
    response = customer_client.post(url, {**data, "ends_at": "2026-06-01T08:00"})
    assert response.status_code == 200 and "ends_at" in response.context["form"].errors
    response = customer_client.post(url, {**data, "interval_days": "99"})
    assert "interval_days" in response.context["form"].errors
    customer_client.post(url, {"action": "delete"})
    assert not Responder.objects.exists()


def test_catchall_responder_page_explains_rule(customer_client, service):
    catchall = catchall_create(service=service, confirmed=True, password=MAIL_PASSWORD)
    html = customer_client.get(
        reverse("mailservices:address_responder", args=[catchall.pk])
    ).content.decode()
    assert "direkt an catchall@" in html


def test_service_settings(customer_client, service):
    url = reverse("mailservices:service_settings", args=[service.pk])
    assert customer_client.get(url).status_code == 200
    customer_client.post(url, {"external_warning_enabled": "on"})
    service.refresh_from_db()
    assert (service.spam_filter_enabled, service.external_warning_enabled) == (False, True)
    customer_client.post(url, {"spam_filter_enabled": "on"})
    service.refresh_from_db()
    assert (service.spam_filter_enabled, service.external_warning_enabled) == (True, False)


def test_pages_need_login(client, service):
    response = client.get(reverse("mailservices:product_list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert MailService.objects.count() == 1


def test_english_catalogue(customer_client, service):
    from django.utils import translation

    with translation.override("en"):
        response = customer_client.get(
            reverse("mailservices:service_detail", args=[service.pk]),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    html = response.content.decode()
    assert "Create email address" in html
    assert "Create generic email address" in html


def test_address_page_query_count_does_not_grow(
    customer_client, address, django_assert_max_num_queries
):
    url = reverse("mailservices:address_detail", args=[address.pk])
    alias_create(address=address, local_part="eins")
    forward_create(address=address, destination="eins@example.net")
    with django_assert_max_num_queries(12) as few:
        customer_client.get(url)
    for i in range(8):
        alias_create(address=address, local_part=f"alias{i}")
        forward_create(address=address, destination=f"f{i}@example.net")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = customer_client.get(url).content.decode()
    assert "alias7@beispiel.ch" in html and "f7@example.net" in html


def test_service_page_shows_a_big_service_a_page_at_a_time(
    customer_client, service, django_assert_max_num_queries
):
    service.address_quota = 60
    service.save()
    for i in range(55):
        address_create(service=service, local_part=f"team{i:02d}")
    url = reverse("mailservices:service_detail", args=[service.pk])
    with django_assert_max_num_queries(13):
        first = customer_client.get(url)
    assert len(first.context["addresses"]) == 50
    html = first.content.decode()
    assert "Seite 1 von 2 (55 Adressen)" in html and "?page=2" in html
    second = customer_client.get(url + "?page=2")
    assert [a.local_part for a in second.context["addresses"]] == [
        f"team{i:02d}" for i in range(50, 55)
    ]
    assert [s["done"] for s in second.context["steps"][:1]] == [True]
