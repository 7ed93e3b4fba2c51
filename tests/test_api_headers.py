"""Security headers on the API's responses, and the sales-rep page and a quote's HTML under their policies."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from configurator.api.headers import DOCUMENT_POLICY, REP_POLICY
from configurator.web import COOKIE
from support import DEMO_CUSTOMERS, demo_api_client, has_module, rep_sign_in
from web.conftest import (
    CHROMIUM,
    base_url,
    browser_context_args,
    browser_type_launch_args,
    live_app,
    live_server,
    rep_cookie,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = [  # the browser fixtures of tests/web
    "base_url",
    "browser_context_args",
    "browser_type_launch_args",
    "live_app",
    "live_server",
    "rep_cookie",
]

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
CATALOG = "ebike-urban"
CUSTOMER = DEMO_CUSTOMERS[CATALOG]
TIMEOUT = 15_000  # ms, as in tests/web: opening a session compiles the catalog


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of an app over the example catalogs and a fresh demo database (tenant ``demo``)."""
    with demo_api_client(tmp_path_factory.mktemp("headers"), AT) as test_client:
        yield test_client


def _assert_base(headers: Mapping[str, str]) -> None:
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("referrer-policy") == "no-referrer"


def test_json_and_problem_responses_carry_the_base_headers_and_no_policy(client: TestClient) -> None:
    """A JSON route, a 404 problem and a 413 refused before parsing: nosniff, no referrer, no frame rules."""
    for response in (
        client.get("/catalogs"),
        client.get("/catalogs/bik"),
        client.post("/events", content=b"x", headers={"content-length": "999999999999"}),
    ):
        _assert_base(response.headers)
        assert "content-security-policy" not in response.headers
        assert "x-frame-options" not in response.headers
    assert client.get("/catalogs").status_code == 200


def test_rep_page_and_its_files_carry_the_page_policy(client: TestClient) -> None:
    """GET /rep is HTML under the page's policy, no frames; its script and style sheet are not sniffed."""
    client.cookies.set(COOKIE, rep_sign_in(client.app))
    try:
        page = client.get("/rep", params={"lang": "en"})
    finally:
        client.cookies.clear()
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    _assert_base(page.headers)
    assert page.headers["content-security-policy"] == REP_POLICY
    assert page.headers["x-frame-options"] == "DENY"
    for directive in ("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'",
                      "form-action 'self'", "object-src 'none'"):  # fmt: skip
        assert directive in REP_POLICY
    assert (
        "<script>" not in page.text and " style=" not in page.text
    )  # nothing inline the policy would refuse
    for name in ("rep.js", "rep.css"):
        _assert_base(client.get(f"/rep/static/{name}").headers)


def test_quote_html_allows_inline_styles_and_nothing_else(client: TestClient) -> None:
    """A quote rendered as HTML gets the document policy (inline styles, no script); as text it gets none."""
    made = client.post(f"/customers/{CUSTOMER}/quotes", json={"catalog": CATALOG, "quote_id": "Q-HDR-1"})
    assert made.status_code == 201, made.text
    html = client.get("/quotes/Q-HDR-1", params={"format": "html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    _assert_base(html.headers)
    assert html.headers["content-security-policy"] == DOCUMENT_POLICY
    assert "style-src 'unsafe-inline'" in DOCUMENT_POLICY and "script" not in DOCUMENT_POLICY
    assert html.headers["x-frame-options"] == "DENY"
    assert "<script" not in html.text and "<img" not in html.text and " style=" in html.text
    text = client.get("/quotes/Q-HDR-1", params={"format": "txt"})
    _assert_base(text.headers)
    assert "content-security-policy" not in text.headers


def test_api_docs_keep_working_without_a_policy(client: TestClient) -> None:
    """Swagger UI loads from a CDN with an inline script, so /docs gets no policy (but no framing either)."""
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "content-security-policy" not in docs.headers
    assert docs.headers["x-frame-options"] == "DENY"


_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.mark.skipif(
    not (has_module("playwright") and CHROMIUM.exists()),
    reason=f"the browser test needs the dev extra (playwright) and {CHROMIUM} (`make sysdeps`)",
)
def test_rep_page_and_quote_html_run_in_chromium_without_a_policy_violation(
    page: Page, live_server: str
) -> None:
    """The page opens a session, proposes bundles and quotes, and the quote's HTML opens: no CSP report."""
    from playwright.sync_api import expect

    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(_VIOLATIONS)
    page.goto(f"{live_server}/rep?lang=en")
    page.get_by_role("combobox", name=re.compile("Find a customer")).fill(CUSTOMER)
    page.get_by_label("Catalog").select_option(CATALOG)
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.get_by_role("group", name="Frame", exact=True)).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="Propose bundles").click()
    bundles = page.get_by_role("list", name="Bundles").get_by_role("article")
    expect(bundles.first).to_be_visible(timeout=TIMEOUT)
    page.get_by_role("button", name="Quote", exact=True).click()
    link = page.get_by_role("link", name="Open the quote (HTML)")
    expect(link).to_be_visible(timeout=TIMEOUT)
    assert page.evaluate("window.__cspViolations") == [] and refused == []
    page.goto(str(link.get_attribute("href")))
    expect(page.locator("body")).to_contain_text("Q-")
    assert page.evaluate("window.__cspViolations") == [] and refused == []
