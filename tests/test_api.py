"""The HTTP API over a temporary SQLite database holding the demo events."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import configurator
from configurator.api import make_app
from configurator.catalog import load_configuration
from configurator.catalog.check import find_violations
from configurator.errors import ConfiguratorError
from support import (
    DEMO_CUSTOMERS,
    ROOT,
    Writer,
    api_key,
    api_settings,
    assert_problem,
    auth,
    demo_api_client,
    example_catalogs,
)

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
CATALOGS = example_catalogs()
EBIKE = CATALOGS["ebike-urban"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of an app over the example catalogs and a fresh demo database (tenant ``demo``)."""
    with demo_api_client(tmp_path_factory.mktemp("api"), AT) as test_client:
        yield test_client


# -- catalogs --------------------------------------------------------------------------------------------------


def test_catalogs_are_listed_with_their_sizes(client: TestClient) -> None:
    """GET /catalogs lists every example catalog with its module and option counts."""
    listed = {c["id"]: c for c in client.get("/catalogs").json()}
    assert set(listed) == set(CATALOGS)
    ebike = listed["ebike-urban"]
    assert ebike["module_count"] == len(EBIKE.modules)
    assert ebike["option_count"] == sum(len(m.options) for m in EBIKE.modules.values())
    assert ebike["currency"] == "EUR"


def test_catalog_is_labelled_in_the_locale(client: TestClient) -> None:
    """GET /catalogs/{id}?locale=pt answers modules, options and rule messages in Portuguese."""
    body = client.get("/catalogs/ebike-urban", params={"locale": "pt"}).json()
    assert body["locale"] == "pt"
    frame = next(m for m in body["modules"] if m["id"] == "frame")
    assert frame["label"] == "Quadro"
    carbon = next(o for o in frame["options"] if o["id"] == "carbon_diamond")
    assert carbon["label"] == EBIKE.text(EBIKE.modules["frame"].options["carbon_diamond"].label, "pt")
    assert Decimal(carbon["price"]) == EBIKE.modules["frame"].options["carbon_diamond"].price
    belt = next(r for r in body["rules"] if r["id"] == "belt-frame")
    assert belt["message"] == EBIKE.text(next(r for r in EBIKE.rules if r.id == "belt-frame").message, "pt")


def test_unknown_catalog_is_a_404_problem_with_a_suggestion(client: TestClient) -> None:
    """An unknown catalog id is a 404 problem naming the nearest catalog."""
    body = assert_problem(client.get("/catalogs/ebike-urbn"), 404, "unknown-catalog")
    assert "did you mean 'ebike-urban'?" in body["detail"]
    assert body["instance"] == "/catalogs/ebike-urbn"


def test_validate_reports_violations_by_rule_id_in_the_locale(client: TestClient) -> None:
    """POST /catalogs/{id}/validate answers the checker's violations, messages in the locale."""
    config = load_configuration(ROOT / "catalogs" / "examples" / "ebike-urban-invalid.yaml")
    selections = {m: dict(opts) for m, opts in config.selections.items()}
    r = client.post(
        "/catalogs/ebike-urban/validate", params={"locale": "es"}, json={"selections": selections}
    )
    assert r.status_code == 200, r.text
    expected = find_violations(EBIKE, config, locale="es")
    assert expected and not r.json()["valid"]
    assert [(v["rule_id"], v["message"]) for v in r.json()["violations"]] == [
        (v.rule_id, v.message) for v in expected
    ]
    valid = load_configuration(ROOT / "catalogs" / "examples" / "ebike-urban.yaml")
    ok = client.post(
        "/catalogs/ebike-urban/validate",
        json={"selections": {m: dict(opts) for m, opts in valid.selections.items()}},
    )
    assert ok.json() == {"catalog": "ebike-urban", "valid": True, "violations": []}


def test_validate_refuses_unknown_options_and_malformed_bodies(client: TestClient) -> None:
    """An unknown option is a 422 problem with a suggestion; a body off the schema lists its errors."""
    body = assert_problem(
        client.post("/catalogs/ebike-urban/validate", json={"selections": {"frame": "carbon"}}),
        422,
        "invalid-configuration",
    )
    assert "frame.carbon" in body["detail"]
    bad = assert_problem(
        client.post("/catalogs/ebike-urban/validate", json={"selection": {}}), 422, "invalid-request"
    )
    assert {tuple(e["loc"]) for e in bad["errors"]} >= {("body", "selections"), ("body", "selection")}


