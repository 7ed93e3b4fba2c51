"""The HTTP API trusts nothing from the wire: numbers, locales, identifiers and body sizes are bounded (4xx)."""

from __future__ import annotations

import datetime as dt
import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from configurator.api import make_app
from configurator.api.wire import MAX_ID_LENGTH
from configurator.quoting.i18n import LOCALE_DIR, Translator, locale_chain, messages, supported_locale
from configurator.settings import Settings
from support import DEMO_CUSTOMERS, api_key, assert_problem, auth, demo_api_client

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
CUSTOMER = DEMO_CUSTOMERS["ebike-urban"]
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of an app over the example catalogs and a fresh demo database (tenant ``demo``)."""
    with demo_api_client(tmp_path_factory.mktemp("wire"), AT) as test_client:
        yield test_client


# -- numbers -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", ["1e30", "9e400", '"1e30"', '"NaN"', '"Infinity"', "-5", "0"])
@pytest.mark.parametrize("resource", ["bundles", "quotes"])
def test_budget_out_of_range_is_refused(client: TestClient, resource: str, budget: str) -> None:
    """A budget that is huge (1e30 reached the solver: a 500), infinite (9e400), NaN or not positive is a 422."""
    body = f'{{"catalog": "ebike-urban", "budget": {budget}}}'
    r = client.post(f"/customers/{CUSTOMER}/{resource}", content=body, headers=JSON)
    assert_problem(r, 422, "invalid-request")


def test_a_large_but_sane_budget_is_served(client: TestClient) -> None:
    """The largest budget allowed still assembles bundles."""
    r = client.post(
        f"/customers/{CUSTOMER}/bundles", json={"catalog": "ebike-urban", "budget": "999999999999"}
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("quantity", [-1, 0, 2**70, 100_001])
def test_quote_quantity_out_of_range_is_refused(client: TestClient, quantity: int) -> None:
    """A quote quantity below 1 or above 100,000 is a 422."""
    r = client.post(f"/customers/{CUSTOMER}/quotes", json={"catalog": "ebike-urban", "quantity": quantity})
    assert_problem(r, 422, "invalid-request")


def test_choice_quantity_out_of_range_is_refused(client: TestClient) -> None:
    """A session choice's quantity is bounded too."""
    sid = client.post("/sessions", json={"catalog": "ebike-urban"}).json()["session_id"]
    choice = {"action": "select", "module": "accessories", "option": "bottle_cage", "qty": 2**70}
    assert_problem(client.post(f"/sessions/{sid}/choices", json=choice), 422, "invalid-request")


def test_quote_version_out_of_range_is_refused(client: TestClient) -> None:
    """A version of 2**63 (past a database integer) is a 422, when rendering and when accepting."""
    assert_problem(client.get("/quotes/Q-1", params={"version": 2**63}), 422, "invalid-request")
    accept = {"version": 2**63, "margin": "1"}
    assert_problem(client.post("/quotes/Q-1/accept", json=accept), 422, "invalid-request")


@pytest.mark.parametrize("margin", ["9e400", '"1e30"', '"NaN"', '"-Infinity"', '"0.000001"'])
def test_margin_out_of_range_is_refused(client: TestClient, margin: str) -> None:
    """An order margin must be finite, in range and at most 4 decimals."""
    r = client.post("/quotes/Q-1/accept", content=f'{{"margin": {margin}}}', headers=JSON)
    assert_problem(r, 422, "invalid-request")


# -- locales -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["x" * 10_240, "../../../../tmp/evil", "/tmp/evil", "de", "pt_XX", "en\n"])
def test_a_locale_we_do_not_ship_is_refused(client: TestClient, locale: str) -> None:
    """A 10 KB locale, a path, or a language without our messages is a 422 wherever a locale is taken."""
    assert_problem(client.get("/catalogs/ebike-urban", params={"locale": locale}), 422, "invalid-request")
    assert_problem(client.get("/catalogs", params={"locale": locale}), 422, "invalid-request")
    assert_problem(client.get("/quotes/Q-1", params={"locale": locale}), 422, "invalid-request")
    body = {"catalog": "ebike-urban", "locale": locale}
    assert_problem(client.post(f"/customers/{CUSTOMER}/bundles", json=body), 422, "invalid-request")
    assert_problem(client.post(f"/customers/{CUSTOMER}/quotes", json=body), 422, "invalid-request")


