"""Pages of every app, rendered in German, French, Italian and English: each answers 200 and
the French, Italian and English ones carry no German left over (docs/product.md §11)."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from kb.models import Category, Guide, GuideVote, SearchTerm
from messagetools.services import message_check_create, message_check_execute
from tests.messagetools import builders as b
from tests.messagetools.conftest import spf  # noqa: F401 - SPF answered at the edge

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("i18n-pages")]
LANGUAGES = ["de", "fr", "it", "en"]


@pytest.fixture(scope="module")
def guides(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_guides", verbosity=0)
    yield
    with django_db_blocker.unblock():
        GuideVote.objects.all().delete()
        Guide.objects.all().delete()
        Category.objects.all().delete()
        SearchTerm.objects.all().delete()


def customer_pages(portfolio, check) -> list[str]:
    service, address, order = portfolio["service"], portfolio["address"], portfolio["order"]
    s, a = [service.pk], [address.pk]
    return [
        reverse("dashboard:overview"),
        reverse("mailservices:product_list"),
        reverse("mailservices:service_detail", args=s),
        reverse("mailservices:service_settings", args=s),
        reverse("mailservices:address_create", args=s),
        reverse("mailservices:address_detail", args=a),
        reverse("mailservices:address_edit", args=a),
        reverse("mailservices:address_password", args=a),
        reverse("mailservices:address_responder", args=a),
        reverse("mailservices:address_delete", args=a),
        reverse("diagnosis:service_diagnosis", args=s),
        reverse("quotas:service_usage", args=s),
        reverse("quotas:address_usage", args=a),
        reverse("messagetools:index"),
        reverse("messagetools:message_check"),
        reverse("messagetools:check_detail", args=[check.pk]),
        reverse("messagetools:bounce"),
        reverse("messagetools:phishing_list"),
        reverse("messagetools:phishing_new"),
        reverse("shop:index"),
        reverse("shop:cart"),
        reverse("shop:add_service"),
        reverse("shop:add_addresses", args=s),
        reverse("shop:change_plan", args=s),
        reverse("shop:order_list"),
        reverse("shop:order_detail", args=[order.pk]),
        reverse("maillog:address_log", args=a),
        reverse("maillog:service_log", args=s),
        reverse("reports:domain_reports", args=[service.domain_id]),
        reverse("mailboxes:import_new", args=a),
        reverse("security:activity_list"),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("mfa_index"),
        reverse("kb:index"),
        reverse("kb:guide", args=["catchall"]),
        reverse("kb:category", args=["adressen"]),
        reverse("kb:search") + "?q=outlook",
        "/gibt-es-nicht/",
    ]


ANONYMOUS_PAGES = ["account_login", "account_signup", "account_reset_password"]


@pytest.fixture
def check(customer):
    created = message_check_create(
        customer=customer,
        raw=b.message(subject="Documents", text="...", attachments=[("doc.pdf.exe", b"MZ")]),
        language="de",
    )
    return message_check_execute(check_pk=created.pk) or created


@pytest.mark.parametrize("language", LANGUAGES)
def test_customer_pages_speak_the_language(
    language, customer_client, portfolio, check, guides, german_leftovers
):
    customer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    problems = {}
    for url in customer_pages(portfolio, check):
        response = customer_client.get(url)
        expected = 404 if url == "/gibt-es-nicht/" else 200
        assert response.status_code == expected, url
        assert response["Content-Language"] == language, url
        if language != "de":
            found = german_leftovers(response.content.decode(), language)
            if found:
                problems[url] = found
    assert not problems, "\n".join(f"{url}: {x}" for url, xs in problems.items() for x in xs)


@pytest.mark.parametrize("language", LANGUAGES)
def test_bounce_explanation_speaks_the_language(language, customer_client, german_leftovers):
    customer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    customer_client.post(reverse("messagetools:bounce"), {"source": "550 5.1.1 User unknown"})
    page = customer_client.get(reverse("messagetools:bounce")).content.decode()
    assert "5.1.1" in page
    if language != "de":
        assert not german_leftovers(page, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_anonymous_pages_speak_the_language(language, client, german_leftovers):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for name in ANONYMOUS_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200
        if language != "de":
            assert not german_leftovers(response.content.decode(), language), name