# -- sessions -------------------------------------------------------------------------------------------------


def test_session_round_trip_explains_an_option_a_choice_removed(client: TestClient) -> None:
    """Selecting a carbon frame removes the belt drives; explain=1 says it is that choice and rule belt-frame."""
    opened = client.post("/sessions", json={"catalog": "ebike-urban"})
    assert opened.status_code == 201, opened.text
    sid = opened.json()["session_id"]
    assert opened.headers["location"] == f"/sessions/{sid}"
    assert "nexus_5e_belt" in opened.json()["domains"]["drivetrain"]

    chosen = client.post(
        f"/sessions/{sid}/choices", json={"action": "select", "module": "frame", "option": "carbon_diamond"}
    )
    assert chosen.status_code == 200, chosen.text
    state = chosen.json()
    assert state["choices"] == [
        {"module": "frame", "option": "carbon_diamond", "selected": True, "qty": None}
    ]
    assert "nexus_5e_belt" not in state["domains"]["drivetrain"]
    assert state["domains"]["frame"] == ["carbon_diamond"] and state["removed"] is None

    explained = client.get(f"/sessions/{sid}", params={"explain": 1, "locale": "pt"}).json()
    reason = explained["removed"]["drivetrain.nexus_5e_belt"]
    assert reason["choices"] == ["frame.carbon_diamond"]
    assert "belt-frame" in reason["constraints"]
    rule = next(r for r in EBIKE.rules if r.id == "belt-frame")
    assert reason["messages"]["belt-frame"] == EBIKE.text(rule.message, "pt")

    client.post(
        f"/sessions/{sid}/choices", json={"action": "unset", "module": "frame", "option": "carbon_diamond"}
    )
    assert "nexus_5e_belt" in client.get(f"/sessions/{sid}").json()["domains"]["drivetrain"]

    client.post(
        f"/sessions/{sid}/choices", json={"action": "deselect", "module": "frame", "option": "alu_diamond"}
    )
    done = client.post(f"/sessions/{sid}/complete", json={"strategy": "cheapest", "locale": "sv"})
    assert done.status_code == 200, done.text
    configuration = done.json()["configuration"]
    assert "alu_diamond" not in configuration["selections"]["frame"]
    assert find_violations(EBIKE, {m: dict(o) for m, o in configuration["selections"].items()}) == []
    assert Decimal(configuration["list_price"]) == sum(
        Decimal(i["price"]) * i["qty"] for i in configuration["items"]
    )

    assert client.delete(f"/sessions/{sid}").status_code == 204
    assert_problem(client.get(f"/sessions/{sid}"), 404, "unknown-session")


def test_conflicting_choices_are_explained(client: TestClient) -> None:
    """Choices no bike satisfies leave every domain empty and name the minimal conflict; completion is None."""
    sid = client.post("/sessions", json={"catalog": "ebike-urban"}).json()["session_id"]
    client.post(
        f"/sessions/{sid}/choices", json={"action": "select", "module": "frame", "option": "carbon_diamond"}
    )
    state = client.post(
        f"/sessions/{sid}/choices",
        json={"action": "select", "module": "drivetrain", "option": "nexus_5e_belt"},
    ).json()
    assert state["feasible"] is False and not any(state["domains"].values())
    assert set(state["conflict"]["choices"]) == {"frame.carbon_diamond", "drivetrain.nexus_5e_belt"}
    done = client.post(f"/sessions/{sid}/complete").json()
    assert done["configuration"] is None and done["conflict"]["choices"]


def test_customer_session_recommends_only_valid_options(client: TestClient) -> None:
    """A customer's session ranks the still-valid options by their needs and completes by them."""
    customer = DEMO_CUSTOMERS["ebike-urban"]
    state = client.post("/sessions", json={"catalog": "ebike-urban", "customer_id": customer}).json()
    assert state["customer_id"] == customer
    recommended = state["recommendations"]
    assert recommended
    for module, ranked in recommended.items():
        assert {r["option"] for r in ranked} <= set(state["domains"][module])
        probabilities = [r["probability"] for r in ranked]
        assert probabilities == sorted(probabilities, reverse=True) and all(
            0 <= p <= 1 for p in probabilities
        )
    done = client.post(f"/sessions/{state['session_id']}/complete").json()
    assert done["strategy"] == "needs"
    assert find_violations(EBIKE, {m: dict(o) for m, o in done["configuration"]["selections"].items()}) == []


