"""``GET /customers/{id}/overview``: everything we know of a customer in words, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from configurator.customers.consent import erase_person
from configurator.customers.keyring import PrivacyKeys
from configurator.storage import SqlStore, make_engine
from pg import DIALECTS, open_database
from support import SECRET, api_key, assert_problem, auth, demo_api_client, example_catalogs

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
INES = "c-1004"


class Demo:
    """A client of the demo app and the URL of its database."""

    def __init__(self, client: TestClient, url: str) -> None:
        self.client = client
        self.url = url

    def overview(self, customer: str = INES, **params: Any) -> Any:
        """The overview's response."""
        return self.client.get(f"/customers/{customer}/overview", params=params)


@pytest.fixture(scope="module", params=DIALECTS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo app (tenant demo, the example events, tiers refreshed) on SQLite and on PostgreSQL."""
    with (
        open_database(request.param, request) as db,
        demo_api_client(tmp_path_factory.mktemp("overview"), AT, db.url) as client,
    ):
        engine = make_engine(db.url)
        SqlStore(engine, "demo").refresh_tiers()
        engine.dispose()
        yield Demo(client, db.url)


def _stored_events(demo: Demo, customer: str) -> list[Any]:
    engine = make_engine(demo.url)
    try:
        return SqlStore(engine, "demo").customer_events(customer)
    finally:
        engine.dispose()


def _texts(body: dict[str, Any]) -> list[str]:
    """Every text of an overview meant to be read by a person."""
    texts = [body["tier"]["label"], body["tier"]["explanation"]]
    texts += [t["text"] for t in body["timeline"]] + [t["channel_label"] for t in body["timeline"]]
    for need in body["needs"]:
        texts += [need["label"], need["module_label"], need["catalog_label"]]
        texts += [b["text"] for b in need["because"]]
    texts += [q["status_label"] for q in body["quotes"]] + [
        item for o in body["orders"] for item in o["items"]
    ]
    texts += [i["label"] for i in body["installed"]]
    return texts


def test_the_timeline_holds_every_stored_event_once_newest_first(demo: Demo) -> None:
    """With a large limit the timeline has one entry per stored event (time and kind), newest first."""
    body = demo.overview(limit=1000).json()
    stored = _stored_events(demo, INES)
    assert body["timeline_total"] == len(stored) == len(body["timeline"]) == 46
    got = Counter((t["at"], t["kind"]) for t in body["timeline"])
    want = Counter((e.ts.isoformat().replace("+00:00", "Z"), e.type) for e in stored)
    assert got == want
    moments = [t["at"] for t in body["timeline"]]
    assert moments == sorted(moments, reverse=True)


def test_limit_bounds_the_timeline_to_the_newest(demo: Demo) -> None:
    """The default limit is 50; ``limit`` keeps the newest entries; 0 or over 1000 is a 422 problem."""
    everything = demo.overview(limit=1000).json()["timeline"]
    assert demo.overview(limit=3).json()["timeline"] == everything[:3]
    assert len(demo.overview().json()["timeline"]) == min(50, len(everything))
    assert_problem(demo.overview(limit=0), 422, "invalid-request")
    assert_problem(demo.overview(limit=1001), 422, "invalid-request")


def test_portuguese_overview_is_worded_and_formatted_as_in_portugal(demo: Demo) -> None:
    """In pt: contact, tier label and explanation with pt-PT money, channels and a purchase in words."""
    body = demo.overview(locale="pt").json()
    assert body["display_name"] == "Inês Carvalho" and body["language"] == "pt" and body["locale"] == "pt_PT"
    assert body["contact"] == {
        "emails": ["ines.carvalho@example.pt"],
        "phones": ["+351 913 456 789"],
        "address": "Avenida da Boavista 1500, 4100-114 Porto",
    }
    tier = body["tier"]
    assert tier["code"] == "mvc" and tier["label"] == "Cliente mais valioso"
    assert tier["explanation"].startswith(
        "Entre os nossos clientes mais valiosos: 5 compras nos últimos 12 meses"
    )
    assert re.search(r"47\s647,44\s€", tier["explanation"])
    assert tier["numbers"]["purchases_12m"] == 5 and tier["numbers"]["spent_12m"] == "47647.44"
    assert tier["numbers"]["value_rank"] == 1
    first = body["timeline"][0]
    assert (first["channel"], first["channel_label"], first["kind"]) == ("store", "Loja física", "purchased")
    assert (
        first["text"]
        == "Comprou Bicicleta elétrica Urban, Ajuste profissional da bicicleta (90 min) (5\xa0435,79\xa0€)"
    )


def test_english_and_swedish_overviews_say_the_same_in_their_words(demo: Demo) -> None:
    """The same customer in en and sv: same facts, texts in each language, money in each locale."""
    en, sv = demo.overview(locale="en").json(), demo.overview(locale="sv").json()
    assert en["tier"]["explanation"].startswith(
        "Among our most valuable customers: 5 purchases in the last 12"
    )
    assert "€47,647.44" in en["tier"]["explanation"]
    assert sv["tier"]["label"] == "Mest värdefull kund" and "47\xa0647,44\xa0€" in sv["tier"]["explanation"]
    assert (
        en["timeline"][0]["text"].startswith("Bought Urban e-bike")
        and en["timeline"][0]["channel_label"] == "Store"
    )
    assert sv["timeline"][0]["text"].startswith("Köpte Elcykel Urban")
    assert [t["at"] for t in en["timeline"]] == [t["at"] for t in sv["timeline"]]
    assert {q["status_label"] for q in en["quotes"]} == {"Sent"} and {
        q["status_label"] for q in sv["quotes"]
    } == {"Skickad"}


def test_learned_needs_name_the_options_and_the_events_behind_them(demo: Demo) -> None:
    """Needs are catalog options with a 0-1 strength, strongest first, each with its events in words."""
    needs = demo.overview(locale="en").json()["needs"]
    assert needs and [n["strength"] for n in needs] == sorted((n["strength"] for n in needs), reverse=True)
    frame = next(n for n in needs if (n["module"], n["option"]) == ("frame", "carbon_diamond"))
    assert frame["label"] == "Carbon fibre, diamond frame" and frame["catalog_label"] == "Urban e-bike"
    assert 0.5 < frame["strength"] <= 1 and frame["because"]
    assert any(b["text"].startswith("Bought Urban e-bike") for b in frame["because"])
    assert all(0 <= n["strength"] <= 1 and n["because"] for n in needs)


def test_no_text_shows_an_internal_id(demo: Demo) -> None:
    """No text names an event id, an option id or a catalog id where the catalog has a label."""
    body = demo.overview(locale="es", limit=1000).json()
    catalogs = example_catalogs()
    ids = {o for c in catalogs.values() for m in c.modules.values() for o in m.options if "_" in o}
    ids |= set(catalogs) | {s for c in catalogs.values() for s in c.services}
    for text in _texts(body):
        assert not re.search(r"\bev-\d+", text), text
        assert not any(re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text) for i in ids), text


def test_quotes_orders_and_installed_base_are_in_words(demo: Demo) -> None:
    """Quotes have versions, status and total text; orders list items in words; installed options labelled."""
    body = demo.overview(locale="en").json()
    quote = body["quotes"][0]
    assert quote["versions"] >= 1 and quote["status"] == "sent" and quote["total_text"].startswith("€")
    order = body["orders"][0]
    assert order["items"][0].startswith("Urban e-bike (Frame: ") and order["total_text"] == "€5,435.79"
    frame = next(i for i in body["installed"] if i["option"] == "carbon_diamond")
    assert frame["label"] == "Carbon fibre, diamond frame" and frame["count"] >= 1


def test_an_objection_to_profiling_leaves_no_learned_needs(demo: Demo) -> None:
    """A customer who objected to profiling has no learned needs and a tier explanation that says so."""
    posted = demo.client.post(
        "/events",
        json={
            "event_id": "ov-obj-1",
            "type": "consent",
            "customer_id": "c-1011",
            "channel": "email",
            "ts": "2026-11-20T10:00:00Z",
            "purpose": "profiling",
            "granted": False,
        },
    )
    assert posted.status_code in (200, 201, 202), posted.text
    body = demo.overview("c-1011", locale="en", limit=1).json()
    assert body["profiling"] is False and body["needs"] == []
    assert body["tier"]["explanation"].startswith("Objected to profiling")
    assert body["timeline"][0]["text"] == "Objected to us learning their preferences"


def test_unknown_erased_and_other_tenants_customers_are_404(demo: Demo) -> None:
    """An unknown id, an erased customer and another tenant's key answer the usual unknown-customer 404."""
    assert_problem(demo.overview("c-nobody"), 404, "unknown-customer")
    other = auth(api_key(demo.client.app, tenant="other", scopes=["read"]))
    assert_problem(demo.client.get(f"/customers/{INES}/overview", headers=other), 404, "unknown-customer")
    assert demo.overview("c-1030").status_code == 200
    engine = make_engine(demo.url)
    try:
        keys = PrivacyKeys.from_secrets(SECRET.encode())
        erase_person(SqlStore(engine, "demo"), "c-1030", actor="tests", at=AT, keys=keys)
    finally:
        engine.dispose()
    assert_problem(demo.overview("c-1030"), 404, "unknown-customer")


def test_a_locale_we_do_not_ship_is_a_422_problem(demo: Demo) -> None:
    """``locale=de`` is refused with a problem."""
    assert_problem(demo.overview(locale="de"), 422, "invalid-request")
