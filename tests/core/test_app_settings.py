"""One way to read settings (app_settings objects, checked at start-up) and periodic jobs
found through the app registry."""

from django.conf import settings as django_settings

from messagetools.app_settings import app_settings as messagetools_settings
from messagetools.checks import messagetools_settings as messagetools_check
from portal.core.app_settings import app_settings as portal_settings
from portal.core.checks import periodic_jobs, provider_settings
from portal.core.schedules import app_schedules, install_schedules, schedule_conflicts
from quotas.app_settings import app_settings as quota_settings


def test_app_settings_read_django_settings_on_each_access(settings):
    settings.PORTAL_PROVIDER_NAME = "Testpost"
    settings.MESSAGETOOLS_CHECK_KEEP_DAYS = 3
    settings.QUOTAS_WINDOW_SECONDS = 60
    assert portal_settings.PROVIDER_NAME == "Testpost"
    assert messagetools_settings.CHECK_KEEP_DAYS == 3
    assert quota_settings.WINDOW_SECONDS == 60
    del settings.MESSAGETOOLS_CHECK_KEEP_DAYS
    assert messagetools_settings.CHECK_KEEP_DAYS == 7  # the documented default


def test_wrong_values_are_reported_by_system_checks(settings):
    assert provider_settings() == [] and messagetools_check() == []
    settings.PORTAL_BASE_URL = "portal.example"
    settings.PORTAL_MAIL_HOST = ""
    settings.MESSAGETOOLS_MAX_UPLOAD_BYTES = 0
    assert {e.id for e in provider_settings()} == {"core.E001", "core.E002"}
    assert [e.id for e in messagetools_check()] == ["messagetools.E001"]


def test_every_apps_schedule_is_found_through_the_app_registry():
    found = app_schedules()
    assert "diagnosis-hourly-slice" in found["mailservices.diagnosis"]
    assert "messagetools-delete-old-checks" in found["messagetools"]
    assert "quotas-usage-rollup" in found["quotas"]
    for schedule in found.values():
        assert set(schedule) <= set(django_settings.CELERY_BEAT_SCHEDULE)
    assert periodic_jobs() == []


def test_two_apps_with_one_entry_name_are_reported(settings, monkeypatch):
    monkeypatch.setattr(
        "portal.core.schedules.app_schedules",
        lambda: {"a": {"x": {"task": "a.x"}}, "b": {"x": {"task": "b.x"}}},
    )
    settings.CELERY_BEAT_SCHEDULE = {}
    install_schedules()
    assert schedule_conflicts() == [("x", "a", "b")]
    assert [e.id for e in periodic_jobs()] == ["core.E003"]
    assert settings.CELERY_BEAT_SCHEDULE == {"x": {"task": "a.x"}}
    monkeypatch.undo()
    install_schedules()


def test_mail_and_shop_settings_are_checked(settings):
    from mailservices.checks import mail_settings
    from portal.shop.checks import check_creditor_account

    assert mail_settings() == [] and check_creditor_account(None) == []
    settings.PORTAL_MAIL_PASSWORD_ARGON2 = {"time_cost": 0, "memory_cost": 1024, "parallelism": 1}
    settings.PORTAL_INVOICE_DUE_DAYS = 0
    assert [e.id for e in mail_settings()] == ["mailservices.E001"]
    assert [e.id for e in check_creditor_account(None)] == ["shop.E003"]
