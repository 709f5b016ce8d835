"""The docs/product.md §4 table, resolved per address (plans, sizes, channels, staff overrides)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from mailservices.plans import Plan
from quotas.limits import SENDING_LIMITS, Channel, plan_channels, plan_rule
from quotas.selectors import sending_limit, sending_limits
from quotas.services import sending_limit_override_create, sending_limit_override_end


@pytest.mark.parametrize(
    ("plan", "size", "channel", "limit"),
    [
        (Plan.MY_KSUITE, 1, Channel.SMTP, 500),
        (Plan.MY_KSUITE_PLUS, 1, Channel.SMTP, 1440),
        (Plan.KSUITE_STANDARD, 1, Channel.SMTP, 100),
        (Plan.KSUITE_STANDARD, 2, Channel.SMTP, 1440),
        (Plan.KSUITE_STANDARD, 250, Channel.SMTP, 1440),
        (Plan.KSUITE_PRO, 5, Channel.SMTP, 1440),
        (Plan.KSUITE_ENTERPRISE, 25, Channel.SMTP, 1440),
        (Plan.SERVICE_MAIL_STARTER, 1, Channel.SMTP, 100),
        (Plan.SERVICE_MAIL, 4, Channel.SMTP, 100),
        (Plan.SERVICE_MAIL, 5, Channel.SMTP, 1440),
        (Plan.SERVICE_MAIL, 80, Channel.SMTP, 1440),
        (Plan.WEB_HOSTING, 10, Channel.PHP_MAIL, 50),
        (Plan.WEB_HOSTING, 10, Channel.SMTP, 1440),
    ],
)
def test_table_of_spec_section_4(plan, size, channel, limit):
    assert plan_rule(plan=plan, size=size, channel=channel).limit == limit


def test_every_plan_has_exactly_one_smtp_rule_per_size():
    for plan in Plan.values:
        for size in (1, 2, 4, 5, 6, 1000):
            matches = [r for r in SENDING_LIMITS if r.matches(plan=plan, size=size, channel="smtp")]
            assert len(matches) == 1, (plan, size)


def test_only_web_hosting_sends_php_mail():
    assert plan_channels(Plan.WEB_HOSTING) == [Channel.SMTP, Channel.PHP_MAIL]
    assert plan_channels(Plan.KSUITE_PRO) == [Channel.SMTP]
    assert plan_rule(plan=Plan.KSUITE_PRO, size=5, channel=Channel.PHP_MAIL) is None


def test_limit_follows_the_service_size(db, make_service, make_address):
    service = make_service(plan=Plan.KSUITE_STANDARD, quota=1)
    address = make_address(service)
    assert sending_limit(address).limit == 100
    service.address_quota = 3
    service.save()
    address.refresh_from_db()
    assert sending_limit(address).limit == 1440
    assert sending_limit(address).source == "plan"


def test_override_for_a_paid_address_with_history(db, make_service, make_address, staff_user):
    address = make_address(make_service(plan=Plan.SERVICE_MAIL_STARTER))
    first = sending_limit_override_create(
        address=address,
        limit=400,
        reason="Vereinsversand",
        request_reference="T-1001",
        approved_by=staff_user,
    )
    found = sending_limit(address)
    assert (found.limit, found.source, found.override) == (400, "override", first)

    second = sending_limit_override_create(
        address=address,
        limit=800,
        reason="Mehr Mitglieder",
        request_reference="T-1002",
        approved_by=staff_user,
        ends_at=timezone.now() + timedelta(days=30),
    )
    first.refresh_from_db()
    assert first.ended_at is not None and first.ended_by == staff_user  # kept as history
    assert sending_limit(address).limit == 800
    assert list(address.sending_limit_overrides.all()) == [second, first]

    sending_limit_override_end(override=second, ended_by=staff_user, note="Anfrage zurückgezogen")
    assert sending_limit(address).limit == 100
    assert address.sending_limit_overrides.count() == 2


def test_override_expires_at_its_end_date(db, make_service, make_address, staff_user):
    address = make_address(make_service(plan=Plan.KSUITE_PRO))
    override = sending_limit_override_create(
        address=address,
        limit=3000,
        reason="Event",
        request_reference="T-7",
        approved_by=staff_user,
        ends_at=timezone.now() + timedelta(days=2),
    )
    assert sending_limit(address).limit == 3000
    later = override.ends_at + timedelta(seconds=1)
    assert sending_limit(address, now=later).limit == 1440


def test_no_override_for_a_free_address(db, make_service, make_address, staff_user):
    address = make_address(make_service(plan=Plan.MY_KSUITE))
    with pytest.raises(ValidationError):
        sending_limit_override_create(
            address=address, limit=1000, reason="x", request_reference="T-1", approved_by=staff_user
        )
    assert not address.sending_limit_overrides.exists()


def test_override_needs_reason_reference_and_staff(
    db, make_service, make_address, staff_user, make_user
):
    address = make_address(make_service(plan=Plan.KSUITE_PRO))
    with pytest.raises(ValidationError):
        sending_limit_override_create(
            address=address, limit=1000, reason=" ", request_reference="T-1", approved_by=staff_user
        )
    with pytest.raises(ValidationError):
        sending_limit_override_create(
            address=address, limit=1000, reason="ok", request_reference="", approved_by=staff_user
        )
    with pytest.raises(ValidationError):
        sending_limit_override_create(
            address=address,
            limit=1000,
            reason="ok",
            request_reference="T-1",
            approved_by=make_user(),
        )
    assert not address.sending_limit_overrides.exists()


def test_limits_of_many_addresses_in_one_query(
    db, make_service, make_address, staff_user, django_assert_num_queries
):
    service = make_service(plan=Plan.WEB_HOSTING)
    addresses = [make_address(service, f"user{i}") for i in range(6)]
    sending_limit_override_create(
        address=addresses[2],
        limit=2000,
        reason="Shop",
        request_reference="T-9",
        approved_by=staff_user,
    )
    for a in addresses:
        a.service = service
    with django_assert_num_queries(1):
        limits = sending_limits(addresses)
    assert len(limits) == 12  # two channels each
    assert limits[(addresses[2].pk, "smtp")].limit == 2000
    assert limits[(addresses[2].pk, "php_mail")].limit == 50
    assert limits[(addresses[0].pk, "smtp")].limit == 1440


def test_system_check_reports_bad_settings(settings):
    from quotas.checks import quota_settings_check

    assert quota_settings_check() == []
    settings.QUOTAS_PHP_MAIL_NETWORKS = ["10.0.0.0/8", "webserver"]
    settings.QUOTAS_RESERVATION_SECONDS = -1
    assert {e.id for e in quota_settings_check()} == {"quotas.E001", "quotas.E002"}
