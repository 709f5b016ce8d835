"""Automatic client configuration: Thunderbird (clientConfig 1.1), Outlook (POX autodiscover)
and Apple (.mobileconfig). Hosts come from settings; ports are fixed by the product
(docs/product.md §6).

The public endpoints answer only for domains with a mail service in the portal; anything else
is a clean 404, a malformed request a 400.
"""

import plistlib
import uuid
from xml.etree.ElementTree import Element, SubElement, tostring  # generation only

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from mailservices.dav.profiles import dav_payloads
from mailservices.models import Address, MailService
from mailservices.routing import split_recipient
from mailservices.services.addresses import address_note_client_setup
from portal.core.app_settings import app_settings as portal_settings

IMAP_PORT = 993
SMTP_PORT = 465
MAX_REQUEST_BYTES = 16 * 1024

POX_REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
POX_RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
POX_OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"


def client_settings(address: Address) -> dict:
    """What a person types into a mail client for this address (docs/product.md §6)."""
    host = portal_settings.MAIL_HOST
    return {
        "email": f"{address.local_part}@{address.service.domain.unicode_name}",
        "username": f"{address.local_part}@{address.service.domain.name}",
        "imap_host": host,
        "imap_port": IMAP_PORT,
        "smtp_host": host,
        "smtp_port": SMTP_PORT,
        "security": "SSL/TLS",
    }


def _service_for(email: str) -> tuple[str, MailService] | None:
    """(lower-case local part, service) for an address on a hosted domain, else None."""
    parts = split_recipient(email)
    if parts is None:
        return None
    local, domain = parts
    service = (
        MailService.objects.select_related("domain")
        .filter(domain__name=domain)
        .exclude(status=MailService.Status.SUSPENDED)
        .first()
    )
    return (local, service) if service else None


def _xml_response(root: Element, status: int = 200) -> HttpResponse:
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode()
    return HttpResponse(body, status=status, content_type="application/xml; charset=utf-8")


def _text(parent: Element, tag: str, text) -> Element:
    element = SubElement(parent, tag)
    element.text = str(text)
    return element


def thunderbird_config(service: MailService) -> Element:
    """The clientConfig 1.1 document for one hosted domain."""
    domain = service.domain.name
    provider = portal_settings.PROVIDER_NAME
    root = Element("clientConfig", version="1.1")
    provider_el = SubElement(root, "emailProvider", id=domain)
    _text(provider_el, "domain", domain)
    _text(provider_el, "displayName", f"{provider} ({service.domain.unicode_name})")
    _text(provider_el, "displayShortName", provider)
    for tag, kind, port in (
        ("incomingServer", "imap", IMAP_PORT),
        ("outgoingServer", "smtp", SMTP_PORT),
    ):
        server = SubElement(provider_el, tag, type=kind)
        _text(server, "hostname", portal_settings.MAIL_HOST)
        _text(server, "port", port)
        _text(server, "socketType", "SSL")
        _text(server, "username", "%EMAILADDRESS%")
        _text(server, "authentication", "password-cleartext")
    docs = SubElement(
        provider_el,
        "documentation",
        url=f"{portal_settings.BASE_URL}/kb/mailclient-einrichten/",
    )
    SubElement(docs, "descr", lang="de").text = "Mailprogramm einrichten"
    SubElement(docs, "descr", lang="en").text = "Setting up a mail client"
    return root


@require_GET
def thunderbird(request):
    """GET /mail/config-v1.1.xml?emailaddress=… (and the .well-known twin)."""
    email = request.GET.get("emailaddress", "").strip()
    if not email:
        # Without the parameter the host names the domain: Thunderbird asks
        # autoconfig.<domain>/mail/… and <domain>/.well-known/autoconfig/mail/….
        host = request.get_host().rsplit(":", 1)[0].lower().removeprefix("autoconfig.")
        email = "x@" + host
    if split_recipient(email) is None:
        return HttpResponseBadRequest(
            "emailaddress is not an email address", content_type="text/plain; charset=utf-8"
        )
    found = _service_for(email)
    if found is None:
        return HttpResponseNotFound("unknown domain", content_type="text/plain; charset=utf-8")
    local, service = found
    address_note_client_setup(service=service, local_part=local)
    return _xml_response(thunderbird_config(service))


