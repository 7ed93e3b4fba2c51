"""Authentication, scopes and tenancy on every route of the HTTP API (SQLite and PostgreSQL), and the sign-in."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from configurator.access import SCOPES
from configurator.web import COOKIE
from pg import DIALECTS, open_database
from support import (
    DEMO_CUSTOMERS,
    REP_LOGIN,
    REP_PASSWORD,
    api_key,
    assert_problem,
    auth,
    demo_api_client,
    rep_sign_in,
)

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
CATALOG = "valve-pn5"
CUSTOMER = DEMO_CUSTOMERS[CATALOG]


class Demo:
    """Tenant ``demo``'s resources (a session, a quote, a key) and a client to reach them."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.app: Any = client.app
        self.session = client.post("/sessions", json={"catalog": CATALOG}).json()["session_id"]
        made = client.post(f"/customers/{CUSTOMER}/quotes", json={"catalog": CATALOG})
        assert made.status_code == 201, made.text
        self.quote = made.json()["quote_id"]
        self.key_id = client.post("/keys", json={"name": "spare", "scopes": ["read"]}).json()["key_id"]


@pytest.fixture(scope="module", params=DIALECTS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A demo app (tenant ``demo``) with a session, a quote and a spare key, on SQLite and on PostgreSQL."""
    with (
        open_database(request.param, request) as db,
        demo_api_client(tmp_path_factory.mktemp("auth"), AT, db.url) as client,
    ):
        yield Demo(client)


def _event(n: int, customer: str) -> dict[str, Any]:
    return {
        "event_id": f"auth-{customer}-{n}",
        "type": "viewed",
        "customer_id": customer,
        "channel": "web",
        "ts": "2026-11-01T10:00:00Z",
    }


Request = Callable[[Demo], tuple[str, str, dict[str, Any]]]
"""A request on tenant demo's resources: method, URL and keyword arguments for the client."""

ROUTES: dict[tuple[str, str], tuple[str, Request]] = {
    ("GET", "/catalogs"): ("read", lambda d: ("GET", "/catalogs", {})),
    ("GET", "/catalogs/{catalog_id}"): ("read", lambda d: ("GET", f"/catalogs/{CATALOG}", {})),
    ("POST", "/catalogs/{catalog_id}/validate"): (
        "read",
        lambda d: ("POST", f"/catalogs/{CATALOG}/validate", {"json": {"selections": {}}}),
    ),
    ("POST", "/catalogs/{catalog_id}/price"): (
        "read",
        lambda d: ("POST", f"/catalogs/{CATALOG}/price", {"json": {"selections": {}, "country": "PT"}}),
    ),
    ("POST", "/sessions"): ("read", lambda d: ("POST", "/sessions", {"json": {"catalog": CATALOG}})),
    ("GET", "/sessions/{session_id}"): ("read", lambda d: ("GET", f"/sessions/{d.session}", {})),
    ("POST", "/sessions/{session_id}/choices"): (
        "read",
        lambda d: ("POST", f"/sessions/{d.session}/choices", {"json": {"action": "clear"}}),
    ),
    ("POST", "/sessions/{session_id}/complete"): (
        "read",
        lambda d: ("POST", f"/sessions/{d.session}/complete", {"json": {}}),
    ),
    ("DELETE", "/sessions/{session_id}"): ("read", lambda d: ("DELETE", f"/sessions/{d.session}", {})),
    ("PUT", "/sessions/{session_id}/draft"): (
        "read",
        lambda d: ("PUT", f"/sessions/{d.session}/draft", {"json": {"budget": "4000"}}),
    ),
    ("POST", "/sessions/{session_id}/repair"): (
        "read",
        lambda d: ("POST", f"/sessions/{d.session}/repair", {"json": {"index": 0}}),
    ),
    ("GET", "/sessions/{session_id}/questions"): (
        "read",
        lambda d: ("GET", f"/sessions/{d.session}/questions", {}),
    ),
    ("POST", "/events"): ("events", lambda d: ("POST", "/events", {"json": _event(1, CUSTOMER)})),
    ("GET", "/events/suppressed"): ("admin", lambda d: ("GET", "/events/suppressed", {})),
    ("GET", "/customers"): ("read", lambda d: ("GET", "/customers", {"params": {"q": CUSTOMER}})),
    ("GET", "/customers/{customer_id}"): ("read", lambda d: ("GET", f"/customers/{CUSTOMER}", {})),
    ("GET", "/customers/{customer_id}/overview"): (
        "read",
        lambda d: ("GET", f"/customers/{CUSTOMER}/overview", {}),
    ),
    ("POST", "/customers/{customer_id}/bundles"): (
        "read",
        lambda d: ("POST", f"/customers/{CUSTOMER}/bundles", {"json": {"catalog": CATALOG, "k": 1}}),
    ),
    ("POST", "/customers/{customer_id}/price"): (
        "read",
        lambda d: ("POST", f"/customers/{CUSTOMER}/price", {"json": {"catalog": CATALOG, "selections": {}}}),
    ),
    ("POST", "/customers/{customer_id}/quotes"): (
        "quote",
        lambda d: ("POST", f"/customers/{CUSTOMER}/quotes", {"json": {"catalog": CATALOG}}),
    ),
    ("GET", "/quotes/{quote_id}"): (
        "read",
        lambda d: ("GET", f"/quotes/{d.quote}", {"params": {"format": "json"}}),
    ),
    ("POST", "/quotes/{quote_id}/accept"): (
        "accept",
        lambda d: ("POST", f"/quotes/{d.quote}/accept", {"json": {"margin": 100}}),
    ),
    ("PATCH", "/quotes/{quote_id}"): ("quote", lambda d: ("PATCH", f"/quotes/{d.quote}", {"json": {}})),
    ("GET", "/quotes/{quote_id}/versions"): ("read", lambda d: ("GET", f"/quotes/{d.quote}/versions", {})),
    ("GET", "/quotes/{quote_id}/diff"): ("read", lambda d: ("GET", f"/quotes/{d.quote}/diff", {})),
    ("POST", "/quotes/{quote_id}/approve"): (
        "approve",
        lambda d: ("POST", f"/quotes/{d.quote}/approve", {"json": {}}),
    ),
    ("POST", "/quotes/{quote_id}/send"): (
        "quote",
        lambda d: ("POST", f"/quotes/{d.quote}/send", {"json": {}}),
    ),
    ("GET", "/outbox"): ("admin", lambda d: ("GET", "/outbox", {"params": {"pending": 1}})),
    ("POST", "/outbox/{message_id}/sent"): ("admin", lambda d: ("POST", "/outbox/1/sent", {})),
    ("GET", "/keys"): ("admin", lambda d: ("GET", "/keys", {})),
    ("POST", "/keys"): ("admin", lambda d: ("POST", "/keys", {"json": {"name": "x", "scopes": ["read"]}})),
    ("DELETE", "/keys/{key_id}"): ("admin", lambda d: ("DELETE", f"/keys/{d.key_id}", {})),
}
"""Every API route, the scope it needs, and a request on tenant demo's resources."""

CROSS_TENANT = {
    ("GET", "/sessions/{session_id}"): "unknown-session",
    ("POST", "/sessions/{session_id}/choices"): "unknown-session",
    ("POST", "/sessions/{session_id}/complete"): "unknown-session",
    ("DELETE", "/sessions/{session_id}"): "unknown-session",
    ("PUT", "/sessions/{session_id}/draft"): "unknown-session",
    ("POST", "/sessions/{session_id}/repair"): "unknown-session",
    ("GET", "/sessions/{session_id}/questions"): "unknown-session",
    ("GET", "/customers/{customer_id}"): "unknown-customer",
    ("GET", "/customers/{customer_id}/overview"): "unknown-customer",
    ("POST", "/customers/{customer_id}/bundles"): "unknown-customer",
    ("POST", "/customers/{customer_id}/price"): "unknown-customer",
    ("POST", "/customers/{customer_id}/quotes"): "unknown-customer",
    ("GET", "/quotes/{quote_id}"): "unknown-quote",
    ("POST", "/quotes/{quote_id}/accept"): "unknown-quote",
    ("PATCH", "/quotes/{quote_id}"): "unknown-quote",
    ("GET", "/quotes/{quote_id}/versions"): "unknown-quote",
    ("GET", "/quotes/{quote_id}/diff"): "unknown-quote",
    ("POST", "/quotes/{quote_id}/approve"): "unknown-quote",
    ("POST", "/quotes/{quote_id}/send"): "unknown-quote",
    ("DELETE", "/keys/{key_id}"): "not-found",
}
"""The routes that name a tenant's resource, and the problem another tenant's key gets for it."""


def _send(client: TestClient, request: tuple[str, str, dict[str, Any]], headers: dict[str, str]) -> Any:
    method, url, kwargs = request
    return client.request(method, url, headers=headers, **kwargs)


def test_every_api_route_is_in_the_table(demo: Demo) -> None:
    """The table covers every API route of the OpenAPI document (a new route must say its scope here)."""
    found = {
        (method.upper(), path)
        for path, operations in demo.client.get("/openapi.json").json()["paths"].items()
        if not path.startswith("/rep")
        for method in operations
    }
    assert found == set(ROUTES)


@pytest.mark.parametrize("route", list(ROUTES), ids=" ".join)
def test_every_route_refuses_a_request_without_a_valid_key(demo: Demo, route: tuple[str, str]) -> None:
    """No key, a malformed key or a revoked key is a 401 problem that asks for a Bearer key."""
    _, make = ROUTES[route]
    revoked = api_key(demo.app, scopes=SCOPES)
    demo.app.state.service.keys().revoke(revoked.split("_")[1])
    demo.app.state.service.key_cache = type(demo.app.state.service.key_cache)()
    for headers in ({"Authorization": ""}, auth("cfg_0123456789abcdef_" + "x" * 43), auth(revoked)):
        answer = _send(demo.client, make(demo), headers)
        assert_problem(answer, 401, "unauthenticated")
        assert answer.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("route", list(ROUTES), ids=" ".join)
def test_every_route_refuses_a_key_without_its_scope(demo: Demo, route: tuple[str, str]) -> None:
    """A key holding every scope but the one a route needs (and not admin) gets a 403 naming the scope."""
    scope, make = ROUTES[route]
    others = [s for s in SCOPES if s not in (scope, "admin")]
    body = assert_problem(
        _send(demo.client, make(demo), auth(api_key(demo.app, scopes=others))), 403, "forbidden"
    )
    assert repr(scope) in body["detail"]


@pytest.mark.parametrize("route", list(CROSS_TENANT), ids=" ".join)
def test_a_key_of_another_tenant_never_reaches_this_tenants_resources(
    demo: Demo, route: tuple[str, str]
) -> None:
    """An admin key of tenant ``other`` gets a 404 for tenant demo's sessions, customers, quotes and keys."""
    _, make = ROUTES[route]
    other = auth(api_key(demo.app, tenant="other", scopes=["admin"]))
    assert_problem(_send(demo.client, make(demo), other), 404, CROSS_TENANT[route])


def test_another_tenants_writes_and_lists_stay_in_that_tenant(demo: Demo) -> None:
    """Tenant other's events, quotes and keys never show in tenant demo, and its key list is its own."""
    other = auth(api_key(demo.app, tenant="other", scopes=["admin"]))
    before = demo.client.get(f"/customers/{CUSTOMER}").json()["events"]
    posted = demo.client.post("/events", json=[_event(n, CUSTOMER) for n in range(3)], headers=other)
    assert posted.json()["accepted"] == 3
    assert demo.client.get(f"/customers/{CUSTOMER}").json()["events"] == before
    assert demo.client.get(f"/customers/{CUSTOMER}", headers=other).json()["events"] == 3
    mine = {k["key_id"] for k in demo.client.get("/keys").json()}
    theirs = {k["key_id"] for k in demo.client.get("/keys", headers=other).json()}
    assert mine and theirs and not mine & theirs
    assert_problem(demo.client.get(f"/quotes/{demo.quote}", headers=other), 404, "unknown-quote")


def test_a_read_only_key_reads_but_cannot_write(demo: Demo) -> None:
    """A read key reads catalogs and customers; events, quotes, acceptance and keys are 403."""
    read = auth(api_key(demo.app, scopes=["read"]))
    assert demo.client.get(f"/customers/{CUSTOMER}", headers=read).status_code == 200
    for route in [r for r, (scope, _) in ROUTES.items() if scope != "read"]:
        assert_problem(_send(demo.client, ROUTES[route][1](demo), read), 403, "forbidden")


def test_changes_are_audited_with_the_key_that_made_them(demo: Demo) -> None:
    """Posting events and saving a quote write audit entries naming the key."""
    key = api_key(demo.app, scopes=["events", "quote"], name="audit test")
    key_id = key.split("_")[1]
    demo.client.post("/events", json=_event(99, CUSTOMER), headers=auth(key))
    quoted = demo.client.post(f"/customers/{CUSTOMER}/quotes", json={"catalog": CATALOG}, headers=auth(key))
    store = demo.app.state.service.store(demo.app.state.service.keys().authenticate(key))
    entries = [(e.action, e.subject) for e in store.audit_entries() if e.actor == f"key:{key_id}"]
    assert ("events.post", "events") in entries
    assert ("quote.save", quoted.json()["quote_id"]) in entries


def test_the_openapi_document_declares_the_key_and_every_operation_needs_it(demo: Demo) -> None:
    """/openapi.json has the Bearer key and sign-in cookie schemes, required with its scope by every operation."""
    document = demo.client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["apiKey"]["type"] == "http" and schemes["apiKey"]["scheme"] == "bearer"
    assert schemes["signIn"] == {**schemes["signIn"], "type": "apiKey", "in": "cookie", "name": COOKIE}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not path.startswith("/rep"):
                scope = ROUTES[(method.upper(), path)][0]
                assert operation["security"] == [{"apiKey": [scope]}, {"signIn": [scope]}], (method, path)


# -- the rep page's sign-in -----------------------------------------------------------------------------------


def _post_sign_in(browser: TestClient, login: str, password: str, **extra: str) -> Any:
    """Fetch the sign-in form (its token and cookie) and post it, as a browser does."""
    form = browser.get("/rep/sign-in")
    token = re.search(r'name="form_token" value="([^"]+)"', form.text)
    assert token is not None
    return browser.post(
        "/rep/sign-in", data={"login": login, "password": password, "form_token": token.group(1), **extra}
    )


def test_a_rep_signs_in_with_a_secure_http_only_strict_cookie(demo: Demo) -> None:
    """POST /rep/sign-in with the right password sets the cookie (Secure, HttpOnly, SameSite=Strict)."""
    rep_sign_in(demo.app)  # makes the account
    browser = TestClient(demo.app, base_url="https://testserver", follow_redirects=False)
    assert browser.get("/rep").headers["location"].startswith("/rep/sign-in")
    wrong = _post_sign_in(browser, REP_LOGIN, "not the password")
    assert "failed=1" in wrong.headers["location"] and COOKIE not in browser.cookies
    right = _post_sign_in(browser, REP_LOGIN.upper(), REP_PASSWORD)
    cookie = right.headers["set-cookie"].lower()
    assert right.status_code == 303 and right.headers["location"] == "/rep"
    assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    page = browser.get("/rep")
    assert page.status_code == 200 and "Rita Rep" in page.text
    assert browser.get(f"/customers/{CUSTOMER}").status_code == 200


def test_a_signed_in_change_needs_the_pages_anti_forgery_token(demo: Demo) -> None:
    """With the cookie alone a POST is a 403; with the page's X-CSRF-Token it goes through."""
    token = rep_sign_in(demo.app)
    browser = TestClient(demo.app, raise_server_exceptions=False)
    browser.cookies.set(COOKIE, token)
    assert_problem(browser.post("/sessions", json={"catalog": CATALOG}), 403, "forbidden")
    csrf = demo.app.state.service.accounts().csrf(token)
    assert (
        browser.post("/sessions", json={"catalog": CATALOG}, headers={"X-CSRF-Token": csrf}).status_code
        == 201
    )


def test_signing_out_ends_the_sign_in_everywhere(demo: Demo) -> None:
    """After POST /rep/sign-out the cookie's sign-in is refused (401), on any worker."""
    token = rep_sign_in(demo.app)
    browser = TestClient(demo.app, raise_server_exceptions=False, follow_redirects=False)
    browser.cookies.set(COOKIE, token)
    csrf = demo.app.state.service.accounts().csrf(token)
    assert browser.post("/rep/sign-out", data={"csrf": csrf}).status_code == 303
    again = TestClient(demo.app, raise_server_exceptions=False)
    again.cookies.set(COOKIE, token)
    assert_problem(again.get(f"/customers/{CUSTOMER}"), 401, "unauthenticated")


def test_sign_in_from_another_site_is_refused(demo: Demo) -> None:
    """A sign-in posted without the form's own token (another site cannot read or send it) does not sign in."""
    rep_sign_in(demo.app)
    browser = TestClient(demo.app, base_url="https://testserver", follow_redirects=False)
    answer = browser.post(
        "/rep/sign-in", data={"login": REP_LOGIN, "password": REP_PASSWORD, "form_token": "guessed"}
    )
    assert "failed=1" in answer.headers["location"] and "set-cookie" not in answer.headers


def test_after_sign_in_the_rep_goes_back_only_to_this_sites_page(demo: Demo) -> None:
    """The next= target is kept for /rep paths and dropped for another site."""
    rep_sign_in(demo.app)
    browser = TestClient(demo.app, base_url="https://testserver", follow_redirects=False)
    for target, expected in (("/rep?customer=c-1", "/rep?customer=c-1"), ("https://evil.example/", "/rep")):
        answer = _post_sign_in(browser, REP_LOGIN, REP_PASSWORD, next=target)
        assert answer.headers["location"] == expected


def test_traits_posted_with_an_ordinary_key_are_claims_not_profile_changes(demo: Demo) -> None:
    """A viewed event with a stranger's email, posted with an events key, leaves the profile's email as it was."""
    svc = demo.app.state.service
    store = svc.store(svc.keys().authenticate(api_key(demo.app, scopes=["read"])))
    before = store.get_profile(CUSTOMER)
    event = {**_event(500, CUSTOMER), "traits": {"email": "stranger@evil.example", "name": "Mallory"}}
    answer = demo.client.post("/events", json=event, headers=auth(api_key(demo.app, scopes=["events"])))
    assert answer.json()["accepted"] == 1
    after = store.get_profile(CUSTOMER)
    assert (
        before is not None and after is not None and (after.name, after.email) == (before.name, before.email)
    )
    claimed = {(c.field, c.value) for c in store.claims(CUSTOMER) if c.event_id == event["event_id"]}
    assert ("email", "stranger@evil.example") in claimed