def test_session_errors_are_problems(client: TestClient) -> None:
    """Unknown sessions are 404; unknown options, missing fields and unknown customers are problems too."""
    assert_problem(client.get("/sessions/nope"), 404, "unknown-session")
    assert_problem(client.post("/sessions", json={"catalog": "nope"}), 404, "unknown-catalog")
    body = assert_problem(
        client.post("/sessions", json={"catalog": "ebike-urban", "customer_id": "c-10190"}),
        404,
        "unknown-customer",
    )
    assert body["hint"].startswith("did you mean")
    sid = client.post("/sessions", json={"catalog": "ebike-urban"}).json()["session_id"]
    choices = f"/sessions/{sid}/choices"
    body = assert_problem(
        client.post(choices, json={"action": "select", "module": "frame", "option": "carbon"}),
        422,
        "invalid-configuration",
    )
    assert "did you mean" in body["detail"]
    assert_problem(
        client.post(choices, json={"action": "select", "module": "frame"}), 422, "invalid-configuration"
    )
    assert_problem(
        client.post(choices, json={"action": "pick", "module": "frame", "option": "x"}),
        422,
        "invalid-request",
    )
    assert_problem(
        client.post(f"/sessions/{sid}/complete", json={"strategy": "needs"}), 422, "invalid-configuration"
    )
    cleared = client.post(choices, json={"action": "clear"}).json()
    assert cleared["choices"] == []


def test_sessions_are_bounded_per_key_least_recently_used_first() -> None:
    """A key allowed one session loses its older one when it opens a second; another key's stays open."""
    app = make_app(api_settings("sqlite://", sessions_per_key=1), catalogs=[CATALOGS["valve-pn5"]])
    with TestClient(app, raise_server_exceptions=False) as c:
        mine, other = auth(api_key(app, "shop")), auth(api_key(app, "shop"))
        kept = c.post("/sessions", json={"catalog": "valve-pn5"}, headers=other).json()["session_id"]
        first = c.post("/sessions", json={"catalog": "valve-pn5"}, headers=mine).json()["session_id"]
        second = c.post("/sessions", json={"catalog": "valve-pn5"}, headers=mine).json()["session_id"]
        assert c.get(f"/sessions/{second}", headers=mine).status_code == 200
        assert_problem(c.get(f"/sessions/{first}", headers=mine), 404, "unknown-session")
        assert c.get(f"/sessions/{kept}", headers=other).status_code == 200


def test_sessions_expire_when_idle_and_are_limited_per_tenant() -> None:
    """A session idle past the time-to-live is gone; a tenant at its limit is refused with a 429."""
    now = [AT]
    app = make_app(
        api_settings("sqlite://", session_ttl=10, sessions_per_tenant=1),
        catalogs=[CATALOGS["valve-pn5"]],
        clock=lambda: now[0],
    )
    with TestClient(app, raise_server_exceptions=False, headers=auth(api_key(app, "shop"))) as c:
        sid = c.post("/sessions", json={"catalog": "valve-pn5"}).json()["session_id"]
        now[0] = AT + dt.timedelta(seconds=9)
        assert c.get(f"/sessions/{sid}").status_code == 200
        other = auth(api_key(app, "shop"))
        assert_problem(
            c.post("/sessions", json={"catalog": "valve-pn5"}, headers=other), 429, "too-many-sessions"
        )
        now[0] = AT + dt.timedelta(seconds=30)
        assert_problem(c.get(f"/sessions/{sid}"), 404, "unknown-session")
        assert_problem(c.delete(f"/sessions/{sid}"), 404, "unknown-session")
        assert c.post("/sessions", json={"catalog": "valve-pn5"}, headers=other).status_code == 201


