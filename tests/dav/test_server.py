"""The real DAV server (Radicale + our auth plugin) with the `caldav` client library.

Logins are the seeded addresses with their mail passwords; discovery starts at the
portal's /.well-known URLs (the live test server), which redirect to the DAV server.
"""

import uuid

import caldav
import niquests
import pytest
from caldav.lib.error import AuthorizationError
from defusedxml import ElementTree as ET

from mailservices.services.addresses import (
    address_delete,
    address_set_enabled,
    address_set_password,
)
from tests.dav.conftest import MAIL_PASSWORD, OTHER_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = "anna@beispiel.ch"
BRUNO = "bruno@fremd.ch"
DAV = "{DAV:}"
CARD = "{urn:ietf:params:xml:ns:carddav}"

EVENT = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//tests//dav//DE
BEGIN:VEVENT
UID:{uid}
DTSTAMP:20261206T090000Z
DTSTART:20261210T090000Z
DTEND:20261210T100000Z
SUMMARY:{summary}
END:VEVENT
END:VCALENDAR
"""

VCARD = """BEGIN:VCARD
VERSION:3.0
UID:{uid}
FN:{name}
N:{name};;;;
EMAIL:erika@example.org
END:VCARD
"""


def dav_client(url, username, password):
    return caldav.DAVClient(url=url, username=username, password=password)


def raw(method, url, *, auth, body=None, headers=None, allow_redirects=True):
    return niquests.request(
        method,
        url,
        auth=auth,
        data=body,
        headers=headers or {},
        timeout=10,
        allow_redirects=allow_redirects,
    )


def propfind(url, *, auth, props, depth="0"):
    body = (
        '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" '
        'xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop>' + props + "</d:prop></d:propfind>"
    )
    response = raw("PROPFIND", url, auth=auth, body=body, headers={"Depth": depth})
    assert response.status_code == 207, response.status_code
    return ET.fromstring(response.content)


def well_known(portal_url, kind):
    """What a client does first (RFC 6764 §5): ask the portal's well-known URL without
    credentials and follow the redirect to the DAV server's context path."""
    response = raw(
        "PROPFIND",
        f"{portal_url}/.well-known/{kind}",
        auth=None,
        headers={"Depth": "0"},
        allow_redirects=False,
    )
    assert response.status_code == 301
    return response.headers["Location"]


def discover_addressbook(portal_url, auth):
    """RFC 6764/6352 by hand: well-known -> principal -> addressbook home -> address book."""
    context = well_known(portal_url, "carddav")
    base = context.split("://", 1)[0] + "://" + context.split("://", 1)[1].split("/", 1)[0]
    start = propfind(context, auth=auth, props="<d:current-user-principal/>")
    principal = start.find(f".//{DAV}current-user-principal/{DAV}href").text
    home = propfind(base + principal, auth=auth, props="<card:addressbook-home-set/>")
    home_href = home.find(f".//{CARD}addressbook-home-set/{DAV}href").text
    listing = propfind(base + home_href, auth=auth, props="<d:resourcetype/>", depth="1")
    for response in listing.findall(f"{DAV}response"):
        if response.find(f".//{DAV}resourcetype/{CARD}addressbook") is not None:
            return base + response.find(f"{DAV}href").text
    raise AssertionError("no address book found")


def test_calendar_by_discovery_from_the_portal_create_change_delete(
    dav_server, dav_world, live_server
):
    context = well_known(live_server.url, "caldav")
    assert context == dav_server.url
    client = dav_client(context, ANNA, MAIL_PASSWORD)
    principal = client.principal()
    calendars = principal.calendars()
    assert [c.get_display_name() for c in calendars] == ["Kalender"]
    calendar = calendars[0]
    assert str(calendar.url).startswith(dav_server.url)

    uid = str(uuid.uuid4())
    calendar.save_event(EVENT.format(uid=uid, summary="Zahnarzt"))
    (event,) = calendar.events()
    assert event.icalendar_component["SUMMARY"] == "Zahnarzt"

    event.icalendar_component["SUMMARY"] = "Zahnarzt (verschoben)"
    event.save()
    again = calendar.event_by_uid(uid)
    assert again.icalendar_component["SUMMARY"] == "Zahnarzt (verschoben)"

    again.delete()
    assert calendar.events() == []


def test_contact_by_discovery_create_change_delete(dav_server, dav_world, live_server):
    auth = (ANNA, MAIL_PASSWORD)
    book = discover_addressbook(live_server.url, auth)
    assert book == f"{dav_server.url}anna%40beispiel.ch/kontakte/"
    uid = str(uuid.uuid4())
    card = f"{book}{uid}.vcf"
    created = raw(
        "PUT",
        card,
        auth=auth,
        body=VCARD.format(uid=uid, name="Erika Muster"),
        headers={"Content-Type": "text/vcard"},
    )
    assert created.status_code == 201
    assert "FN:Erika Muster" in raw("GET", card, auth=auth).text

    changed = raw(
        "PUT",
        card,
        auth=auth,
        body=VCARD.format(uid=uid, name="Erika Beispiel"),
        headers={"Content-Type": "text/vcard"},
    )
    assert changed.status_code in (201, 204)
    assert "FN:Erika Beispiel" in raw("GET", card, auth=auth).text

    assert raw("DELETE", card, auth=auth).status_code in (200, 204)
    assert raw("GET", card, auth=auth).status_code == 404


