"""The portal's side of contacts and calendars: well-known redirects, the address page
section, the .mobileconfig payloads, the purge of deleted addresses' data, the settings."""

import plistlib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mailservices.dav.checks import dav_settings_check
from mailservices.dav.models import DeletedAddressData
from mailservices.dav.services import dav_data_purge
from mailservices.services.addresses import address_create, address_delete

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_url(settings):
    settings.PORTAL_DAV_PUBLIC_URL = "https://dav.mail.alpenpost.example/"
    return settings.PORTAL_DAV_PUBLIC_URL


@pytest.mark.parametrize("kind", ["caldav", "carddav"])
@pytest.mark.parametrize("method", ["get", "head", "options", "propfind", "post"])
def test_well_known_redirects_every_method_to_the_dav_server(client, public_url, kind, method):
    response = client.generic(method.upper(), f"/.well-known/{kind}")
    assert response.status_code == 301
    assert response["Location"] == public_url


def test_address_page_shows_the_section(client, dav_world, public_url):
    client.force_login(dav_world["customer"].owner)
    response = client.get(reverse("mailservices:address_detail", args=[dav_world["anna"].pk]))
    html = response.content.decode()
    assert 'id="dav"' in html
    assert '<h2 id="dav-heading">Kontakte & Kalender</h2>' in html
    assert public_url in html
    assert "anna@beispiel.ch" in html
    assert "das Mail-Passwort dieser Adresse" in html
    for client_name in ("iPhone, iPad und Mac", "Android (DAVx⁵)", "Thunderbird", "Outlook"):
        assert client_name in html
    assert "/kb/kontakte-kalender-android/" in html


def test_a_redirect_address_has_no_section(client, dav_world):
    redirect = address_create(
        service=dav_world["service"],
        local_part="info",
        kind="redirect",
        forward_to=["extern@example.org"],
    )
    client.force_login(dav_world["customer"].owner)
    response = client.get(reverse("mailservices:address_detail", args=[redirect.pk]))
    assert response.status_code == 200
    assert 'id="dav"' not in response.content.decode()


def test_another_customers_address_page_stays_404(client, dav_world):
    client.force_login(dav_world["customer"].owner)
    response = client.get(reverse("mailservices:address_detail", args=[dav_world["bruno"].pk]))
    assert response.status_code == 404


def test_mobileconfig_carries_caldav_and_carddav_payloads(client, dav_world, public_url):
    client.force_login(dav_world["customer"].owner)
    url = reverse("mailservices:address_mobileconfig", args=[dav_world["anna"].pk])
    profile = plistlib.loads(client.get(url).content)
    mail, caldav, carddav = profile["PayloadContent"]
    assert mail["PayloadType"] == "com.apple.mail.managed"
    base = "example.alpenpost.mail.beispiel.ch.anna"
    assert caldav == {
        "PayloadType": "com.apple.caldav.account",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{base}.caldav",
        "PayloadUUID": caldav["PayloadUUID"],
        "PayloadDisplayName": "Kalender anna@beispiel.ch",
        "CalDAVAccountDescription": "Kalender anna@beispiel.ch (Alpenpost Mail)",
        "CalDAVHostName": "dav.mail.alpenpost.example",
        "CalDAVPort": 443,
        "CalDAVUseSSL": True,
        "CalDAVPrincipalURL": "/anna@beispiel.ch/",
        "CalDAVUsername": "anna@beispiel.ch",
    }
    assert carddav == {
        "PayloadType": "com.apple.carddav.account",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{base}.carddav",
        "PayloadUUID": carddav["PayloadUUID"],
        "PayloadDisplayName": "Kontakte anna@beispiel.ch",
        "CardDAVAccountDescription": "Kontakte anna@beispiel.ch (Alpenpost Mail)",
        "CardDAVHostName": "dav.mail.alpenpost.example",
        "CardDAVPort": 443,
        "CardDAVUseSSL": True,
        "CardDAVPrincipalURL": "/anna@beispiel.ch/",
        "CardDAVUsername": "anna@beispiel.ch",
    }
    uuids = {p["PayloadUUID"] for p in profile["PayloadContent"]} | {profile["PayloadUUID"]}
    assert len(uuids) == 4 and all(len(u) == 36 for u in uuids)
    # Stable: the same address gives the same profile (a re-install replaces, not duplicates).
    assert plistlib.loads(client.get(url).content) == profile
    assert "CalDAVPassword" not in caldav and "CardDAVPassword" not in carddav


