"""``GET /customers?q=``: the customer search over HTTP (hits, bounds as problems, tenant scope)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from configurator.customers.identity import identify
from configurator.storage import SqlStore, make_engine
from configurator.storage.search import clear_name_indexes
from support import api_key, assert_problem, auth, demo_api_client

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The demo app: tenant demo holds Inês Carvalho (c-1004); tenant other gets a namesake (o-ines)."""
    folder = tmp_path_factory.mktemp("search")
    url = f"sqlite:///{folder / 'configurator.db'}"
    with demo_api_client(folder, AT, url) as test_client:
        engine = make_engine(url)
        traits = {"name": "Inês Carvalho", "email": "ines.carvalho@example.pt", "phone": "913 456 789"}
        identify(SqlStore(engine, "other"), customer_id="o-ines", traits=traits, at=AT)
        engine.dispose()
        clear_name_indexes()
        yield test_client


def test_search_answers_hits_with_the_identity_that_matched(client: TestClient) -> None:
    """A misspelt name, her email and her phone in any format find c-1004 first, with kind, value and score."""
    answer = client.get("/customers", params={"q": "Ines Carvalo"})
    assert answer.status_code == 200, answer.text
    first = answer.json()[0]
    assert first["customer_id"] == "c-1004" and first["display_name"] == "Inês Carvalho"
    assert first["matched"] == {"kind": "name", "value": "Inês Carvalho"} and 90 < first["score"] <= 100
    for q, kind, value in (
        ("INES.Carvalho@example.pt", "email", "ines.carvalho@example.pt"),
        ("+351 913 456 789", "phone", "+351913456789"),
        ("00351913456789", "phone", "+351913456789"),
    ):
        hit = client.get("/customers", params={"q": q}).json()[0]
        assert (hit["customer_id"], hit["matched"], hit["score"]) == (
            "c-1004",
            {"kind": kind, "value": value},
            100,
        )


def test_limit_bounds_the_hits(client: TestClient) -> None:
    """``limit`` caps the hits (1 to 50)."""
    assert len(client.get("/customers", params={"q": "c", "limit": 1}).json()) == 1


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 201},
        {"q": "ines\u200b"},
        {"q": "ines", "limit": 0},
        {"q": "ines", "limit": 51},
    ],
    ids=["no-q", "empty", "spaces", "too-long", "invisible", "limit-0", "limit-51"],
)
def test_bad_input_is_a_4xx_problem(client: TestClient, params: dict[str, str | int]) -> None:
    """A missing, empty, blank, too long or invisible-character q, or a limit outside 1-50, is a 422 problem."""
    answer = client.get("/customers", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


def test_blank_query_names_the_reason(client: TestClient) -> None:
    """A q of spaces only is refused as an empty search."""
    body = assert_problem(client.get("/customers", params={"q": "   "}), 422, "customer")
    assert "empty" in body["detail"]


def test_another_tenants_key_never_finds_this_tenants_customers(client: TestClient) -> None:
    """Tenant other's read key finds its own namesake only; tenant demo's key never sees o-ines."""
    app = client.app
    other = auth(api_key(app, tenant="other", scopes=["read"]))
    theirs = client.get("/customers", params={"q": "Inês Carvalho"}, headers=other).json()
    assert [h["customer_id"] for h in theirs] == ["o-ines"]
    ours = client.get("/customers", params={"q": "Inês Carvalho"}).json()
    assert "o-ines" not in {h["customer_id"] for h in ours} and ours[0]["customer_id"] == "c-1004"
