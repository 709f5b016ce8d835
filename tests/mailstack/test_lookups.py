"""The lookup views agree with the portal's routing function on every routing case."""

import importlib

import pytest
from django.db import connection, transaction

from mailservices.plans import PLAN_FACTS
from mailservices.routing import route
from tests.mailservices.routing_cases import CASES, NOW, build_world
from tests.mailstack.stack_model import MAPS, envelope_recipient, stack_route

views_migration = importlib.import_module("mailservices.mailstack.migrations.0001_lookup_views")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from portal.accounts.models import User
    from portal.accounts.services import customer_create

    with django_db_blocker.unblock(), transaction.atomic():
        owner = User.objects.create_user(email="stack@example.org", password="x")
        built = build_world(customer_create(owner=owner))
        yield built
        transaction.set_rollback(True)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_stack_agrees_with_routing(world, db, case):
    expected = route(case.recipient, now=NOW)
    got = stack_route(case.recipient, now=NOW)
    assert got.action == expected.action, (case.recipient, got.reason, expected.reason)
    assert got.mailboxes == sorted(expected.mailboxes)
    assert got.forwards == sorted(expected.forwards)
    assert got.caught is (expected.via == "catchall")
    assert got.responder_may_reply is expected.responder_may_reply


def test_unpaid_plans_frozen_in_views_match_plans():
    unpaid = {plan for plan, facts in PLAN_FACTS.items() if not facts.paid}
    assert unpaid == set(views_migration.UNPAID_PLANS)


def _rows(name, key):
    with connection.cursor() as cursor:
        cursor.execute(MAPS[name], [key])
        return sorted(row[0] for row in cursor.fetchall())


def test_existing_address_has_its_own_alias_row_so_it_beats_the_wildcard(world, db):
    assert _rows("virtual_alias_maps", "jonnie.smith@beispiel.ch") == ["jonnie.smith@beispiel.ch"]
    assert _rows("virtual_alias_maps", "@beispiel.ch") == ["catchall@beispiel.ch"]
    assert _rows("virtual_alias_maps", "@ohne-catchall.ch") == []
    assert _rows("virtual_alias_maps", "@herabgestuft.ch") == []  # free plan now


def test_disabled_address_and_its_alias_are_refused(world, db):
    assert _rows("recipient_access", "alt@beispiel.ch") == ["550 5.2.1 Mailbox disabled"]
    assert _rows("recipient_access", "team@beispiel.ch") == ["550 5.2.1 Mailbox disabled"]
    assert _rows("recipient_access", "anna@beispiel.ch") == []


def test_sender_logins_cover_own_address_and_aliases(world, db):
    assert _rows("sender_login_maps", "anna@beispiel.ch") == ["anna@beispiel.ch"]
    assert _rows("sender_login_maps", "kontakt@beispiel.ch") == ["anna@beispiel.ch"]
    assert _rows("sender_login_maps", "info@beispiel.ch") == []  # a redirect cannot log in
    assert _rows("sender_login_maps", "alt@beispiel.ch") == []  # disabled
    assert _rows("sender_login_maps", "team@beispiel.ch") == []  # alias of a disabled one


def test_passdb_refuses_disabled_redirects_and_suspended_services(world, db):
    from mailservices.mailstack.lookups import PASSDB_QUERY, as_sql

    def passdb(user):
        with connection.cursor() as cursor:
            cursor.execute(as_sql(PASSDB_QUERY), [user])
            return cursor.fetchall()

    (row,) = passdb("anna@beispiel.ch")
    assert row[0] == "anna@beispiel.ch" and row[1].startswith("{ARGON2ID}$argon2id$")
    assert passdb("alt@beispiel.ch") == []
    assert passdb("info@beispiel.ch") == []
    assert passdb("info@gesperrt.ch") == []
    assert passdb("info@neu.ch") == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<Anna@Beispiel.CH.>", "anna@beispiel.ch"),
        ('"anna"@beispiel.ch', "anna@beispiel.ch"),
        ("verkauf@bücher.ch", "verkauf@xn--bcher-kva.ch"),
        ("an na@beispiel.ch", None),
        ("anna@", None),
    ],
)
def test_envelope_model(raw, expected):
    assert envelope_recipient(raw) == expected