def test_default_collections_exist_at_first_login(dav_server, dav_world):
    listing = propfind(
        f"{dav_server.url}{ANNA}/",
        auth=(ANNA, MAIL_PASSWORD),
        props="<d:displayname/><d:resourcetype/>",
        depth="1",
    )
    names = {e.text for e in listing.iter(f"{DAV}displayname")}
    assert {"Kalender", "Kontakte"} <= names


def test_wrong_password_is_401(dav_server, dav_world):
    response = raw("PROPFIND", f"{dav_server.url}{ANNA}/", auth=(ANNA, "falsches-Passwort-1"))
    assert response.status_code == 401
    assert "Basic" in response.headers["WWW-Authenticate"]
    with pytest.raises(AuthorizationError):
        dav_client(dav_server.url, ANNA, "falsches-Passwort-1").principal()


def test_another_address_is_refused(dav_server, dav_world):
    # bruno exists and has his collections...
    dav_client(dav_server.url, BRUNO, OTHER_PASSWORD).principal().calendars()
    auth = (ANNA, MAIL_PASSWORD)
    for method in ("PROPFIND", "GET", "DELETE"):
        response = raw(method, f"{dav_server.url}{BRUNO}/kalender/", auth=auth)
        assert response.status_code in (403, 404), (method, response.status_code)
    put = raw(
        "PUT",
        f"{dav_server.url}{BRUNO}/kalender/x.ics",
        auth=auth,
        body=EVENT.format(uid="x", summary="fremd"),
        headers={"Content-Type": "text/calendar"},
    )
    assert put.status_code in (403, 404)
    # ...and they are untouched.
    bruno = dav_client(dav_server.url, BRUNO, OTHER_PASSWORD).principal()
    assert bruno.calendars()[0].events() == []


def test_password_changed_in_the_portal_works_at_once(dav_server, dav_world):
    url = f"{dav_server.url}{ANNA}/"
    assert raw("PROPFIND", url, auth=(ANNA, MAIL_PASSWORD)).status_code == 207
    address_set_password(address=dav_world["anna"], password="Neues-Berg-Passwort-9")
    assert raw("PROPFIND", url, auth=(ANNA, MAIL_PASSWORD)).status_code == 401
    assert raw("PROPFIND", url, auth=(ANNA, "Neues-Berg-Passwort-9")).status_code == 207


def test_disabled_and_deleted_addresses_are_refused_at_once(dav_server, dav_world):
    url = f"{dav_server.url}{ANNA}/"
    assert raw("PROPFIND", url, auth=(ANNA, MAIL_PASSWORD)).status_code == 207
    address_set_enabled(address=dav_world["anna"], enabled=False)
    assert raw("PROPFIND", url, auth=(ANNA, MAIL_PASSWORD)).status_code == 401
    address_set_enabled(address=dav_world["anna"], enabled=True)
    assert raw("PROPFIND", url, auth=(ANNA, MAIL_PASSWORD)).status_code == 207
    address_delete(address=dav_world["anna"])
    assert raw("PROPFIND", url, auth=(ANNA, MAIL_PASSWORD)).status_code == 401


def test_login_is_case_insensitive_like_dovecot(dav_server, dav_world):
    response = raw("PROPFIND", f"{dav_server.url}{ANNA}/", auth=("Anna@Beispiel.CH", MAIL_PASSWORD))
    assert response.status_code == 207


def test_malformed_requests_get_4xx_and_change_nothing(dav_server, dav_world):
    auth = (ANNA, MAIL_PASSWORD)
    calendar = f"{dav_server.url}{ANNA}/kalender/"
    book = f"{dav_server.url}{ANNA}/kontakte/"
    raw("PROPFIND", f"{dav_server.url}{ANNA}/", auth=auth)  # first use: collections exist
    bad = [
        ("PROPFIND", f"{dav_server.url}{ANNA}/", "<d:propfind xmlns:d='DAV:'><d:prop>", {}),
        ("REPORT", calendar, "<<not xml>>", {"Depth": "1"}),
        (
            "PUT",
            calendar + "a.ics",
            "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\n",
            {"Content-Type": "text/calendar"},
        ),
        ("PUT", calendar + "b.ics", "das ist kein Kalender", {"Content-Type": "text/calendar"}),
        (
            "PUT",
            book + "c.vcf",
            "BEGIN:VCARD\nVERSION:3.0\nFN:halb",
            {"Content-Type": "text/vcard"},
        ),
        ("PROPPATCH", calendar, "<d:propertyupdate xmlns:d='DAV:'><d:set>", {}),
    ]
    for method, url, body, headers in bad:
        response = raw(method, url, auth=auth, body=body, headers=headers)
        assert 400 <= response.status_code < 500, (method, url, response.status_code)
    for collection in (calendar, book):
        listing = propfind(collection, auth=auth, props="<d:getetag/>", depth="1")
        assert len(listing.findall(f"{DAV}response")) == 1  # only the collection itself