def _pox_email(body: bytes) -> str | None:
    """The EMailAddress of an Outlook POX request; None if missing; raises ValueError."""
    try:
        root = SafeET.fromstring(body)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise ValueError("malformed XML") from exc
    if root.tag not in (f"{{{POX_REQUEST_NS}}}Autodiscover", "Autodiscover"):
        raise ValueError("not an autodiscover request")
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "EMailAddress" and element.text:
            return element.text.strip()
    return None


def outlook_response(*, email: str, service: MailService, display_name: str = "") -> Element:
    root = Element("Autodiscover", xmlns=POX_RESPONSE_NS)
    response = SubElement(root, "Response", xmlns=POX_OUTLOOK_NS)
    if display_name:
        user = SubElement(response, "User")
        _text(user, "DisplayName", display_name)
    account = SubElement(response, "Account")
    _text(account, "AccountType", "email")
    _text(account, "Action", "settings")
    for kind, port in (("IMAP", IMAP_PORT), ("SMTP", SMTP_PORT)):
        protocol = SubElement(account, "Protocol")
        _text(protocol, "Type", kind)
        _text(protocol, "Server", portal_settings.MAIL_HOST)
        _text(protocol, "Port", port)
        _text(protocol, "DomainRequired", "off")
        _text(protocol, "LoginName", email)
        _text(protocol, "SPA", "off")
        _text(protocol, "SSL", "on")
        _text(protocol, "AuthRequired", "on")
        if kind == "SMTP":
            _text(protocol, "UsePOPAuth", "on")
            _text(protocol, "SMTPLast", "off")
    return root


@csrf_exempt
@require_POST
def outlook(request):
    """POST /autodiscover/autodiscover.xml (Outlook's POX protocol, any capitalisation)."""
    if len(request.body) > MAX_REQUEST_BYTES:
        return HttpResponseBadRequest("request too large", content_type="text/plain")
    try:
        email = _pox_email(request.body)
    except ValueError:
        return HttpResponseBadRequest("malformed autodiscover request", content_type="text/plain")
    if not email or split_recipient(email) is None:
        return HttpResponseBadRequest("EMailAddress is missing", content_type="text/plain")
    found = _service_for(email)
    if found is None:
        return HttpResponseNotFound("unknown domain", content_type="text/plain")
    local, service = found
    address = service.addresses.filter(local_part=local).only("display_name").first()
    if address is not None:
        address_note_client_setup(service=service, local_part=local)
    login = f"{local}@{service.domain.name}"
    root = outlook_response(
        email=login, service=service, display_name=address.display_name if address else ""
    )
    return _xml_response(root)


def payload_identifier(address: Address) -> str:
    """Stable reverse-DNS identifier of an address's profile (same address, same id)."""
    provider = ".".join(reversed(portal_settings.PROVIDER_DOMAIN.lower().split(".")))
    return f"{provider}.mail.{address.service.domain.name}.{address.local_part}"


def apple_mobileconfig(address: Address) -> bytes:
    """A configuration profile (unsigned plist) that adds the address to Apple Mail."""
    info = client_settings(address)
    identifier = payload_identifier(address)
    provider = portal_settings.PROVIDER_NAME
    account = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{identifier}.account",
        "PayloadUUID": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{identifier}.account")).upper(),
        "PayloadDisplayName": info["email"],
        "EmailAccountDescription": f"{info['email']} ({provider})",
        "EmailAccountName": address.display_name or info["email"],
        "EmailAccountType": "EmailTypeIMAP",
        "EmailAddress": info["username"],
        "IncomingMailServerAuthentication": "EmailAuthPassword",
        "IncomingMailServerHostName": info["imap_host"],
        "IncomingMailServerPortNumber": info["imap_port"],
        "IncomingMailServerUseSSL": True,
        "IncomingMailServerUsername": info["username"],
        "OutgoingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingMailServerHostName": info["smtp_host"],
        "OutgoingMailServerPortNumber": info["smtp_port"],
        "OutgoingMailServerUseSSL": True,
        "OutgoingMailServerUsername": info["username"],
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        "PayloadUUID": str(uuid.uuid5(uuid.NAMESPACE_DNS, identifier)).upper(),
        "PayloadDisplayName": f"{provider}: {info['email']}",
        "PayloadDescription": f"E-Mail-Konto {info['email']}",
        "PayloadOrganization": provider,
        "PayloadRemovalDisallowed": False,
        "PayloadContent": [
            account,
            *dav_payloads(username=info["username"], email=info["email"], identifier=identifier),
        ],
    }
    return plistlib.dumps(profile)
