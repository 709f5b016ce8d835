import plistlib

import pytest
from defusedxml import ElementTree as ET
from django.urls import reverse

from mailservices.models import MailService
from mailservices.services.addresses import address_create
from tests.mailservices.conftest import MAIL_PASSWORD

THUNDERBIRD_URLS = ["/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml"]
OUTLOOK_URLS = ["/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"]
REQ_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
RESP_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"


def pox_request(email: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Autodiscover xmlns="{REQ_NS}"><Request>'
        f"<EMailAddress>{email}</EMailAddress>"
        f"<AcceptableResponseSchema>{OUTLOOK_NS}</AcceptableResponseSchema>"
        "</Request></Autodiscover>"
    ).encode()


@pytest.fixture
def hosted(make_service, customer):
    service = make_service(customer, name="bücher.ch")
    address_create(
        service=service, local_part="anna", display_name="Anna Muster", password=MAIL_PASSWORD
    )
    return service


@pytest.mark.parametrize("url", THUNDERBIRD_URLS)
@pytest.mark.parametrize("email", ["anna@bücher.ch", "Anna@XN--BCHER-KVA.CH", "neu@bücher.ch"])
def test_thunderbird_config(client, hosted, settings, url, email):
    response = client.get(url, {"emailaddress": email})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "clientConfig" and root.get("version") == "1.1"
    provider = root.find("emailProvider")
    assert provider.get("id") == "xn--bcher-kva.ch"
    assert provider.findtext("domain") == "xn--bcher-kva.ch"
    assert provider.findtext("displayName") == f"{settings.PORTAL_PROVIDER_NAME} (bücher.ch)"
    assert provider.findtext("displayShortName") == settings.PORTAL_PROVIDER_NAME
    incoming = provider.find("incomingServer")
    outgoing = provider.find("outgoingServer")
    assert incoming.get("type") == "imap" and outgoing.get("type") == "smtp"
    for server, port in ((incoming, "993"), (outgoing, "465")):
        assert server.findtext("hostname") == settings.PORTAL_MAIL_HOST
        assert server.findtext("port") == port
        assert server.findtext("socketType") == "SSL"
        assert server.findtext("username") == "%EMAILADDRESS%"
        assert server.findtext("authentication") == "password-cleartext"
    docs = provider.find("documentation")
    assert docs.get("url").endswith("/kb/mailclient-einrichten/")
    assert {d.get("lang") for d in docs.findall("descr")} == {"de", "en"}


def test_thunderbird_host_comes_from_settings(client, hosted, settings):
    settings.PORTAL_MAIL_HOST = "imap.anders.example"
    root = ET.fromstring(client.get(THUNDERBIRD_URLS[0], {"emailaddress": "a@bücher.ch"}).content)
    assert root.find("emailProvider/incomingServer/hostname").text == "imap.anders.example"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        (THUNDERBIRD_URLS[0], "autoconfig.xn--bcher-kva.ch"),
        (THUNDERBIRD_URLS[1], "xn--bcher-kva.ch"),
        (THUNDERBIRD_URLS[1], "autoconfig.xn--bcher-kva.ch:443"),
    ],
)
def test_thunderbird_without_parameter_uses_the_host(client, hosted, url, host):
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200
    assert ET.fromstring(response.content).find("emailProvider").get("id") == "xn--bcher-kva.ch"


@pytest.mark.parametrize("url", THUNDERBIRD_URLS)
def test_thunderbird_unknown_and_malformed(client, hosted, url):
    assert client.get(url, {"emailaddress": "a@unbekannt.ch"}).status_code == 404
    assert client.get(url, {"emailaddress": "kein-mail"}).status_code == 400
    assert client.get(url, {"emailaddress": "a@@b.ch"}).status_code == 400
    assert client.get(url).status_code == 404  # the host "testserver" is no hosted domain
    assert client.get(url, HTTP_HOST="autoconfig.unbekannt.ch").status_code == 404
    assert client.post(url, {"emailaddress": "anna@bücher.ch"}).status_code == 405


def test_thunderbird_suspended_service_is_404(client, hosted):
    MailService.objects.filter(pk=hosted.pk).update(status="suspended")
    assert client.get(THUNDERBIRD_URLS[0], {"emailaddress": "a@bücher.ch"}).status_code == 404


