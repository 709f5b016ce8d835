"""Content-Security-Policy, Permissions-Policy and Referrer-Policy on every page."""

import pytest

from portal.security.app_settings import DEFAULT_CSP
from portal.security.middleware import csp_header_value, permissions_policy_value
from tests.edges.test_fuzz_public import ROUTES

pytestmark = pytest.mark.django_db


def _assert_security_headers(response, path):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp, (path, response.status_code)
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in csp
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), path
    assert response.headers.get("Referrer-Policy") == "same-origin", path


def test_policy_values_are_well_formed():
    value = csp_header_value(DEFAULT_CSP)
    assert value.startswith("default-src 'self'; script-src 'self';")
    assert "'unsafe-eval'" not in value
    assert permissions_policy_value({"camera": [], "publickey-credentials-get": ["self"]}) == (
        "camera=(), publickey-credentials-get=(self)"
    )


@pytest.mark.parametrize("who", ["anonymous", "customer"])
def test_every_route_answers_with_the_security_headers(client, customer, make_service, who):
    make_service(customer)
    if who == "customer":
        client.force_login(customer.owner)
    for path, _name in ROUTES:
        _assert_security_headers(client.get(path), path)


def test_pages_of_every_app_carry_the_policy(customer_client, customer, make_service):
    service = make_service(customer)
    pages = [
        "/",  # dashboard
        "/shop/",
        f"/services/{service.pk}/",  # mailservices
        f"/services/{service.pk}/diagnosis/",
        f"/usage/services/{service.pk}/",  # quotas
        "/kb/",  # kb
        "/tools/",  # messagetools
        "/accounts/email/",  # allauth
        "/accounts/2fa/",
    ]
    seen_ok = 0
    for path in pages:
        response = customer_client.get(path, follow=True)
        _assert_security_headers(response, path)
        seen_ok += response.status_code == 200
    assert seen_ok >= 5


def test_the_login_page_carries_the_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    _assert_security_headers(response, "/accounts/login/")
    assert b"<script>" not in response.content


def test_report_only_mode(client, settings):
    settings.PORTAL_SECURITY_CSP_REPORT_ONLY = True
    response = client.get("/accounts/login/")
    assert "Content-Security-Policy" not in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy-Report-Only"]


def test_no_template_has_inline_script_or_event_handlers():
    import re
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    offenders = []
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
    for path in root.glob("**/templates/**/*.html"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if inline.search(text) or handler.search(text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
