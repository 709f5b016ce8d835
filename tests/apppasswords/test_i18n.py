"""The app-password pages in German, French, Italian and English: no German left over."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from mailservices.apppasswords.models import AppPassword
from mailservices.apppasswords.services import app_password_create
from tests.i18n.conftest import german_leftovers  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_app_password_pages_speak_the_language(
    language,
    customer_client,
    address,
    german_leftovers,  # noqa: F811
):
    created = app_password_create(address=address, name="iPhone", protocols=["imap", "dav"])
    AppPassword.objects.filter(pk=created.app_password.pk).update(
        last_used_at=timezone.now(), last_used_ip="192.0.2.4", last_used_service="imap"
    )
    customer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = reverse("apppasswords:address_app_passwords", args=[address.pk])
    pages = {
        "list": customer_client.get(page),
        "created": customer_client.post(
            page, {"name": "Laptop", "protocols": ["smtp"], "kind": "generate"}
        ),
        "errors": customer_client.post(page, {"name": "", "kind": "typed"}),
        "revoke": customer_client.get(
            reverse("apppasswords:revoke", args=[created.app_password.pk])
        ),
        "address": customer_client.get(reverse("mailservices:address_detail", args=[address.pk])),
    }
    problems = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert response["Content-Language"] == language, name
        if language != "de":
            found = german_leftovers(response.content.decode(), language)
            if found:
                problems[name] = found
    assert not problems, problems
