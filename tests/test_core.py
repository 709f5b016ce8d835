import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_health_reports_every_part(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_health_names_what_is_down(client, monkeypatch):
    from portal import health

    def broken():
        raise ConnectionError("refused")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "down"}


@pytest.mark.django_db
def test_404_page_in_portal_design(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Seite nicht gefunden" in body
    assert 'class="site-header"' in body


def test_500_page_renders_without_context():
    from portal.errors import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Ein Fehler ist aufgetreten" in response.content.decode()


@pytest.mark.django_db
def test_language_switch_to_english(client):
    page = client.get(reverse("account_login"))
    assert "Anmelden" in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    page = client.get(reverse("account_login"))
    body = page.content.decode()
    assert 'lang="en"' in body
    assert "Sign In" in body


@pytest.mark.django_db
def test_htmx_csrf_header_and_static_htmx(client, customer_client):
    body = customer_client.get(reverse("dashboard:overview")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken"' in body
    assert "/static/vendor/htmx-" in body


def _run_production(*args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "ALLOWED_HOSTS",
            "PORTAL_MAILBOXES_IMPORT_KEY",
            "PORTAL_MAILBOXES_MASTER_PASSWORD",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' fixture
        }
    }
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings.production", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


GOOD = {
    "SECRET_KEY": "k3Y-" + "".join(chr(65 + i % 50) for i in range(60)),
    "ALLOWED_HOSTS": "portal.example.ch",
    "PORTAL_MAILBOXES_IMPORT_KEY": "cHJvZHVjdGlvbi1rZXktZm9yLXRoZS10ZXN0LW9ubHk=",
    "PORTAL_MAILBOXES_MASTER_PASSWORD": "a-production-master-password",
}


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"ALLOWED_HOSTS": "portal.example.ch"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 64}, "ALLOWED_HOSTS"),
        ({**GOOD, "DEBUG": "true"}, "DEBUG"),
        (
            {k: v for k, v in GOOD.items() if k != "PORTAL_MAILBOXES_IMPORT_KEY"},
            "PORTAL_MAILBOXES_IMPORT_KEY",
        ),
        (
            {k: v for k, v in GOOD.items() if k != "PORTAL_MAILBOXES_MASTER_PASSWORD"},
            "PORTAL_MAILBOXES_MASTER_PASSWORD",
        ),
    ],
)
def test_production_refuses_unsafe_settings(overrides, complaint):
    result = _run_production("check", **overrides)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_check_deploy_is_clean():
    result = _run_production("check", "--deploy", "--fail-level", "WARNING", **GOOD)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_admin_has_clear_site_header(staff_client):
    body = staff_client.get("/admin/").content.decode()
    assert "Kundenportal" in body and "Verwaltung" in body


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    from django.core.management import call_command

    from portal.accounts.models import Customer, User

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    counts = (User.objects.count(), Customer.objects.count())
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert (User.objects.count(), Customer.objects.count()) == counts
    assert User.objects.filter(email="demo@example.com", is_staff=False).exists()
    assert User.objects.filter(is_staff=True).exists()
