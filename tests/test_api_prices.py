"""The running price and priced bundles: what the customer pays, judged against the budget, in the locale's words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from support import DEMO_CUSTOMERS, assert_problem, demo_api_client

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
NBSP = "\xa0"
EBIKE = "ebike-urban"
CUSTOMER = DEMO_CUSTOMERS[EBIKE]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of the demo app (tenant demo, every scope)."""
    with demo_api_client(tmp_path_factory.mktemp("prices"), AT) as c:
        yield c


def _bundles(client: TestClient, customer: str, budget: str | None, locale: str = "en") -> dict[str, Any]:
    body: dict[str, Any] = {"catalog": EBIKE, "k": 3, "locale": locale}
    if budget is not None:
        body["budget"] = budget
    r = client.post(f"/customers/{customer}/bundles", json=body)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def _price(client: TestClient, customer: str, **body: Any) -> dict[str, Any]:
    r = client.post(f"/customers/{customer}/price", json={"catalog": EBIKE, **body})
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


def test_running_price_lines_add_up_to_the_total_the_bundle_shows(client: TestClient) -> None:
    """A bundle's selection priced on its own gives the bundle's total, and its lines add up to it."""
    bundle = _bundles(client, CUSTOMER, None)["bundles"][0]
    price = _price(client, CUSTOMER, selections=bundle["configuration"]["selections"], locale="en")
    assert price["total"] == bundle["total"] and Decimal(price["total"]) > Decimal(bundle["price"]) * 0
    assert sum(Decimal(line["amount"]) for line in price["lines"]) == Decimal(price["total"])
    assert Decimal(price["net"]) + Decimal(price["tax"]) == Decimal(price["total"])
    kinds = {line["kind"] for line in price["lines"]}
    assert {"option", "tax"} <= kinds <= {"option", "service", "discount", "tax"}
    assert all(line["label"] and line["amount_text"] and line["kind_label"] for line in price["lines"])
    assert price["budget"] is None


def test_a_paid_service_is_in_the_total_only_when_chosen(client: TestClient) -> None:
    """Paid services are out of the total until chosen (as in quotes); an unknown service is a 422 problem."""
    bundle = _bundles(client, CUSTOMER, None)["bundles"][0]
    paid = [s for s in bundle["services"] if not s["included"] and Decimal(s["price"]) > 0]
    assert paid, "the demo customer is offered a paid service"
    selections = bundle["configuration"]["selections"]
    plain = _price(client, CUSTOMER, selections=selections)
    assert plain["total"] == bundle["total"]
    assert paid[0]["label"] not in [line["label"] for line in plain["lines"]]
    chosen = _price(client, CUSTOMER, selections=selections, services={paid[0]["service"]: True})
    assert Decimal(chosen["total"]) > Decimal(plain["total"])
    line = next(x for x in chosen["lines"] if x["label"] == paid[0]["label"])
    assert line["kind"] == "service" and Decimal(line["amount"]) == Decimal(paid[0]["price"])
    assert sum(Decimal(x["amount"]) for x in chosen["lines"]) == Decimal(chosen["total"])
    r = client.post(
        f"/customers/{CUSTOMER}/price",
        json={"catalog": EBIKE, "selections": selections, "services": {"no_such_service": True}},
    )
    assert_problem(r, 422, "pricing")


def test_budget_verdict_is_in_words_and_portuguese_money_is_pt_pt(client: TestClient) -> None:
    """The verdict is fit/over with its label and gap in the locale; Portuguese money is written as in Portugal."""
    bundle = _bundles(client, CUSTOMER, None)["bundles"][0]
    selections = bundle["configuration"]["selections"]
    total = Decimal(bundle["total"])
    over = _price(client, CUSTOMER, selections=selections, budget=str(total - 100), locale="pt")
    assert over["budget"]["verdict"] == "over" and over["budget"]["label"] == "Acima do orçamento"
    assert over["budget"]["gap_text"] == f"100,00{NBSP}€ acima do orçamento"
    assert over["total_text"].endswith(f"{NBSP}€") and "," in over["total_text"]
    fit = _price(client, CUSTOMER, selections=selections, budget=str(total), locale="sv")
    assert fit["budget"]["verdict"] == "fit" and fit["budget"]["label"] == "Inom budget"
    spanish = _price(client, CUSTOMER, selections=selections, budget=str(total + 1), locale="es")
    assert spanish["budget"]["label"] == "Dentro del presupuesto"


@pytest.mark.parametrize("customer", sorted({*DEMO_CUSTOMERS.values(), "c-1027", "c-1022", "c-1004"}))
def test_every_bundle_marked_fit_is_within_budget_as_quoted(client: TestClient, customer: str) -> None:
    """For every bundle fit at a budget, the total it would be quoted at (the running price) is within it."""
    for budget in ("3000", "5000", "8000"):
        for bundle in _bundles(client, customer, budget, locale="pt")["bundles"]:
            if bundle["role"] not in ("fit", "repaired"):
                continue
            price = _price(client, customer, selections=bundle["configuration"]["selections"], budget=budget)
            assert Decimal(price["total"]) <= Decimal(budget), (customer, budget, bundle["rank"])
            assert price["total"] == bundle["total"] and price["budget"]["verdict"] == "fit"
            assert bundle["budget"]["verdict"] == "fit" and bundle["role_label"]


def test_bundle_words_never_show_event_ids(client: TestClient) -> None:
    """Each reason has its kind in words and a sentence with no event id; the role has a label."""
    for locale in ("en", "pt", "es", "sv"):
        body = _bundles(client, CUSTOMER, "5000", locale=locale)
        for bundle in body["bundles"]:
            assert bundle["role_label"] and bundle["role_label"] != bundle["role"]
            for reason in bundle["reasons"]:
                assert reason["label"] and reason["text"]
                assert "ev-" not in reason["text"] and "ref." not in reason["text"]


def test_quote_total_equals_the_best_bundles_total(client: TestClient) -> None:
    """The quote of the best bundle at a budget costs what the bundle said: the same figure everywhere."""
    bundle = _bundles(client, CUSTOMER, "5000")["bundles"][0]
    made = client.post(f"/customers/{CUSTOMER}/quotes", json={"catalog": EBIKE, "budget": "5000"})
    assert made.status_code == 201, made.text
    quote = made.json()
    assert Decimal(quote["total"]) == Decimal(bundle["total"]) <= 5000