@pytest.mark.parametrize("url", OUTLOOK_URLS)
def test_outlook_autodiscover(settings, hosted, url):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # Outlook has no CSRF token
    response = client.post(url, pox_request("Anna@bücher.ch"), content_type="text/xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{RESP_NS}}}Autodiscover"
    resp = root.find(f"{{{OUTLOOK_NS}}}Response")
    assert resp.findtext(f"{{{OUTLOOK_NS}}}User/{{{OUTLOOK_NS}}}DisplayName") == "Anna Muster"
    account = resp.find(f"{{{OUTLOOK_NS}}}Account")
    assert account.findtext(f"{{{OUTLOOK_NS}}}AccountType") == "email"
    assert account.findtext(f"{{{OUTLOOK_NS}}}Action") == "settings"
    protocols = {
        p.findtext(f"{{{OUTLOOK_NS}}}Type"): p for p in account.findall(f"{{{OUTLOOK_NS}}}Protocol")
    }
    assert set(protocols) == {"IMAP", "SMTP"}
    for kind, port in (("IMAP", "993"), ("SMTP", "465")):
        proto = protocols[kind]

        def text(tag, proto=proto):
            return proto.findtext(f"{{{OUTLOOK_NS}}}{tag}")

        assert text("Server") == settings.PORTAL_MAIL_HOST
        assert text("Port") == port
        assert text("LoginName") == "anna@xn--bcher-kva.ch"
        assert text("SPA") == "off"
        assert text("SSL") == "on"
        assert text("AuthRequired") == "on"
        assert text("DomainRequired") == "off"
    assert protocols["SMTP"].findtext(f"{{{OUTLOOK_NS}}}UsePOPAuth") == "on"


def test_outlook_notes_the_client_setup(client, hosted):
    address = hosted.addresses.get()
    assert address.client_configured_at is None
    client.post(OUTLOOK_URLS[1], pox_request("anna@bücher.ch"), content_type="text/xml")
    address.refresh_from_db()
    assert address.client_configured_at is not None


def test_outlook_unknown_local_part_still_configures(client, hosted):
    response = client.post(OUTLOOK_URLS[0], pox_request("neu@bücher.ch"), content_type="text/xml")
    assert response.status_code == 200
    assert b"<User>" not in response.content


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"", 400),
        (b"<Autodiscover", 400),
        (b"not xml at all", 400),
        (b"<Other><EMailAddress>anna@b\xc3\xbccher.ch</EMailAddress></Other>", 400),
        (f'<Autodiscover xmlns="{REQ_NS}"><Request/></Autodiscover>'.encode(), 400),
        (pox_request("kein-mail"), 400),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<Autodiscover><Request><EMailAddress>&b;</EMailAddress></Request></Autodiscover>",
            400,
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<Autodiscover><Request><EMailAddress>&e;</EMailAddress></Request></Autodiscover>",
            400,
        ),
        (b"<Autodiscover>" + b"x" * 20000 + b"</Autodiscover>", 400),
        (pox_request("anna@unbekannt.ch"), 404),
    ],
)
def test_outlook_bad_requests(client, hosted, body, status):
    response = client.post(OUTLOOK_URLS[0], body, content_type="text/xml")
    assert response.status_code == status


def test_outlook_get_is_not_allowed(client, hosted):
    assert client.get(OUTLOOK_URLS[0]).status_code == 405


def test_mobileconfig(customer_client, hosted, settings):
    address = hosted.addresses.get()
    url = reverse("mailservices:address_mobileconfig", args=[address.pk])
    response = customer_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-apple-aspen-config"
    assert "anna@xn--bcher-kva.ch.mobileconfig" in response["Content-Disposition"]
    profile = plistlib.loads(response.content)
    assert profile["PayloadType"] == "Configuration"
    assert profile["PayloadVersion"] == 1
    assert profile["PayloadIdentifier"] == "example.alpenpost.mail.xn--bcher-kva.ch.anna"
    assert profile["PayloadOrganization"] == settings.PORTAL_PROVIDER_NAME
    assert profile["PayloadDisplayName"].endswith("anna@bücher.ch")
    assert len(profile["PayloadUUID"]) == 36
    account, *_dav = profile["PayloadContent"]  # CalDAV/CardDAV: tests/dav
    expected = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadVersion": 1,
        "PayloadIdentifier": "example.alpenpost.mail.xn--bcher-kva.ch.anna.account",
        "EmailAccountType": "EmailTypeIMAP",
        "EmailAccountName": "Anna Muster",
        "EmailAddress": "anna@xn--bcher-kva.ch",
        "IncomingMailServerAuthentication": "EmailAuthPassword",
        "IncomingMailServerHostName": settings.PORTAL_MAIL_HOST,
        "IncomingMailServerPortNumber": 993,
        "IncomingMailServerUseSSL": True,
        "IncomingMailServerUsername": "anna@xn--bcher-kva.ch",
        "OutgoingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingMailServerHostName": settings.PORTAL_MAIL_HOST,
        "OutgoingMailServerPortNumber": 465,
        "OutgoingMailServerUseSSL": True,
        "OutgoingMailServerUsername": "anna@xn--bcher-kva.ch",
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    for key, value in expected.items():
        assert account[key] == value, key
    assert account["PayloadUUID"] != profile["PayloadUUID"]
    assert "IncomingPassword" not in account and "OutgoingPassword" not in account
    # Stable: the same address gives the same identifiers every time.
    again = plistlib.loads(customer_client.get(url).content)
    assert again["PayloadUUID"] == profile["PayloadUUID"]
    assert again["PayloadContent"][0]["PayloadUUID"] == account["PayloadUUID"]