@pytest.mark.parametrize(
    ("asked", "answered", "label"),
    [
        ("pt_PT", "pt_PT", "Quadro"),
        ("pt-BR", "pt_BR", "Quadro"),
        ("sv_SE", "sv_SE", None),
        ("en", "en", "Frame"),
    ],
)
def test_regional_variants_of_shipped_languages_are_served(
    client: TestClient, asked: str, answered: str, label: str | None
) -> None:
    """A regional variant Babel negotiates onto a shipped language is served, in canonical form."""
    body = client.get("/catalogs/ebike-urban", params={"locale": asked}).json()
    assert body["locale"] == answered
    if label is not None:
        assert next(m for m in body["modules"] if m["id"] == "frame")["label"] == label


def test_translator_never_reads_a_catalog_from_a_path(tmp_path: Path) -> None:
    """A locale that is a path reaches neither the message catalogs nor Babel: it is ignored."""
    evil = tmp_path / "evil" / "LC_MESSAGES"
    evil.mkdir(parents=True)
    (evil / "configurator.mo").write_bytes(
        (LOCALE_DIR / "sv" / "LC_MESSAGES" / "configurator.mo").read_bytes()
    )
    as_path = os.path.relpath(tmp_path / "evil", LOCALE_DIR)
    assert messages(as_path) == {}
    assert locale_chain(as_path, "pt") == ("pt", "en")
    t = Translator(as_path)
    assert t.chain == ("en",) and t.gettext("Total") == "Total"
    assert supported_locale(as_path) is None


# -- identifiers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["c-1001\u200b", "c\x00", "c\u202e1", "c" * (MAX_ID_LENGTH + 1)])
def test_identifiers_in_paths_are_refused(client: TestClient, bad: str) -> None:
    """A customer id, quote number, catalog id or session id with an invisible character, or too long, is a 422."""
    quoted = urllib.parse.quote(bad)
    for path in (f"/customers/{quoted}", f"/quotes/{quoted}", f"/catalogs/{quoted}", f"/sessions/{quoted}"):
        assert_problem(client.get(path), 422, "invalid-request")


@pytest.mark.parametrize("bad", ["ebike\u200b-urban", "ebike\x07", "", "e" * (MAX_ID_LENGTH + 1)])
def test_identifiers_in_bodies_are_refused(client: TestClient, bad: str) -> None:
    """Catalog ids, customer ids, quote numbers, order ids and requirements in bodies are checked alike."""
    assert_problem(
        client.post(f"/customers/{CUSTOMER}/bundles", json={"catalog": bad}), 422, "invalid-request"
    )
    assert_problem(
        client.post("/sessions", json={"catalog": "ebike-urban", "customer_id": bad}), 422, "invalid-request"
    )
    quote = {"catalog": "ebike-urban", "quote_id": bad}
    assert_problem(client.post(f"/customers/{CUSTOMER}/quotes", json=quote), 422, "invalid-request")
    assert_problem(
        client.post("/quotes/Q-1/accept", json={"margin": "1", "order_id": bad}), 422, "invalid-request"
    )
    bundles = {"catalog": "ebike-urban", "requirements": [bad * 3]}  # module.option: twice as long
    assert_problem(client.post(f"/customers/{CUSTOMER}/bundles", json=bundles), 422, "invalid-request")


def test_identifiers_are_nfc_normalised(client: TestClient) -> None:
    """A decomposed identifier is the same as its composed form (so the same quote number)."""
    decomposed, composed = "Q-Cafe\u0301", "Q-Caf\u00e9"
    r = client.post(f"/customers/{CUSTOMER}/quotes", json={"catalog": "ebike-urban", "quote_id": decomposed})
    assert r.status_code == 201, r.text
    assert r.json()["quote_id"] == composed
    assert client.get(f"/quotes/{decomposed}", params={"format": "json"}).json()["quote_id"] == composed


# -- body size ---------------------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_before_it_is_parsed(client: TestClient) -> None:
    """A 50 MB body is a 413 ``too-large`` problem (the default limit is 1 MiB)."""
    body = b"[" + b"1," * (25 * 1024 * 1024) + b"1]"
    assert_problem(client.post("/events", content=body, headers=JSON), 413, "too-large")


def test_a_streamed_body_is_counted() -> None:
    """A body without a Content-Length is counted as it arrives, against a configured limit."""
    settings = Settings(database_url="sqlite://", max_body_bytes=1000, secret_key="s" * 32)
    app = make_app(settings, catalogs=[])
    client = TestClient(app, raise_server_exceptions=False, headers=auth(api_key(app, "shop")))

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 200

    assert_problem(client.post("/events", content=chunks(), headers=JSON), 413, "too-large")
    assert_problem(client.post("/events", content=b" " * 1001, headers=JSON), 413, "too-large")
    r = client.post("/sessions", json={"catalog": "none"})
    assert_problem(r, 404, "unknown-catalog")


