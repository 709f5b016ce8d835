"""The customer's language: chosen in the header or detected from the browser, kept on the
profile, and used for every mail and invoice sent to them (docs/product.md §11)."""

import shutil
import subprocess

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.accounts.models import User
from portal.shop.models import Invoice
from quotas import policy
from tests.conftest import PASSWORD, require_service

pytestmark = pytest.mark.django_db


def test_the_header_switch_is_remembered_on_the_profile(customer_client, customer):
    response = customer_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    customer.owner.refresh_from_db()
    assert customer.owner.language == "fr"
    other_device = Client()  # no cookie there: the profile decides
    other_device.force_login(customer.owner)
    page = other_device.get(reverse("dashboard:overview"))
    assert page["Content-Language"] == "fr" and 'lang="fr"' in page.content.decode()


def test_an_unknown_language_is_not_stored(customer_client, customer):
    customer_client.post(reverse("set_language"), {"language": "es", "next": "/"})
    customer.owner.refresh_from_db()
    assert customer.owner.language == ""


def test_the_browser_language_is_used_on_the_first_visit(client):
    for accept, language in [("it-CH,it;q=0.9,de;q=0.5", "it"), ("fr-CH", "fr"), ("es", "de")]:
        response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=accept)
        assert response["Content-Language"] == language


def test_signing_up_keeps_the_language_and_the_mail_names_the_provider(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.post(
        reverse("account_signup"),
        {"email": "claire@example.ch", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert User.objects.get(email="claire@example.ch").language == "fr"
    message = mail.outbox[-1]
    assert message.subject.startswith(f"[{settings.PORTAL_PROVIDER_NAME}] ")
    assert "Confirmez votre adresse e-mail" in message.subject
    assert f"Bonjour, c'est {settings.PORTAL_PROVIDER_NAME} !" in message.body
    assert "Kundenportal" not in message.body


def test_italian_account_mails_are_formal(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    client.post(
        reverse("account_signup"),
        {"email": "lucia@example.ch", "password1": PASSWORD, "password2": PASSWORD},
    )
    message = mail.outbox[-1]
    assert "Confermi il Suo indirizzo e-mail" in message.subject
    assert " tuo " not in message.body and "Un saluto da Alpenpost Mail" in message.body


def test_logging_in_without_a_language_takes_the_browser_one(client, make_user):
    user = make_user("marco@example.ch")
    assert user.language == ""
    client.post(
        reverse("account_login"),
        {"login": "marco@example.ch", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="it-CH",
    )
    user.refresh_from_db()
    assert user.language == "it"


def test_a_language_chosen_before_logging_in_wins_over_the_profile(client, make_user):
    user = make_user("nina@example.ch", language="de")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    client.post(reverse("account_login"), {"login": "nina@example.ch", "password": PASSWORD})
    user.refresh_from_db()
    assert user.language == "fr"
    assert client.get(reverse("dashboard:overview"))["Content-Language"] == "fr"


def test_the_totp_issuer_is_the_provider():
    assert settings.MFA_TOTP_ISSUER == settings.PORTAL_PROVIDER_NAME
    assert f"[{settings.PORTAL_PROVIDER_NAME}] " == settings.ACCOUNT_EMAIL_SUBJECT_PREFIX


def _pdf_text(pdf: bytes, tmp_path) -> str:
    require_service("pdftotext (poppler-utils)", shutil.which("pdftotext") is not None)
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_a_french_customer_gets_a_french_confirmation_and_invoice(
    customer, customer_client, place_order, tmp_path, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=customer.owner.pk).update(language="fr")
    customer.owner.refresh_from_db()
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        order = place_order(customer, "boulangerie-exemple.ch")  # e.g. placed by staff
    message = mail.outbox[-1]
    assert message.subject == f"Votre commande {order.number}"
    assert "Merci beaucoup pour votre commande" in message.body
    # 15.00 (domain) + 18.00 (plan) + 8.1 % VAT, in Swiss French notation
    assert "Total TVA incl." in message.body and "35,68 CHF" in message.body
    invoice = Invoice.objects.get(order=order)
    assert invoice.language == "fr"
    due = invoice.due_at.strftime("%d.%m.%Y")
    assert f"jusqu'au {due}" in message.body

    customer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"  # whoever downloads it
    text = _pdf_text(customer_client.get(f"/shop/invoices/{invoice.pk}.pdf").content, tmp_path)
    assert f"Facture {invoice.number}" in text and "Payable jusqu'au" in text
    assert due in text and "35,68" in text and "Total CHF TVA incl." in text
    assert "TVA 8,1 % sur 33,00 CHF" in text
    assert "Rechnung" not in text and "Zahlbar" not in text

    # The customer switches to German later: the invoice stays as it was issued.
    User.objects.filter(pk=customer.owner.pk).update(language="de")
    again = _pdf_text(customer_client.get(f"/shop/invoices/{invoice.pk}.pdf").content, tmp_path)
    assert f"Facture {invoice.number}" in again


def test_limit_warnings_go_out_in_the_customers_language(customer, make_service):
    from mailservices.services.addresses import address_create
    from quotas.services import _send_alert_mail

    User.objects.filter(pk=customer.owner.pk).update(language="it")
    service = make_service(customer, "pasticceria.ch")
    address = address_create(service=service, local_part="info", password="Pasticceria-2026!")
    address = (
        type(address).objects.select_related("service__domain__customer__owner").get(pk=address.pk)
    )
    _send_alert_mail(
        address=address, channel="smtp", level=100, used=500, limit=500, to="x@example.ch"
    )
    assert mail.outbox[-1].subject == "Limite di invio raggiunto: info@pasticceria.ch"
    assert "Buongiorno" in mail.outbox[-1].body


def test_the_policy_deferral_names_the_limit_in_every_language():
    text = policy.deferral(sender="a@b.ch", limit=500, page_url="https://p.example/u/1/")
    assert text.startswith("450 4.7.1 ") and text.isascii() and len(text) < 512
    for keyword in ("Sending limit reached", "Versandlimit erreicht", "limite d'envoi atteinte",
                    "limite di invio raggiunto"):  # fmt: skip
        assert keyword in text