def test_a_valid_configuration_is_priced_with_the_customers_tier_and_an_invalid_one_never(
    client: TestClient,
) -> None:
    """POST /catalogs/{id}/price answers lines and waterfall adding up; an invalid configuration is a 422."""
    session = client.post("/sessions", json={"catalog": "valve-pn5"}).json()["session_id"]
    full = client.post(f"/sessions/{session}/complete", json={"strategy": "defaults"}).json()["configuration"]
    selections = full["selections"]
    priced = client.post(
        "/catalogs/valve-pn5/price", json={"selections": selections, "country": "PT", "quantity": 2}
    )
    assert priced.status_code == 200, priced.text
    body = priced.json()
    assert Decimal(body["total"]) == sum(Decimal(x["amount"]) for x in body["steps"])
    assert Decimal(body["steps"][0]["amount"]) == sum(Decimal(x["amount"]) for x in body["lines"])
    assert Decimal(body["steps"][0]["amount"]) == Decimal(full["list_price"])
    assert body["tier"] == "standard" and body["currency"] == "EUR"
    refused = client.post("/catalogs/valve-pn5/price", json={"selections": {}, "country": "PT"})
    assert assert_problem(refused, 422, "invalid-bundle")["violations"]


# -- events and customers -------------------------------------------------------------------------------------


def _event(event_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "viewed",
        "channel": "web",
        "customer_id": "c-api-1",
        "ts": "2026-11-20T10:00:00Z",
        "catalog": "ebike-urban",
        "item": "frame.carbon_diamond",
        **fields,
    }


def test_posting_events_is_idempotent(client: TestClient) -> None:
    """A batch is accepted once; posting it again counts duplicates; invalid events are rejected with reasons."""
    batch = [_event("api-1"), _event("api-2"), _event("api-3", type="teleported"), "not an object"]
    first = client.post("/events", json=batch)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["received"], body["accepted"], body["duplicates"]) == (4, 2, 0)
    assert [(r["index"], r["event_id"]) for r in body["rejected"]] == [(3, "api-3"), (4, None)]
    assert all(r["reason"] for r in body["rejected"])
    again = client.post("/events", json=batch).json()
    assert (again["accepted"], again["duplicates"], len(again["rejected"])) == (0, 2, 2)
    single = client.post("/events", json=_event("api-2")).json()
    assert (single["received"], single["accepted"], single["duplicates"]) == (1, 0, 1)
    assert client.get("/customers/c-api-1").json()["events"] == 2


def test_too_many_events_in_one_request_is_refused(client: TestClient) -> None:
    """More than MAX_EVENTS events in one request is a 413 problem; a scalar body is a 422 problem."""
    assert_problem(client.post("/events", json=[{}] * 1001), 413, "too-large")
    assert_problem(client.post("/events", json=3), 422, "invalid-request")


def test_customer_summary_has_tier_and_reason(client: TestClient) -> None:
    """GET /customers/{id} summarises the profile and history and gives the tier with its reason."""
    customer = DEMO_CUSTOMERS["kitchen-modular"]
    body = client.get(f"/customers/{customer}").json()
    assert body["customer_id"] == customer
    assert body["tier"] in ("mvc", "mgc", "standard", "below_zero") and body["tier_reason"]
    assert body["events"] == sum(body["events_by_type"].values()) > 0
    assert body["name"] and body["country"]
    assert "email" not in body
    assert_problem(client.get("/customers/c-104"), 404, "unknown-customer")


# -- bundles and quotes ---------------------------------------------------------------------------------------