def test_the_body_limit_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``CONFIGURATOR_MAX_BODY_BYTES`` sets the limit; 1 MiB by default."""
    assert Settings().max_body_bytes == 1_048_576
    monkeypatch.setenv("CONFIGURATOR_MAX_BODY_BYTES", "2048")
    assert Settings().max_body_bytes == 2048


@pytest.mark.parametrize(
    "selections",
    [{"frame\u200b": "carbon_diamond"}, {"frame": "c" * (MAX_ID_LENGTH + 1)}, {"frame": ["a\x00"]}],
)
def test_modules_and_options_in_selections_are_identifiers(
    client: TestClient, selections: dict[str, Any]
) -> None:
    """A configuration's modules and options are checked like every identifier."""
    r = client.post("/catalogs/ebike-urban/validate", json={"selections": selections})
    assert_problem(r, 422, "invalid-request")


@pytest.mark.parametrize(
    "chosen",
    [
        {"carbon_diamond": 2**70},
        {"carbon_diamond": 100_001},
        {"carbon_diamond": 0},
        {"carbon_diamond": -1},
        {"carbon_diamond": {"qty": 2**70}},
        {"carbon_diamond": {"qty": 1, "config": {"selections": {"kit": {"part": 2**70}}}}},
        {"carbon_diamond": {"qty": 1, "colour": "red"}},
    ],
)
def test_selection_quantities_are_bounded(client: TestClient, chosen: dict[str, Any]) -> None:
    """A quantity in a configuration to validate (2**70 answered 200 valid:false) is 1 to 100,000, nested too."""
    r = client.post("/catalogs/ebike-urban/validate", json={"selections": {"frame": chosen}})
    assert_problem(r, 422, "invalid-request")


def test_selection_quantities_and_sub_assemblies_in_range_are_checked(client: TestClient) -> None:
    """Quantities in range, as numbers or ``{qty, config}``, still reach the checker."""
    for chosen in ({"carbon_diamond": 100_000}, {"carbon_diamond": {"qty": 2, "config": {"selections": {}}}}):
        r = client.post("/catalogs/ebike-urban/validate", json={"selections": {"frame": chosen}})
        assert r.status_code in (200, 422), r.text
        if r.status_code == 200:
            assert r.json()["valid"] is False
        else:
            assert_problem(r, 422, "invalid-configuration")


# -- dates -------------------------------------------------------------------------------------------------------


def test_an_acceptance_time_outside_utc_range_is_refused(client: TestClient) -> None:
    """An ``at`` that overflows once converted to UTC (0001-01-01T00:00+14:00 was a 500) is a 422 problem."""
    made = client.post(f"/customers/{CUSTOMER}/quotes", json={"catalog": "ebike-urban"})
    assert made.status_code == 201, made.text
    accept = {"margin": "1", "at": "0001-01-01T00:00:00+14:00"}
    body = assert_problem(
        client.post(f"/quotes/{made.json()['quote_id']}/accept", json=accept), 422, "invalid-event"
    )
    assert "out of range in UTC" in body["detail"]


@pytest.mark.parametrize("ts", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_an_event_time_outside_utc_range_is_rejected(client: TestClient, ts: str) -> None:
    """An event whose timestamp overflows once converted to UTC (a 500) is rejected, the batch still answered."""
    event = {
        "type": "viewed",
        "event_id": "e-far",
        "tenant": "demo",
        "customer_id": CUSTOMER,
        "channel": "web",
    }
    r = client.post("/events", json=[event | {"ts": ts}])
    assert r.status_code == 200, r.text
    assert [(x["field"], x["reason"]) for x in r.json()["rejected"]] == [
        ("ts", f"{ts} is out of range in UTC")
    ]


# -- bodies that are not text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "slug"), [(b"\x80", 400, "bad-request"), (b"\x00\x00\x00", 422, "invalid-request")]
)
def test_a_body_that_is_not_json_is_a_documented_problem(
    client: TestClient, body: bytes, status: int, slug: str
) -> None:
    """A body that is not UTF-8 is a 400 ``bad-request``; UTF-8 that is not JSON a 422 ``invalid-request``."""
    assert_problem(client.post("/sessions", content=body, headers=JSON), status, slug)
