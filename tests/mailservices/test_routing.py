from datetime import timedelta

import pytest
from django.db import transaction

from mailservices.routing import responder_may_answer_message, route, split_recipient
from tests.mailservices.routing_cases import CASES, NOW, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The routing world is built once per module inside a transaction rolled back at the end."""
    from portal.accounts.models import User
    from portal.accounts.services import customer_create

    with django_db_blocker.unblock(), transaction.atomic():
        owner = User.objects.create_user(email="routing@example.org", password="x")
        built = build_world(customer_create(owner=owner))
        yield built
        transaction.set_rollback(True)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_route(world, db, case):
    result = route(case.recipient, now=NOW)
    assert result.action == case.action, (case.recipient, result.reason)
    assert result.via == case.via
    assert sorted(result.mailboxes) == sorted(case.mailboxes)
    assert sorted(result.forwards) == sorted(case.forwards)
    assert result.responder_may_reply is case.responder_may_reply
    if case.action == "deliver":
        assert result.address is not None
    else:
        assert result.address is None and result.reason


def test_case_ids_are_unique():
    assert len({case.id for case in CASES}) == len(CASES)
    assert len(CASES) >= 60


def test_catchall_responder_never_answers_caught_mail(world, db):
    caught = route("niemand@beispiel.ch", now=NOW)
    direct = route("catchall@beispiel.ch", now=NOW)
    assert caught.address == direct.address
    assert caught.responder_may_reply is False
    assert direct.responder_may_reply is True


def test_responder_window_edges(world, db):
    starts = world["beispiel.ch"].addresses.get(local_part="ferien").responder.starts_at
    assert (
        route("ferien@beispiel.ch", now=starts - timedelta(seconds=1)).responder_may_reply is False
    )
    assert route("ferien@beispiel.ch", now=starts).responder_may_reply is True
    ends = world["beispiel.ch"].addresses.get(local_part="ferien").responder.ends_at
    assert route("ferien@beispiel.ch", now=ends).responder_may_reply is False


def test_route_query_count_is_small(world, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        route("smith.johnny@beispiel.ch", now=NOW)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Anna+X@Beispiel.CH", ("anna", "beispiel.ch")),
        ("verkauf@Bücher.ch", ("verkauf", "xn--bcher-kva.ch")),
        ("<a@b.ch>", ("a", "b.ch")),
        ("a@b@c.ch", None),
        ("", None),
    ],
)
def test_split_recipient(raw, expected):
    assert split_recipient(raw) == expected


@pytest.mark.parametrize(
    ("headers", "sender", "expected"),
    [
        ({}, "kunde@example.org", True),
        ({"Auto-Submitted": "no"}, "kunde@example.org", True),
        ({"Auto-Submitted": "auto-replied"}, "kunde@example.org", False),
        ({"Precedence": "bulk"}, "kunde@example.org", False),
        ({"Precedence": "list"}, "kunde@example.org", False),
        ({"Precedence": "junk"}, "kunde@example.org", False),
        ({"List-Id": "<liste.example.org>"}, "kunde@example.org", False),
        ({"List-Unsubscribe": "<mailto:x@example.org>"}, "kunde@example.org", False),
        ({"X-Auto-Response-Suppress": "OOF"}, "kunde@example.org", False),
        ({}, "", False),
        ({}, "MAILER-DAEMON@example.org", False),
        ({}, "noreply@shop.example", False),
        ({}, "no-reply@shop.example", False),
    ],
)
def test_responder_may_answer_message(headers, sender, expected):
    assert responder_may_answer_message(headers=headers, sender=sender) is expected
