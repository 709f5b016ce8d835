"""Storage: plan sizes, staff overrides, usage as Dovecot writes it, alerts, pages, command."""

import importlib
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mailservices.mailboxes.models import MailboxUsage, StorageAlert, StorageOverride
from mailservices.mailboxes.selectors import MB, address_storage, plan_storage_mb
from mailservices.mailboxes.services import (
    storage_alerts_send,
    storage_override_create,
    storage_override_end,
)
from mailservices.plans import PLAN_FACTS
from mailservices.services.addresses import address_create

pytestmark = pytest.mark.django_db


def _use(address, used_bytes, messages=1):
    MailboxUsage.objects.update_or_create(
        username=f"{address.local_part}@{address.service.domain.name}",
        defaults={"used_bytes": used_bytes, "messages": messages},
    )


def test_plan_sizes_frozen_in_the_userdb_view_match_the_plans():
    migration = importlib.import_module(
        "mailservices.mailstack.migrations.0002_userdb_storage_quota"
    )
    assert {str(p): f.storage_mb for p, f in PLAN_FACTS.items()} == migration.PLAN_STORAGE_MB


def test_storage_is_the_plans_size_until_staff_override_it(mailbox, staff_user):
    storage = address_storage(mailbox)
    assert storage.quota_bytes == plan_storage_mb("service_mail") * MB == 20480 * MB
    assert storage.used_bytes == 0 and not storage.overridden
    override = storage_override_create(
        address=mailbox,
        quota_mb=500,
        reason="Kunde braucht mehr Platz",
        request_reference="T-1",
        approved_by=staff_user,
    )
    assert address_storage(mailbox).quota_bytes == 500 * MB
    storage_override_create(
        address=mailbox,
        quota_mb=800,
        reason="mehr",
        request_reference="T-2",
        approved_by=staff_user,
    )
    override.refresh_from_db()
    assert override.ended_at is not None  # the newer one replaced it
    assert address_storage(mailbox).quota_bytes == 800 * MB
    storage_override_end(override=StorageOverride.objects.first(), ended_by=staff_user)
    assert address_storage(mailbox).quota_bytes == 20480 * MB


def test_only_staff_override_and_the_size_has_bounds(mailbox, make_user, staff_user):
    with pytest.raises(ValidationError):
        storage_override_create(
            address=mailbox,
            quota_mb=500,
            reason="x",
            request_reference="y",
            approved_by=make_user(),
        )
    with pytest.raises(ValidationError):
        storage_override_create(
            address=mailbox, quota_mb=5, reason="x", request_reference="y", approved_by=staff_user
        )


def test_userdb_view_serves_the_same_quota(mailbox, staff_user):
    from django.db import connection

    from mailservices.mailstack import lookups

    def quota_rule():
        with connection.cursor() as cursor:
            cursor.execute(
                lookups.as_sql(lookups.userdb_query()),
                [f"anna@{mailbox.service.domain.name}"],
            )
            columns = [c[0] for c in cursor.description]
            return dict(zip(columns, cursor.fetchone(), strict=True))["quota_rule"]

    assert quota_rule() == "*:storage=20480M"
    # (PostgreSQL's CURRENT_TIMESTAMP is the test transaction's start: start before it.)
    storage_override_create(
        address=mailbox,
        quota_mb=150,
        reason="x",
        request_reference="y",
        approved_by=staff_user,
        starts_at=timezone.now() - timedelta(hours=1),
    )
    assert quota_rule() == "*:storage=150M"


def test_alerts_once_per_crossing(mailbox, staff_user, django_capture_on_commit_callbacks):
    storage_override_create(
        address=mailbox, quota_mb=100, reason="x", request_reference="y", approved_by=staff_user
    )
    _use(mailbox, 70 * MB)
    with django_capture_on_commit_callbacks(execute=True):
        assert storage_alerts_send() == 0
    _use(mailbox, 85 * MB)
    with django_capture_on_commit_callbacks(execute=True):
        assert storage_alerts_send() == 1
        assert storage_alerts_send() == 0  # once per crossing
    assert "85 %" in mail.outbox[0].subject and "anna@" in mail.outbox[0].subject
    _use(mailbox, 100 * MB)
    with django_capture_on_commit_callbacks(execute=True):
        assert storage_alerts_send() == 1
        assert storage_alerts_send() == 0
    assert "voll" in mail.outbox[1].subject
    _use(mailbox, 10 * MB)  # emptied: the next crossing mails again
    with django_capture_on_commit_callbacks(execute=True):
        assert storage_alerts_send() == 0
    _use(mailbox, 90 * MB)
    with django_capture_on_commit_callbacks(execute=True):
        assert storage_alerts_send() == 1
    assert len(mail.outbox) == 3
    assert list(StorageAlert.objects.order_by("pk").values_list("level", flat=True)) == [
        80,
        100,
        0,
        80,
    ]


