"""The message check pages: upload → queued → progress (htmx polling / reload) → findings.

Celery runs eagerly in tests; `django_capture_on_commit_callbacks(execute=True)` is the
moment the worker picks the check up, and leaving it out shows the page before that.
"""

import io
import re
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from messagetools.models import MessageCheck
from messagetools.services import message_check_create, message_check_execute
from tests.messagetools import builders as b

pytestmark = pytest.mark.django_db

CHECK_URL = "/tools/check/"


def upload(data, name="nachricht.eml"):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def stored_names() -> set[str]:
    storage = MessageCheck._meta.get_field("original").storage
    try:
        return set(storage.listdir("checks")[1])
    except FileNotFoundError:
        return set()


def rejected_message() -> bytes:
    return b.message(attachments=[("rechnung.pdf.exe", b"MZ")])


def test_url_names():
    assert reverse("messagetools:message_check") == CHECK_URL
    assert reverse("messagetools:check_detail", args=[7]) == "/tools/check/7/"
    assert reverse("messagetools:check_run", args=[7]) == "/tools/check/7/run/"
    assert reverse("messagetools:check_delete", args=[7]) == "/tools/check/7/delete/"


def test_upload_redirects_to_the_check_which_shows_the_findings(
    customer_client, customer, spf, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(CHECK_URL, {"file": upload(rejected_message())})
    check = MessageCheck.objects.get()
    assert check.customer == customer
    assert response.status_code == 302
    assert response["Location"] == reverse("messagetools:check_detail", args=[check.pk])
    page = customer_client.get(response["Location"]).content.decode()
    assert "Unsere Filter würden diese Nachricht abweisen" in page
    assert "rechnung.pdf.exe" in page and "/kb/spam-abgelehnt/" in page
    assert "hx-trigger" not in page and "http-equiv" not in page  # finished: no polling
    assert "Erneut prüfen" in page and "Prüfung und Nachricht löschen" in page
    assert spf.domains == ["example.org"]
    # the form for the next message is on the same page, and the list links the check
    assert 'name="file"' in page
    listing = customer_client.get(CHECK_URL).content.decode()
    assert reverse("messagetools:check_detail", args=[check.pk]) in listing
    assert "Würde abgewiesen" in listing


def test_before_the_worker_the_page_shows_progress_and_polls(customer_client, spf):
    """Without the worker (no on_commit run), the request itself checks nothing."""
    response = customer_client.post(CHECK_URL, {"source": rejected_message().decode()})
    check = MessageCheck.objects.get()
    assert check.state == "queued" and spf.domains == []
    detail = response["Location"]

    page = customer_client.get(detail).content.decode()
    assert "Die Prüfung wartet auf den Start" in page
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page  # no JS
    assert f'href="{detail}">Fortschritt neu laden' in page
    assert f'hx-get="{detail}" hx-trigger="every 1s"' in page  # htmx polls the same URL

    polled = customer_client.get(detail, HTTP_HX_REQUEST="true")
    html = polled.content.decode()
    assert html.startswith('<div id="check-run"') and "<html" not in html
    assert 'role="progressbar"' in html and 'hx-trigger="every 1s"' in html

    message_check_execute(check_pk=check.pk)  # the worker
    html = customer_client.get(detail, HTTP_HX_REQUEST="true").content.decode()
    assert html.startswith('<div id="check-run"')
    assert "hx-trigger" not in html  # polling stops with the result
    assert "Unsere Filter würden diese Nachricht abweisen" in html


def test_progress_shows_the_running_step(customer_client, customer):
    check = message_check_create(customer=customer, raw=rejected_message(), language="de")
    MessageCheck.objects.filter(pk=check.pk).update(
        state="running", started_at=timezone.now(), progress_done=2
    )
    html = customer_client.get(
        reverse("messagetools:check_detail", args=[check.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Die Nachricht wird geprüft" in html
    assert "Links werden geprüft" in html and "2 von 5 Schritten erledigt" in html
    assert 'aria-valuenow="2"' in html and "width: 40%" in html


def test_htmx_upload_swaps_the_area_and_pushes_the_check_url(
    customer_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(
            CHECK_URL, {"source": b.message(text="Hallo").decode()}, HTTP_HX_REQUEST="true"
        )
    check = MessageCheck.objects.get()
    detail = reverse("messagetools:check_detail", args=[check.pk])
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="check-area"')
    assert response["HX-Push-Url"] == detail
    # rendered before the worker ran (the test runs it when the request's block ends)
    assert f'hx-get="{detail}" hx-trigger="every 1s"' in html
    assert "Weitere Nachricht prüfen" in html
    polled = customer_client.get(detail, HTTP_HX_REQUEST="true").content.decode()
    assert "Keine Abweisungsgründe gefunden" in polled


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"file": "binary"}, "Binärdaten"),
        ({"source": "kein Mail"}, "beginnt nicht mit E-Mail-Kopfzeilen"),
        ({}, "Bitte laden Sie eine .eml-Datei hoch"),
        ({"file": "empty"}, ""),
        ({"file": "truncated-binary"}, ""),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_gets_a_clear_message_and_stores_nothing(customer_client, data, message, htmx):
    if data.get("file") == "binary":
        data = {"file": upload(bytes(range(256)) * 64, "bild.png")}
    elif data.get("file") == "empty":
        data = {"file": upload(b"", "leer.eml")}
    elif data.get("file") == "truncated-binary":
        data = {"file": upload(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "nachricht.eml")}
    before = stored_names()
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = customer_client.post(CHECK_URL, data, **extra)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="errorlist' in html or 'class="callout callout-error"' in html
    assert message in html
    assert not MessageCheck.objects.exists()
    assert stored_names() == before


@override_settings(MESSAGETOOLS_MAX_UPLOAD_BYTES=1000)
def test_upload_size_limit(customer_client):
    response = customer_client.post(CHECK_URL, {"file": upload(b.message(text="x" * 5000))})
    assert response.status_code == 200
    assert "Die Datei ist zu gross" in response.content.decode()
    assert not MessageCheck.objects.exists()


def test_a_bomb_ends_as_a_finding(customer_client, django_capture_on_commit_callbacks):
    bomb = b.nested_zip_bomb(levels=5, width=16, inner_size=64 * 1024 * 1024)
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(
            CHECK_URL, {"file": upload(b.message(attachments=[("42.zip", bomb)]))}
        )
    assert "archive_bomb" in customer_client.get(response["Location"]).content.decode()


def test_failed_check_explains_and_offers_a_retry(
    customer_client, customer, django_capture_on_commit_callbacks
):
    check = message_check_create(customer=customer, raw=rejected_message(), language="de")
    MessageCheck.objects.filter(pk=check.pk).update(
        state="failed", error="Die gespeicherte Nachricht ist nicht mehr lesbar."
    )
    detail = reverse("messagetools:check_detail", args=[check.pk])
    page = customer_client.get(detail).content.decode()
    assert "Die Prüfung ist fehlgeschlagen." in page and "nicht mehr lesbar" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(reverse("messagetools:check_run", args=[check.pk]))
    assert response.status_code == 302 and response["Location"] == detail
    check.refresh_from_db()
    assert check.state == "done" and check.verdict == "reject"


def test_lost_check_stops_polling_and_htmx_retry_polls_again(customer_client, customer):
    check = message_check_create(customer=customer, raw=rejected_message(), language="de")
    MessageCheck.objects.filter(pk=check.pk).update(
        queued_at=timezone.now() - timedelta(minutes=30)
    )
    detail = reverse("messagetools:check_detail", args=[check.pk])
    page = customer_client.get(detail).content.decode()
    assert "Die Prüfung ist nicht fertig geworden." in page
    assert "hx-trigger" not in page and "http-equiv" not in page
    html = customer_client.post(
        reverse("messagetools:check_run", args=[check.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert html.startswith('<div id="check-run"') and 'hx-trigger="every 1s"' in html


def test_delete_removes_the_check_and_says_so(
    customer_client, customer, django_capture_on_commit_callbacks
):
    check = message_check_create(customer=customer, raw=rejected_message(), language="de")
    name = check.original.name
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(reverse("messagetools:check_delete", args=[check.pk]))
    assert response.status_code == 302 and response["Location"] == CHECK_URL
    assert not MessageCheck.objects.exists()
    assert not MessageCheck._meta.get_field("original").storage.exists(name)
    page = customer_client.get(CHECK_URL).content.decode()
    assert "Die Prüfung und die gespeicherte Nachricht sind gelöscht." in page
    assert (
        customer_client.get(reverse("messagetools:check_detail", args=[check.pk])).status_code
        == 404
    )


def test_another_customers_check_is_404_on_every_url(
    customer_client, other_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        foreign = message_check_create(
            customer=other_customer, raw=rejected_message(), language="de"
        )
    foreign.refresh_from_db()
    before = (foreign.state, foreign.finished_at, foreign.result)
    detail = reverse("messagetools:check_detail", args=[foreign.pk])
    assert customer_client.get(detail).status_code == 404
    assert customer_client.get(detail, HTTP_HX_REQUEST="true").status_code == 404
    for name in ("check_run", "check_delete"):
        url = reverse(f"messagetools:{name}", args=[foreign.pk])
        assert customer_client.post(url).status_code == 404
        assert customer_client.post(url, HTTP_HX_REQUEST="true").status_code == 404
    foreign.refresh_from_db()
    assert (foreign.state, foreign.finished_at, foreign.result) == before
    assert detail not in customer_client.get(CHECK_URL).content.decode()


def test_pages_need_a_login(client, customer):
    check = message_check_create(customer=customer, raw=rejected_message(), language="de")
    for url in (
        reverse("messagetools:check_detail", args=[check.pk]),
        reverse("messagetools:check_run", args=[check.pk]),
        reverse("messagetools:check_delete", args=[check.pk]),
    ):
        response = client.post(url) if not url.endswith(f"{check.pk}/") else client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert MessageCheck.objects.filter(pk=check.pk, state="queued").exists()


def test_run_and_delete_are_post_only(customer_client, customer):
    check = message_check_create(customer=customer, raw=rejected_message(), language="de")
    for name in ("check_run", "check_delete"):
        assert (
            customer_client.get(reverse(f"messagetools:{name}", args=[check.pk])).status_code == 405
        )
    assert MessageCheck.objects.filter(pk=check.pk).exists()


def test_posts_need_csrf(customer, django_capture_on_commit_callbacks):
    check = message_check_create(customer=customer, raw=rejected_message(), language="de")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(customer.owner)
    assert csrf_client.post(CHECK_URL, {"source": "x"}).status_code == 403
    for name in ("check_run", "check_delete"):
        url = reverse(f"messagetools:{name}", args=[check.pk])
        assert csrf_client.post(url).status_code == 403
    assert MessageCheck.objects.count() == 1


def test_check_list_query_count_does_not_grow(
    customer_client, customer, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    def add(status):
        with django_capture_on_commit_callbacks(execute=status == "done"):
            check = message_check_create(customer=customer, raw=rejected_message(), language="de")
        if status == "failed":
            MessageCheck.objects.filter(pk=check.pk).update(state="failed")

    add("done")
    customer_client.get(CHECK_URL)  # warm up session and caches
    with django_assert_max_num_queries(8) as one_row:
        customer_client.get(CHECK_URL)
    for status in ("done", "queued", "failed", "done", "queued", "done"):
        add(status)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        response = customer_client.get(CHECK_URL)
    html = response.content.decode()
    assert len(set(re.findall(r'href="/tools/check/(\d+)/"', html))) == 7
    assert "Fehlgeschlagen" in html and "Läuft" in html and "Würde abgewiesen" in html


def test_check_list_is_paginated(customer_client, customer, monkeypatch):
    monkeypatch.setattr("messagetools.views.CHECKS_PER_PAGE", 2)
    for _ in range(3):
        message_check_create(customer=customer, raw=rejected_message(), language="de")
    first = customer_client.get(CHECK_URL).content.decode()
    second = customer_client.get(CHECK_URL + "?page=2").content.decode()
    assert "Seite 1 von 2" in first and "Seite 2 von 2" in second
    assert len(re.findall(r'href="/tools/check/\d+/"', first)) == 2
    assert len(re.findall(r'href="/tools/check/\d+/"', second)) == 1


def test_english_page_and_findings(customer_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(
            CHECK_URL, {"file": upload(rejected_message())}, HTTP_ACCEPT_LANGUAGE="en"
        )
    check = MessageCheck.objects.get()
    assert check.language == "en"
    page = customer_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Check again" in page
    assert "Anhang" not in " ".join(f["detail"] for f in check.result["findings"])