def test_bundles_are_ranked_valid_and_explained(client: TestClient) -> None:
    """POST /customers/{id}/bundles answers k checker-valid bundles, best first, with reasons and services."""
    customer = DEMO_CUSTOMERS["laptop-pro14"]
    r = client.post(
        f"/customers/{customer}/bundles", json={"catalog": "laptop-pro14", "k": 2, "locale": "pt"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["customer_id"] == customer and body["tier"]
    bundles = body["bundles"]
    assert [b["rank"] for b in bundles][:2] == [1, 2]
    laptop = CATALOGS["laptop-pro14"]
    for bundle in bundles:
        selections = {m: dict(o) for m, o in bundle["configuration"]["selections"].items()}
        assert find_violations(laptop, selections) == []
        assert bundle["reasons"]
    cheap = client.post(
        f"/customers/{customer}/bundles", json={"catalog": "laptop-pro14", "budget": "1", "k": 1}
    ).json()
    assert cheap["bundles"][0]["role"] == "over_budget"
    assert Decimal(cheap["bundles"][0]["repair"]["raise_budget_to"]) > 1
    assert_problem(
        client.post(
            f"/customers/{customer}/bundles", json={"catalog": "laptop-pro14", "requirements": ["cpu.nope"]}
        ),
        422,
        "invalid-configuration",
    )


def test_quote_is_built_saved_rendered_and_accepted(client: TestClient) -> None:
    """A quote is saved as version 1, renders as HTML, Markdown, text, PDF and JSON, and is accepted once."""
    customer = DEMO_CUSTOMERS["ebike-urban"]
    made = client.post(
        f"/customers/{customer}/quotes", json={"catalog": "ebike-urban", "quote_id": "Q-API-1"}
    )
    assert made.status_code == 201, made.text
    quote = made.json()
    assert (quote["quote_id"], quote["version"], quote["status"]) == ("Q-API-1", 1, "draft")
    assert made.headers["location"] == "/quotes/Q-API-1"
    assert Decimal(quote["total"]) > 0 and quote["valid_until"] > "2026-11-23"

    for fmt, media in (("html", "text/html"), ("md", "text/markdown"), ("txt", "text/plain")):
        r = client.get(quote["links"][fmt])
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(media)
        assert "Q-API-1" in r.text
    english = client.get("/quotes/Q-API-1", params={"format": "txt", "locale": "en"})
    assert english.headers["content-language"] == "en"
    as_json = client.get("/quotes/Q-API-1", params={"format": "json"}).json()
    assert as_json["total"] == quote["total"]
    assert_problem(client.get("/quotes/Q-API-1", params={"version": 2}), 404, "unknown-quote")
    assert_problem(client.get("/quotes/Q-API-9"), 404, "unknown-quote")
    assert_problem(client.get("/quotes/Q-API-1", params={"format": "docx"}), 422, "invalid-request")

    accepted = client.post("/quotes/Q-API-1/accept", json={"margin": "250.00"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {
        "quote_id": "Q-API-1",
        "version": 1,
        "status": "accepted",
        "order_id": "Q-API-1",
    }
    again = client.post("/quotes/Q-API-1/accept", json={"margin": "250.00", "version": 1})
    assert again.json()["order_id"] == "Q-API-1"
    assert client.get(f"/customers/{customer}").json()["orders"] >= 1
    assert_problem(
        client.post("/quotes/Q-API-1/accept", json={"margin": "1", "at": "2026-11-23T10:00:00"}),
        422,
        "invalid-request",
    )


def test_quote_fetched_as_pdf_starts_with_pdf_magic(client: TestClient) -> None:
    """GET /quotes/{id}?format=pdf is a PDF document with the PDF media type."""
    pytest.importorskip("weasyprint")
    customer = DEMO_CUSTOMERS["valve-pn5"]
    made = client.post(
        f"/customers/{customer}/quotes", json={"catalog": "valve-pn5", "quote_id": "Q-API-PDF"}
    )
    assert made.status_code == 201, made.text
    r = client.get("/quotes/Q-API-PDF", params={"format": "pdf", "version": 1})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_a_quote_no_bundle_meets_is_a_problem_with_the_repair(client: TestClient) -> None:
    """A budget no bundle fits is a 422 problem carrying the proposed repair (raise the budget to ...)."""
    customer = DEMO_CUSTOMERS["kitchen-modular"]
    body = assert_problem(
        client.post(f"/customers/{customer}/quotes", json={"catalog": "kitchen-modular", "budget": "100"}),
        422,
        "no-fitting-bundle",
    )
    assert Decimal(body["repair"]["raise_budget_to"]) > 100


def test_accepting_a_superseded_or_unknown_quote_is_refused(client: TestClient) -> None:
    """Accepting an unknown quote is 404; accepting another version after one was accepted is 409."""
    assert_problem(client.post("/quotes/Q-NOPE/accept", json={"margin": "1"}), 404, "unknown-quote")
    customer = DEMO_CUSTOMERS["laptop-pro14"]
    client.post(f"/customers/{customer}/quotes", json={"catalog": "laptop-pro14", "quote_id": "Q-API-2"})
    assert client.post("/quotes/Q-API-2/accept", json={"margin": "10"}).status_code == 200
    assert_problem(
        client.post("/quotes/Q-API-2/accept", json={"margin": "10", "version": 2}), 404, "unknown-quote"
    )


def test_another_customers_quote_number_is_refused_and_left_as_it_is(client: TestClient) -> None:
    """Customer B sending customer A's open quote number is a 409 problem; A's quote keeps its versions."""
    owner, other = DEMO_CUSTOMERS["ebike-urban"], DEMO_CUSTOMERS["laptop-pro14"]
    made = client.post(f"/customers/{owner}/quotes", json={"catalog": "ebike-urban", "quote_id": "Q-API-OWN"})
    assert made.status_code == 201, made.text
    before = client.get("/quotes/Q-API-OWN", params={"format": "json"}).json()
    for catalog in ("laptop-pro14", "ebike-urban"):
        assert_problem(
            client.post(f"/customers/{other}/quotes", json={"catalog": catalog, "quote_id": "Q-API-OWN"}),
            409,
            "quote-customer-mismatch",
        )
    after = client.get("/quotes/Q-API-OWN", params={"format": "json"}).json()
    assert after == before and (after["version"], after["customer_id"]) == (1, owner)
    assert_problem(client.get("/quotes/Q-API-OWN", params={"version": 2}), 404, "unknown-quote")


# -- the app as a whole ---------------------------------------------------------------------------------------


def test_openapi_documents_every_endpoint_and_the_problem_model(client: TestClient) -> None:
    """The OpenAPI document lists the endpoints and the problem model; unknown routes are problems too."""
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) >= {
        "/catalogs",
        "/catalogs/{catalog_id}",
        "/catalogs/{catalog_id}/validate",
        "/sessions",
        "/sessions/{session_id}",
        "/sessions/{session_id}/choices",
        "/sessions/{session_id}/complete",
        "/events",
        "/customers/{customer_id}",
        "/customers/{customer_id}/bundles",
        "/customers/{customer_id}/quotes",
        "/quotes/{quote_id}",
        "/quotes/{quote_id}/accept",
    }
    assert "Problem" in spec["components"]["schemas"]
    assert_problem(client.get("/nowhere"), 404, "not-found")
    assert_problem(client.delete("/catalogs"), 405, "method-not-allowed")


PROBLEMS: dict[str, tuple[str, int]] = {
    "configurator.errors.AssemblyError": ("assembly", 422),
    "configurator.errors.AuthenticationError": ("unauthenticated", 401),
    "configurator.errors.PermissionDeniedError": ("forbidden", 403),
    "configurator.errors.SessionConflictError": ("session-conflict", 409),
    "configurator.errors.SessionLimitError": ("too-many-sessions", 429),
    "configurator.errors.SettingsError": ("settings", 500),
    "configurator.errors.BackendCapabilityError": ("solver", 422),
    "configurator.errors.BackendLimitError": ("solver", 422),
    "configurator.errors.CatalogError": ("invalid-catalog", 422),
    "configurator.errors.ConfigurationError": ("invalid-configuration", 422),
    "configurator.errors.CustomerError": ("customer", 422),
    "configurator.errors.InvalidBundleError": ("invalid-bundle", 422),
    "configurator.errors.InvalidEventError": ("invalid-event", 422),
    "configurator.errors.ModelFormatError": ("bad-request", 400),
    "configurator.errors.NoFittingBundleError": ("no-fitting-bundle", 422),
    "configurator.errors.NotFittedError": ("not-fitted", 422),
    "configurator.errors.NotFoundError": ("not-found", 404),
    "configurator.errors.PolicyError": ("policy", 422),
    "configurator.errors.PricingError": ("pricing", 422),
    "configurator.errors.QuoteBuildError": ("quote-request", 422),
    "configurator.errors.QuoteCustomerMismatchError": ("quote-customer-mismatch", 409),
    "configurator.errors.QuoteError": ("quote-refused", 409),
    "configurator.errors.QuoteNotFoundError": ("unknown-quote", 404),
    "configurator.errors.QuoteRenderError": ("quote-render", 500),
    "configurator.errors.QuoteStateError": ("quote-state", 409),
    "configurator.errors.QuoteTemplateError": ("quote-render", 500),
    "configurator.errors.QuoteVersionConflictError": ("quote-version-conflict", 409),
    "configurator.errors.RuleSyntaxError": ("rule-syntax", 422),
    "configurator.errors.SolverError": ("solver", 422),
    "configurator.errors.StorageError": ("storage-unavailable", 503),
    "configurator.errors.TemplateSecurityError": ("quote-render", 500),
    "configurator.errors.UnknownCatalogError": ("unknown-catalog", 404),
    "configurator.errors.UnknownCustomerError": ("unknown-customer", 404),
    "configurator.errors.UnknownSessionError": ("unknown-session", 404),
}
"""Every ConfiguratorError subclass (qualified name) and the (problem_type, status) the API answers it with."""


def _qualified(cls: type[BaseException]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _error_classes() -> tuple[list[type[ConfiguratorError]], set[str]]:
    """Every ConfiguratorError subclass defined in a configurator module, and the modules that did not import."""
    skipped: set[str] = set()
    for module in pkgutil.walk_packages(configurator.__path__, "configurator.", onerror=skipped.add):
        if module.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(module.name)
        except ModuleNotFoundError as exc:  # an optional extra that is not installed
            if (exc.name or "").startswith("configurator"):
                raise
            skipped.add(module.name)
    found: dict[str, type[ConfiguratorError]] = {}
    pending: list[type[ConfiguratorError]] = list(ConfiguratorError.__subclasses__())
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("configurator.") and _qualified(cls) not in found:
            found[_qualified(cls)] = cls
            pending.extend(cls.__subclasses__())
    return sorted(found.values(), key=_qualified), skipped


ERROR_CLASSES, SKIPPED_MODULES = _error_classes()


def test_every_configurator_error_is_in_the_problem_table() -> None:
    """The table names every ConfiguratorError subclass, and no class that no longer exists."""
    found = {_qualified(cls) for cls in ERROR_CLASSES}
    assert len(found) >= 20
    assert sorted(found - PROBLEMS.keys()) == [], "add these classes to PROBLEMS"
    importable = {name for name in PROBLEMS if name.rpartition(".")[0] not in SKIPPED_MODULES}
    assert sorted(importable - found) == [], "these classes are gone: remove them from PROBLEMS"


@pytest.mark.parametrize(
    "cls",
    [pytest.param(cls, id=cls.__name__) for cls in ERROR_CLASSES],
)
def test_error_class_carries_its_problem_type_and_status(cls: type[ConfiguratorError]) -> None:
    """Each error class's own problem_type and status are the table's; it sets a title with its own type."""
    assert (cls.problem_type, cls.status) == PROBLEMS[_qualified(cls)]
    assert ("problem_type" in vars(cls)) == ("title" in vars(cls)), (
        "a class with its own type has its own title"
    )


def _instance(cls: type[ConfiguratorError], detail: str) -> ConfiguratorError:
    """An error of the class with ``detail`` as its message, whatever its constructor takes."""
    error = cls.__new__(cls)
    Exception.__init__(error, detail)
    return error


def test_errors_raised_in_a_route_answer_their_problem_type_and_status(tmp_path: Path) -> None:
    """Any ConfiguratorError raised by a route is answered with its class's problem type and status."""
    app = make_app(api_settings(f"sqlite:///{tmp_path / 'never.db'}"), catalogs=[])
    by_name = {_qualified(cls): cls for cls in ERROR_CLASSES}

    def fail(name: str) -> None:
        raise _instance(by_name[name], f"refused: {name}")

    app.add_api_route("/fail/{name}", fail)
    assert by_name
    with TestClient(app, raise_server_exceptions=False) as test_client:
        for name in by_name:
            slug, status = PROBLEMS[name]
            body = assert_problem(test_client.get(f"/fail/{name}"), status, slug)
            assert (body["detail"], body["instance"]) == (f"refused: {name}", f"/fail/{name}")


def test_catalogs_folder_is_read_once(write: Writer, tmp_path: Path) -> None:
    """make_app serves the *.yaml catalogs of a folder, read when the app is made."""
    write(
        "catalogs/mug.yaml",
        """
        catalog: mug
        version: 1
        currency: EUR
        locales: [en]
        modules:
          colour: {options: {red: {price: 5}, blue: {price: 6}}}
        """,
    )
    app = make_app(api_settings(f"sqlite:///{tmp_path / 'db.sqlite'}"), tmp_path / "catalogs")
    (tmp_path / "catalogs" / "mug.yaml").unlink()
    with TestClient(app, headers=auth(api_key(app, "shop"))) as c:
        assert [x["id"] for x in c.get("/catalogs").json()] == ["mug"]
        assert c.post("/catalogs/mug/validate", json={"selections": {"colour": "red"}}).json()["valid"]


def test_re_quoting_makes_the_next_version_and_an_accepted_number_is_kept(client: TestClient) -> None:
    """The same number quoted again with other choices is version 2; after acceptance a new number follows."""
    customer = DEMO_CUSTOMERS["ebike-urban"]
    body = {"catalog": "ebike-urban", "quote_id": "Q-API-RE"}
    first = client.post(f"/customers/{customer}/quotes", json=body).json()
    again = client.post(f"/customers/{customer}/quotes", json=body).json()
    assert (first["version"], again["version"]) == (1, 1)
    changed = client.post(
        f"/customers/{customer}/quotes", json={**body, "requirements": ["frame.carbon_diamond"]}
    )
    assert changed.status_code == 201, changed.text
    assert (changed.json()["quote_id"], changed.json()["version"]) == ("Q-API-RE", 2)
    assert client.post("/quotes/Q-API-RE/accept", json={"margin": "100"}).status_code == 200
    after = client.post(f"/customers/{customer}/quotes", json={**body, "requirements": ["frame.alu_lowstep"]})
    assert (after.json()["quote_id"], after.json()["version"]) == ("Q-API-RE-2", 1)


def test_every_problem_title_is_translated_and_english_is_the_class_title() -> None:
    """Each error class's problem type has a title in en (the class's own), pt, es and sv."""
    from configurator.quoting.i18n import messages

    for cls in ERROR_CLASSES:
        key = f"problem.{cls.problem_type}"
        assert messages("en").get(key) == cls.title, key
        for language in ("pt", "es", "sv"):
            assert messages(language).get(key, cls.title) != cls.title, (
                f"{key} is not translated to {language}"
            )


def test_a_problem_title_comes_in_the_accepted_language(client: TestClient) -> None:
    """Accept-Language picks the problem's title language (Content-Language says it); the detail stays English."""
    answer = client.get("/customers/nobody-here", headers={"Accept-Language": "pt-PT,pt;q=0.9"})
    body = assert_problem(answer, 404, "unknown-customer")
    assert body["title"] == "Cliente desconhecido"
    assert answer.headers["content-language"] == "pt"
    assert "nobody-here" in body["detail"]
    english = client.get("/customers/nobody-here")
    assert assert_problem(english, 404, "unknown-customer")["title"] == "Unknown customer"
    unparsed = client.post(
        "/sessions", content=b"{", headers={"Accept-Language": "sv", "Content-Type": "application/json"}
    )
    assert unparsed.json()["title"] in ("Felaktig begäran", "Begäran stämmer inte med schemat")


def test_what_other_catalogs_teach_is_read_once_and_kept(client: TestClient) -> None:
    """Bundles read the other catalogs' transfer once per tenant and catalog, then share it until it is old."""
    from configurator.api.service import TRANSFER_TTL

    service = client.app.state.service  # type: ignore[attr-defined]
    customer = DEMO_CUSTOMERS["valve-pn5"]
    body = {"catalog": "valve-pn5", "k": 1}
    assert client.post(f"/customers/{customer}/bundles", json=body).status_code == 200
    key = ("demo", "valve-pn5")
    when, kept = service._transfers[key]
    assert "valve-pn5" not in kept.catalogs and set(kept.catalogs) == set(CATALOGS) - {"valve-pn5"}
    assert client.post(f"/customers/{customer}/bundles", json=body).status_code == 200
    assert service._transfers[key][1] is kept
    service._transfers[key] = (when - TRANSFER_TTL, kept)
    assert client.post(f"/customers/{customer}/bundles", json=body).status_code == 200
    assert service._transfers[key][1] is not kept


def test_a_quote_for_a_customer_reads_what_other_catalogs_teach(client: TestClient) -> None:
    """POST /customers/{id}/quotes without selections assembles with the catalog's kept transfer."""
    service = client.app.state.service  # type: ignore[attr-defined]
    service._transfers.pop(("demo", "laptop-pro14"), None)
    customer = DEMO_CUSTOMERS["laptop-pro14"]
    r = client.post(f"/customers/{customer}/quotes", json={"catalog": "laptop-pro14", "quote_id": "Q-API-XF"})
    assert r.status_code in (200, 201), r.text
    assert ("demo", "laptop-pro14") in service._transfers