def test_mailbox_usage_command_json(mailbox):
    _use(mailbox, 1234, messages=3)
    out = StringIO()
    call_command("mailbox_usage", f"anna@{mailbox.service.domain.name}", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "address": f"anna@{mailbox.service.domain.name}",
        "used_bytes": 1234,
        "quota_bytes": 20480 * MB,
        "messages": 3,
    }


def test_mailbox_usage_command_unknown_address():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no mailbox"):
        call_command("mailbox_usage", "nobody@nowhere.ch", "--json")


def test_address_page_shows_bar_and_why_it_is_full(customer_client, mailbox, staff_user):
    storage_override_create(
        address=mailbox, quota_mb=100, reason="x", request_reference="y", approved_by=staff_user
    )
    _use(mailbox, 85 * MB, messages=7)
    page = customer_client.get(reverse("mailservices:address_detail", args=[mailbox.pk]))
    text = page.content.decode()
    assert 'id="storage"' in text and 'aria-valuenow="85"' in text
    assert "zu 85 % belegt" in text
    _use(mailbox, 100 * MB)
    text = customer_client.get(
        reverse("mailservices:address_detail", args=[mailbox.pk])
    ).content.decode()
    assert "Das Postfach ist voll." in text and "abgewiesen" in text


def test_service_page_shows_each_mailbox_and_the_total(
    customer_client, service, mailbox, django_assert_max_num_queries
):
    other = address_create(service=service, local_part="bruno", password="Firn-Grat-Stollen-2026")
    _use(mailbox, 2 * 1024 * MB)
    _use(other, 1024 * MB)
    page = customer_client.get(reverse("mailservices:service_detail", args=[service.pk]))
    text = page.content.decode()
    assert "3.0\xa0GB von 40.0\xa0GB belegt" in text or "3,0\xa0GB von 40,0\xa0GB belegt" in text
    assert "bruno@" in text and "anna@" in text


def test_service_storage_costs_one_query_for_any_number_of_mailboxes(
    service, mailbox, django_assert_num_queries
):
    from mailservices.mailboxes.selectors import service_storage

    for name in ("b1", "b2", "b3"):
        address_create(service=service, local_part=name, password="Firn-Grat-Stollen-2026")
    with django_assert_num_queries(1):
        items, total = service_storage(service)
    assert len(items) == 4 and total.quota_bytes == 4 * 20480 * MB


def test_admin_lists_usage(staff_client, mailbox):
    _use(mailbox, 5 * MB, messages=2)
    page = staff_client.get(reverse("admin:mailboxes_mailboxstorage_changelist"))
    assert page.status_code == 200
    assert "anna@" in page.content.decode() and "5.0" in page.content.decode().replace(",", ".")


def test_overview_lists_full_and_nearly_full_mailboxes(customer_client, service, mailbox):
    bruno = address_create(service=service, local_part="bruno", password="Firn-Grat-Stollen-2026")
    address_create(service=service, local_part="leer", password="Firn-Grat-Stollen-2026")
    _use(mailbox, 20480 * MB)
    _use(bruno, 17000 * MB)
    text = customer_client.get(reverse("dashboard:overview")).content.decode()
    assert "Das Postfach anna@" in text and "ist voll" in text
    assert "Das Postfach bruno@" in text and "zu 83 % belegt" in text
    assert "Das Postfach leer@" not in text


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Storage"), ("fr", "Espace de stockage"), ("it", "Spazio di archiviazione")],
)
def test_storage_card_is_translated(client, customer, mailbox, language, words):
    customer.owner.language = language
    customer.owner.save(update_fields=["language"])
    client.force_login(customer.owner)
    page = client.get(
        reverse("mailservices:address_detail", args=[mailbox.pk]),
        headers={"accept-language": language},
    )
    assert words in page.content.decode()


@pytest.mark.parametrize("language", ["de", "en", "fr", "it"])
def test_postfach_voll_guide_states_the_plan_sizes_and_the_page_texts(language):
    """The guide describes exactly what the page shows: the same sizes and wording."""
    import re
    from pathlib import Path

    from django.utils import translation

    from mailservices.plans import Plan

    text = (Path(__file__).parents[2] / f"kb/guides/{language}/postfach-voll.md").read_text()
    rows = dict(re.findall(r"^\| ([^|]+?) \| (\d+) GB \|$", text, flags=re.M))
    sizes = {f.storage_mb // 1024 for f in PLAN_FACTS.values()}
    assert {int(v) for v in rows.values()} == sizes
    assert len(rows) == len(Plan)
    with translation.override(language):
        from django.utils.translation import gettext as _

        for msgid in (
            "Das Postfach ist voll.",
            "Speicherplatz auf Anfrage angepasst.",
            "Speicherplatz gemäss Ihrem Abonnement.",
            "Platz schaffen",
        ):
            assert _(msgid) in text, (language, msgid)
