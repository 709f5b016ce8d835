"""Every URL, asked without a login, with NUL bytes and invalid UTF-8 in the query string, the
path and form fields: an answer (400, 404, a redirect to the login...), never a 500.

A NUL byte reaches PostgreSQL as an error unless a form refuses it first, so the run on
PostgreSQL is the one that matters; the test runs in both.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, converters, get_resolver
from django.urls.resolvers import RoutePattern

pytestmark = pytest.mark.django_db

SAMPLES = {
    converters.IntConverter: "1",
    converters.UUIDConverter: str(uuid.UUID(int=1)),
}
BAD_VALUES = ["a\x00b", "\x00"]
BAD_QUERY = "q=a%00b&lang=de&limit=1%00&page=%00&next=%00&x=%FF%FE&%C3%28=%80"
BAD_BODY = b"q=a%00b&email=%00%40x.ch&login=a%00&password=%FF%FE&domain=%C3%28&x%00=%80"


def _routes(resolver=None, prefix=""):
    """(path with sample values, view name) of every route; regex routes only when plain."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        if isinstance(pattern, RoutePattern):
            route = str(pattern)
            for name, conv in pattern.converters.items():
                sample = SAMPLES.get(type(conv), "x")
                route = route.replace(f"<{type(conv).__name__}:{name}>", sample)
                for tag in ("int", "str", "slug", "path", "uuid"):
                    route = route.replace(f"<{tag}:{name}>", sample)
                route = route.replace(f"<{name}>", sample)
        else:
            route = str(pattern.regex.pattern).lstrip("^").rstrip("$").replace("\\Z", "")
            if any(ch in route for ch in "()[]?*+|\\"):
                continue
        if isinstance(entry, URLResolver):
            yield from _routes(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + route, entry.name


ROUTES = sorted(set(_routes()))


def test_the_route_list_covers_the_public_pages():
    paths = {p for p, _name in ROUTES}
    for expected in ("/api/kb/search", "/accounts/login/", "/accounts/signup/", "/health/"):
        assert expected in paths
    assert len(paths) > 80


def test_kb_api_with_a_nul_byte_answers_400(client):
    response = client.get("/api/kb/search?q=a%00b")
    assert response.status_code == 400
    assert response.json()["error"]


def _fuzz(client, path):
    statuses = []
    statuses.append(client.get(f"{path}?{BAD_QUERY}").status_code)
    statuses.append(
        client.post(
            f"{path}?{BAD_QUERY}",
            data=BAD_BODY,
            content_type="application/x-www-form-urlencoded",
        ).status_code
    )
    statuses.append(
        client.get(path, {"q": BAD_VALUES[0]}, headers={"HX-Request": "true"}).status_code
    )
    # The path itself: a NUL or a broken UTF-8 sequence in place of an argument and at the end.
    stem = path.rstrip("/")
    for bad in ("%00", "%FF%FE", "a%00b"):
        statuses.append(client.get(f"{stem}{bad}/").status_code)
        statuses.append(client.get(f"{stem}/{bad}").status_code)
    return statuses


def test_no_public_endpoint_answers_500(client):
    failures = {}
    for path, name in ROUTES:
        try:
            statuses = _fuzz(client, path)
        except Exception as exc:  # the test client re-raises what would be a 500
            failures[path] = f"{name}: {type(exc).__name__}: {exc}"[:300]
            continue
        if 500 in statuses:
            failures[path] = f"{name}: {statuses}"
    assert not failures, "\n".join(f"{p} -> {f}" for p, f in failures.items())
