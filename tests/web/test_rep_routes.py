"""The /rep routes without a browser: the page shell in the rep's language and its static files."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from configurator.api import make_app
from configurator.web import COOKIE, LANGUAGES, STRINGS
from support import api_settings, example_catalogs, rep_sign_in


@pytest.fixture(scope="module")
def client() -> TestClient:
    """A client of an app over the example catalogs (no database needed for the page)."""
    app = make_app(api_settings("sqlite://"), catalogs=example_catalogs().values())
    client = TestClient(app, raise_server_exceptions=False)
    client.cookies.set(COOKIE, rep_sign_in(app))
    return client


def test_every_language_has_every_string() -> None:
    """The fixed strings exist, non-empty, in en, pt, es and sv, with the same placeholders."""
    assert set(STRINGS) == set(LANGUAGES) == {"en", "pt", "es", "sv"}
    for key, english in STRINGS["en"].items():
        for lang in LANGUAGES:
            assert STRINGS[lang][key], (lang, key)
            assert set(re.findall(r"\{\w+\}", STRINGS[lang][key])) == set(re.findall(r"\{\w+\}", english))


@pytest.mark.parametrize(
    ("query", "accept", "lang"),
    [
        ("?lang=pt", "sv", "pt"),
        ("", "es-ES,es;q=0.9", "es"),
        ("", "de-DE", "en"),
        ("?lang=sv_SE", None, "sv"),
    ],
)
def test_page_comes_in_the_asked_or_accepted_language(
    client: TestClient, query: str, accept: str | None, lang: str
) -> None:
    """GET /rep answers HTML in ?lang=, else the browser's Accept-Language, else English."""
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get(f"/rep{query}", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == lang
    assert f'<html lang="{lang}">' in response.text
    embedded = re.search(r'<script type="application/json" id="strings">(.*?)</script>', response.text, re.S)
    assert embedded is not None and json.loads(embedded.group(1)) == STRINGS[lang]


def test_prefill_is_escaped(client: TestClient) -> None:
    """The customer and catalog prefills are HTML-escaped into the page."""
    text = client.get("/rep", params={"customer": '"><script>x</script>', "catalog": "ebike-urban"}).text
    assert "<script>x</script>" not in text
    assert 'data-initial="ebike-urban"' in text


def test_static_files_are_served_with_their_media_types(client: TestClient) -> None:
    """rep.js and rep.css are served; any other name is a 404 problem."""
    js = client.get("/rep/static/rep.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    css = client.get("/rep/static/rep.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    missing = client.get("/rep/static/..%2Fpage.py")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_page_uses_no_external_resources(client: TestClient) -> None:
    """The page, its script and its style sheet load nothing from another origin."""
    for path in ("/rep", "/rep/static/rep.js", "/rep/static/rep.css"):
        assert not re.search(r"(?:src|href)=[\"']?(?:https?:)?//", client.get(path).text), path
        assert "@import" not in client.get(path).text