def test_upload_over_the_size_limit_is_refused(dav_world, dav_settings):
    from mailservices.dav.server import DavServerThread

    dav_settings.PORTAL_DAV_MAX_UPLOAD_BYTES = 20_000
    with DavServerThread() as server:
        url = f"{server.url}{ANNA}/kalender/"
        raw("PROPFIND", f"{server.url}{ANNA}/", auth=(ANNA, MAIL_PASSWORD))
        big = EVENT.format(uid="gross", summary="x" * 30_000)
        response = raw(
            "PUT",
            url + "gross.ics",
            auth=(ANNA, MAIL_PASSWORD),
            body=big,
            headers={"Content-Type": "text/calendar"},
        )
        assert response.status_code == 413
        small = EVENT.format(uid="klein", summary="klein")
        response = raw(
            "PUT",
            url + "klein.ics",
            auth=(ANNA, MAIL_PASSWORD),
            body=small,
            headers={"Content-Type": "text/calendar"},
        )
        assert response.status_code == 201


def test_failed_logins_are_limited_per_address(dav_world, dav_settings):
    from mailservices.dav.server import DavServerThread

    dav_settings.PORTAL_DAV_FAILED_LOGIN_LIMITS = "100/m/ip,3/5m/key"
    with DavServerThread() as server:
        url = f"{server.url}{ANNA}/"
        for n in range(3):
            assert raw("PROPFIND", url, auth=(ANNA, f"geraten-{n}-xyz")).status_code == 401
        # the right password is refused too until the window has passed
        assert raw("PROPFIND", url, auth=(ANNA, MAIL_PASSWORD)).status_code == 401
        # another address from the same client is not affected
        assert (
            raw("PROPFIND", f"{server.url}{BRUNO}/", auth=(BRUNO, OTHER_PASSWORD)).status_code
            == 207
        )


def test_failed_logins_are_limited_per_client_behind_the_proxy(dav_world, dav_settings):
    from mailservices.dav.server import DavServerThread

    dav_settings.PORTAL_DAV_FAILED_LOGIN_LIMITS = "3/m/ip,100/5m/key"
    dav_settings.TRUSTED_PROXY_COUNT = 1
    with DavServerThread() as server:
        url = f"{server.url}{ANNA}/"
        attacker = {"X-Forwarded-For": "203.0.113.9"}
        for n in range(3):
            response = raw("PROPFIND", url, auth=(ANNA, f"geraten-{n}-xyz"), headers=attacker)
            assert response.status_code == 401
        assert raw("PROPFIND", url, auth=(ANNA, MAIL_PASSWORD), headers=attacker).status_code == 401
        # the same address from another client still works: the limit was the client's
        other = {"X-Forwarded-For": "198.51.100.7"}
        assert raw("PROPFIND", url, auth=(ANNA, MAIL_PASSWORD), headers=other).status_code == 207


def test_a_stale_device_repeating_one_old_password_does_not_lock_the_address(
    dav_world, dav_settings
):
    from mailservices.dav.server import DavServerThread

    dav_settings.PORTAL_DAV_FAILED_LOGIN_LIMITS = "100/m/ip,3/5m/key"
    with DavServerThread() as server:
        url = f"{server.url}{ANNA}/"
        for _ in range(10):
            assert raw("PROPFIND", url, auth=(ANNA, "altes-Passwort-von-2025")).status_code == 401
        assert raw("PROPFIND", url, auth=(ANNA, MAIL_PASSWORD)).status_code == 207


def test_spoofed_client_headers_do_not_escape_the_per_client_limit(dav_world, dav_settings):
    from mailservices.dav.server import DavServerThread

    dav_settings.PORTAL_DAV_FAILED_LOGIN_LIMITS = "3/m/ip,100/5m/key"
    dav_settings.TRUSTED_PROXY_COUNT = 0  # no proxy: X-Forwarded-For is the client's word
    with DavServerThread() as server:
        url = f"{server.url}{ANNA}/"
        for n in range(4):
            spoofed = {"X-Forwarded-For": f"198.51.100.{n}", "X-Remote-Addr": f"203.0.113.{n}"}
            response = raw("PROPFIND", url, auth=(ANNA, f"geraten-{n}-xyz"), headers=spoofed)
            assert response.status_code == 401
        fresh = {"X-Forwarded-For": "192.0.2.200", "X-Remote-Addr": "192.0.2.201"}
        assert raw("PROPFIND", url, auth=(ANNA, MAIL_PASSWORD), headers=fresh).status_code == 401
