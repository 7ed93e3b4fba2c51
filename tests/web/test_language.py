"""The sales-rep page's language: Accept-Language weights negotiated with Babel over en, pt, es and sv."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from configurator.api import make_app
from configurator.web import COOKIE
from configurator.web.page import LANGUAGES, accepted_languages, pick_language
from support import api_settings, example_catalogs, rep_sign_in


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("pt;q=0, es;q=0.5", "es"),
        ("sv;q=0", "en"),
        ("pt-PT", "pt"),
        ("pt-BR,pt;q=0.9,en;q=0.8", "pt"),
        ("PT_br", "pt"),
        ("de-DE, sv-SE;q=0.7, es;q=0.8", "es"),
        ("es;q=0.5, sv", "sv"),
        ("en;q=0.1, es;q=0.100, sv;q=0.1", "en"),
        ("de, fr;q=0.9", "en"),
        ("", "en"),
    ],
)
def test_the_highest_weighted_supported_language_wins(header: str, lang: str) -> None:
    """The supported language with the highest q wins (regions map to their language); none fits: English."""
    assert pick_language(None, header) == lang


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("pt;q=0", "en"),
        ("en;q=0", "pt"),
        ("en;q=0, pt;q=0, de", "es"),
        ("en;q=0, pt;q=0, es;q=0, sv;q=0", "en"),
        ("sv, sv;q=0", "en"),
        ("pt-BR;q=0, pt;q=0.5", "pt"),
    ],
)
def test_a_language_weighted_zero_is_never_chosen(header: str, lang: str) -> None:
    """q=0 refuses a language, even as the fallback (English unless refused; all refused: English anyway)."""
    assert pick_language(None, header) == lang


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("*", "en"),
        ("de, *;q=0.5", "en"),
        ("en;q=0.2, *", "pt"),
        ("en;q=0, *", "pt"),
        ("es;q=0.3, *;q=0.2", "es"),
        ("pt-BR;q=0.1, en;q=0.2, *", "es"),
        ("*;q=0", "en"),
    ],
)
def test_the_wildcard_stands_for_the_languages_not_named(header: str, lang: str) -> None:
    """`*` is any supported language the header does not name, at the wildcard's weight."""
    assert pick_language(None, header) == lang


@pytest.mark.parametrize(
    "header",
    [
        ";;;",
        ",,,",
        "q=0.5",
        "pt;q=",
        "pt;q=abc",
        "pt;q=1.5",
        "pt;q=-1",
        "pt;q=0.1234",
        "pt-toolongsubtag",
        "pt es",
        "\u00e9s",
        "pt;" * 10_000,
        "\x00",
    ],
)
def test_malformed_headers_fall_back_to_english(header: str) -> None:
    """A malformed header (bad ranges, weights out of 0..1 or not numbers) gives English, never an error."""
    assert pick_language(None, header) == "en"


def test_malformed_ranges_are_skipped_and_the_rest_kept() -> None:
    """Only the malformed ranges of a header are left out; the well-formed ones still count."""
    assert accepted_languages("pt;q=abc, sv;q=0.4, es;q=2") == [("sv", 0.4)]
    assert pick_language(None, "pt;q=abc, sv;q=0.4, es;q=2") == "sv"


def test_ranges_come_in_order_of_weight_then_of_the_header() -> None:
    """Ranges are sorted by weight, highest first; equal weights keep the header's order."""
    assert accepted_languages("sv;q=0.5, pt-BR, es;q=0.5, *;q=0, en") == [
        ("pt-br", 1.0),
        ("en", 1.0),
        ("sv", 0.5),
        ("es", 0.5),
        ("*", 0.0),
    ]


@pytest.mark.parametrize(
    ("asked", "header", "lang"),
    [("sv", "pt", "sv"), ("pt_PT", None, "pt"), ("ES", None, "es"), ("de", "pt;q=0, es;q=0.5", "es")],
)
def test_the_asked_language_comes_before_the_header(asked: str, header: str | None, lang: str) -> None:
    """?lang= wins when supported (any case, `_` or `-`); an unsupported one defers to the header."""
    assert pick_language(asked, header) == lang


@pytest.mark.parametrize("header", ["pt-BR,pt;q=0.9", "sv;q=0", "*", "xx;q=bad"])
def test_the_choice_is_always_a_supported_language(header: str) -> None:
    """Whatever the header, the page gets one of en, pt, es, sv."""
    assert pick_language(None, header) in LANGUAGES


def test_the_page_follows_the_weights_of_accept_language() -> None:
    """GET /rep with `Accept-Language: pt;q=0, es;q=0.5` answers Spanish; `sv;q=0` answers English."""
    app = make_app(api_settings("sqlite://"), catalogs=example_catalogs().values())
    client = TestClient(app, raise_server_exceptions=False)
    client.cookies.set(COOKIE, rep_sign_in(app))
    spanish = client.get("/rep", headers={"Accept-Language": "pt;q=0, es;q=0.5"})
    assert spanish.status_code == 200
    assert spanish.headers["content-language"] == "es"
    assert '<html lang="es">' in spanish.text
    english = client.get("/rep", headers={"Accept-Language": "sv;q=0"})
    assert english.headers["content-language"] == "en"
    assert '<html lang="en">' in english.text