def test_mobileconfig_with_a_plain_http_server_on_a_port(client, dav_world, settings):
    settings.PORTAL_DAV_PUBLIC_URL = "http://127.0.0.1:5232/"
    client.force_login(dav_world["customer"].owner)
    url = reverse("mailservices:address_mobileconfig", args=[dav_world["anna"].pk])
    _mail, caldav, carddav = plistlib.loads(client.get(url).content)["PayloadContent"]
    assert (caldav["CalDAVHostName"], caldav["CalDAVPort"], caldav["CalDAVUseSSL"]) == (
        "127.0.0.1",
        5232,
        False,
    )
    assert carddav["CardDAVPort"] == 5232


def _data(root, login):
    path = root / "collection-root" / login / "kalender"
    path.mkdir(parents=True)
    (path / "termin.ics").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    return path.parent


def test_deleted_addresses_data_is_removed_after_the_grace_period(dav_world, tmp_path, settings):
    settings.PORTAL_DAV_DELETED_GRACE_DAYS = 30
    anna = _data(tmp_path, "anna@beispiel.ch")
    bruno = _data(tmp_path, "bruno@fremd.ch")
    now = timezone.now()
    assert dav_data_purge(now=now, storage_dir=str(tmp_path)).noticed == 0
    address_delete(address=dav_world["anna"])
    report = dav_data_purge(now=now, storage_dir=str(tmp_path))
    assert (report.noticed, report.removed) == (1, 0)
    assert DeletedAddressData.objects.get().login == "anna@beispiel.ch"
    # within the grace period nothing is removed, and running twice changes nothing
    report = dav_data_purge(now=now + timedelta(days=29), storage_dir=str(tmp_path))
    assert (report.noticed, report.removed) == (0, 0)
    assert anna.exists()
    report = dav_data_purge(now=now + timedelta(days=30), storage_dir=str(tmp_path))
    assert report.removed == 1
    assert not anna.exists() and bruno.exists()
    assert not DeletedAddressData.objects.exists()


def test_re_created_address_within_the_grace_period_keeps_its_data(dav_world, tmp_path):
    anna = _data(tmp_path, "anna@beispiel.ch")
    now = timezone.now()
    address_delete(address=dav_world["anna"])
    dav_data_purge(now=now, storage_dir=str(tmp_path))
    address_create(service=dav_world["service"], local_part="anna", password="Neues-Tal-Wort-5")
    report = dav_data_purge(now=now + timedelta(days=60), storage_dir=str(tmp_path))
    assert (report.restored, report.removed) == (1, 0)
    assert anna.exists()


def test_purge_task_runs_on_the_configured_storage(dav_world, tmp_path, settings):
    from mailservices.dav.tasks import purge_deleted_address_data

    settings.PORTAL_DAV_STORAGE_DIR = str(tmp_path)
    _data(tmp_path, "weg@beispiel.ch")
    assert purge_deleted_address_data.delay().get() == {"noticed": 1, "restored": 0, "removed": 0}


def test_settings_are_checked(settings):
    assert dav_settings_check() == []
    settings.PORTAL_DAV_PUBLIC_URL = "dav.example"
    settings.PORTAL_DAV_FAILED_LOGIN_LIMITS = "zehn pro Minute"
    settings.PORTAL_DAV_MAX_UPLOAD_BYTES = 0
    ids = {e.id for e in dav_settings_check()}
    assert ids == {"dav.E001", "dav.E002", "dav.E003"}


def test_system_check_command_passes():
    call_command("check", "--tag", "models")


@pytest.mark.parametrize("lang", ["en", "fr", "it"])
def test_catalogues_are_fully_translated(lang):
    from pathlib import Path

    import polib

    import mailservices.dav

    path = Path(mailservices.dav.__file__).parent / "locale" / lang / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    assert po.untranslated_entries() == [] and po.fuzzy_entries() == []
    assert len(po.translated_entries()) >= 30


def test_section_in_english(client, dav_world):
    from django.utils import translation

    client.force_login(dav_world["customer"].owner)
    with translation.override("en"):
        url = reverse("mailservices:address_detail", args=[dav_world["anna"].pk])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Contacts &amp; calendars" in html or "Contacts & calendars" in html


def test_purge_job_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["dav-purge-deleted-address-data"]
    assert entry["task"] == "dav.purge_deleted_address_data"


def test_staff_see_deleted_address_data_read_only(staff_client):
    client = staff_client
    DeletedAddressData.objects.create(login="weg@beispiel.ch", noticed_at=timezone.now())
    response = client.get(reverse("admin:dav_deletedaddressdata_changelist"))
    assert response.status_code == 200
    assert "weg@beispiel.ch" in response.content.decode()
    assert client.get(reverse("admin:dav_deletedaddressdata_add")).status_code == 403
