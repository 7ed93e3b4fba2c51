"""Quote editing over HTTP (SQLite and PostgreSQL): exact configurations, services, discounts, versions, send."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pg import DIALECTS, open_database
from support import api_key, assert_problem, auth, demo_api_client

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
CATALOG = "ebike-urban"
CUSTOMER = "c-1019"  # tier standard (line discounts up to 5 % without approval), language sv, in SE


@pytest.fixture(scope="module", params=DIALECTS)
def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A demo app (tenant ``demo``, an admin key) on SQLite and on PostgreSQL."""
    with (
        open_database(request.param, request) as db,
        demo_api_client(tmp_path_factory.mktemp("editing"), AT, db.url) as made,
    ):
        yield made


@pytest.fixture(scope="module")
def wanted(client: TestClient) -> dict[str, dict[str, int]]:
    """A valid configuration with two bottle cages (a proposed bundle on a frame with two mounts)."""
    answer = client.post(
        f"/customers/{CUSTOMER}/bundles",
        json={"catalog": CATALOG, "k": 1, "requirements": ["frame.alu_diamond"]},
    )
    assert answer.status_code == 200, answer.text
    selections: dict[str, dict[str, int]] = answer.json()["bundles"][0]["configuration"]["selections"]
    return {**selections, "accessories": {"bottle_cage": 2}}


def _quote(client: TestClient, quote_id: str, **body: Any) -> dict[str, Any]:
    made = client.post(f"/customers/{CUSTOMER}/quotes", json={"quote_id": quote_id, **body})
    assert made.status_code == 201, made.text
    answer: dict[str, Any] = made.json()
    return answer


def _line(quote: dict[str, Any], key: str) -> dict[str, Any]:
    line: dict[str, Any] = next(x for x in quote["lines"] if x["line"] == key)
    return line


def test_a_configuration_is_quoted_exactly_with_its_quantities(
    client: TestClient, wanted: dict[str, dict[str, int]]
) -> None:
    """The quote keeps every option of the selections sent, with the quantity asked (two bottle cages)."""
    quote = _quote(client, "E-EXACT", catalog=CATALOG, selections=wanted)
    assert quote["configuration"]["selections"] == wanted
    assert _line(quote, "accessories.bottle_cage")["qty"] == 2
    assert quote["status"] == "draft" and quote["total_text"]


def test_a_quote_keeps_what_the_customer_required_of_it(
    client: TestClient, wanted: dict[str, dict[str, int]]
) -> None:
    """Requirements sent with selections or for the best bundle come back on the quote where its bundle meets them."""
    quote = _quote(
        client, "E-REQ", catalog=CATALOG, selections=wanted,
        requirements=["frame.alu_diamond", "!accessories.bottle_cage"],
    )  # fmt: skip
    assert quote["requirements"] == ["frame.alu_diamond"]
    best = _quote(client, "E-REQ-BEST", catalog=CATALOG, requirements=["frame.alu_diamond"])
    assert best["requirements"] == ["frame.alu_diamond"]
    assert best["configuration"]["selections"]["frame"] == {"alu_diamond": 1}
    refused = client.post(
        f"/customers/{CUSTOMER}/quotes",
        json={
            "quote_id": "E-REQ-BAD",
            "catalog": CATALOG,
            "selections": wanted,
            "requirements": ["frame.nope"],
        },
    )
    assert refused.status_code == 422 and "frame.nope" in refused.json()["detail"]


def test_a_quote_keeps_the_budget_it_was_made_for(
    client: TestClient, wanted: dict[str, dict[str, int]]
) -> None:
    """A budget sent with selections, or the one the best bundle was assembled under, comes back on the quote."""
    quote = _quote(client, "E-BUDGET", catalog=CATALOG, selections=wanted, budget="9000")
    assert Decimal(quote["budget"]) == Decimal(9000)
    best = _quote(client, "E-BUDGET-BEST", catalog=CATALOG, budget="9000")
    assert Decimal(best["budget"]) == Decimal(9000)
    assert _quote(client, "E-NO-BUDGET", catalog=CATALOG, selections=wanted)["budget"] is None


def test_lines_carry_the_quantity_range_the_editor_may_use(
    client: TestClient, wanted: dict[str, dict[str, int]]
) -> None:
    """Each line says the catalog's quantity range of its option (1 to 3 bottle cages, exactly 1 frame)."""
    quote = _quote(client, "E-RANGE", catalog=CATALOG, selections=wanted)
    cage = _line(quote, "accessories.bottle_cage")
    assert (cage["qty_min"], cage["qty_max"]) == (1, 3)
    frame = next(line for line in quote["lines"] if line["module"] == "frame")
    assert (frame["qty_min"], frame["qty_max"]) == (1, 1)


def test_session_choices_are_quoted_as_they_stand(
    client: TestClient, wanted: dict[str, dict[str, int]]
) -> None:
    """A session's choices (quantities included) become the quote's configuration."""
    session = client.post("/sessions", json={"catalog": CATALOG, "customer_id": CUSTOMER}).json()[
        "session_id"
    ]
    for module, options in wanted.items():
        for option, qty in options.items():
            chose = client.post(
                f"/sessions/{session}/choices",
                json={"action": "select", "module": module, "option": option, "qty": qty},
            )
            assert chose.status_code == 200, chose.text
    quote = _quote(client, "E-SESSION", session_id=session)
    assert quote["configuration"]["selections"] == wanted
    assert _line(quote, "accessories.bottle_cage")["qty"] == 2


def test_priced_services_are_in_the_total_only_when_chosen(
    client: TestClient, wanted: dict[str, dict[str, int]]
) -> None:
    """A service not included for the tier is offered as declined; chosen, it is in the quote and the total."""
    plain = _quote(client, "E-SVC-1", catalog=CATALOG, selections=wanted)
    states = {s["service"]: s["state"] for s in plain["services"]}
    assert states["bike_fit"] == "declined"
    assert {s["service"]: s["policy"] for s in plain["services"]}["bike_fit"] == "opt_in"
    chosen = _quote(client, "E-SVC-2", catalog=CATALOG, selections=wanted, services={"bike_fit": True})
    assert {s["service"]: s["state"] for s in chosen["services"]}["bike_fit"] == "chosen"
    assert float(chosen["total"]) > float(plain["total"])


def test_a_discount_above_the_limit_waits_for_an_approver_then_sends(
    client: TestClient, wanted: dict[str, dict[str, int]]
) -> None:
    """10 % on a line (limit 5 %): pending approval, send and accept refused; approved, it is sent to the outbox."""
    discounts = [{"line": "accessories.bottle_cage", "pct": "10"}]
    quote = _quote(client, "E-APPROVE", catalog=CATALOG, selections=wanted, discounts=discounts)
    assert quote["status"] == "pending_approval" and quote["needs_approval"]
    assert _line(quote, "accessories.bottle_cage")["discount_pct"] == "10"
    assert_problem(client.post("/quotes/E-APPROVE/send", json={}), 409, "quote-state")
    assert_problem(client.post("/quotes/E-APPROVE/accept", json={"margin": 10}), 409, "quote-state")
    quoter = auth(api_key(client.app, scopes=["quote"]))
    assert_problem(client.post("/quotes/E-APPROVE/approve", json={}, headers=quoter), 403, "forbidden")
    approver = api_key(client.app, scopes=["approve"], name="manager")
    approved = client.post("/quotes/E-APPROVE/approve", json={}, headers=auth(approver))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "draft"
    assert approved.json()["approved_by"] == f"key:{approver.split('_')[1]}"
    sent = client.post("/quotes/E-APPROVE/send", json={})
    assert sent.status_code == 200, sent.text
    assert sent.json()["recipient"] == "karin.nystrom@example.se"
    pending = client.get("/outbox", params={"pending": 1}).json()
    message = next(m for m in pending if m["quote_id"] == "E-APPROVE")
    assert message["subject"] == "Din offert E-APPROVE" and message["filename"] == "quote-E-APPROVE-v1.pdf"
    assert base64.b64decode(message["attachment_base64"]).startswith(b"%PDF")
    done = client.post(f"/outbox/{message['id']}/sent")
    assert done.status_code == 200 and done.json()["sent_at"]
    assert all(m["id"] != message["id"] for m in client.get("/outbox", params={"pending": 1}).json())


def test_edits_make_versions_with_a_diff_and_only_the_latest_is_accepted(
    client: TestClient, wanted: dict[str, dict[str, int]]
) -> None:
    """PATCH makes version 2; the versions list and the diff show the change; version 1 cannot be accepted."""
    first = _quote(client, "E-EDIT", catalog=CATALOG, selections=wanted)
    edited = client.patch(
        "/quotes/E-EDIT",
        json={
            "version": 1,
            "selections": {**wanted, "accessories": {"bottle_cage": 1}},
            "services": {"bike_fit": True},
            "discounts": [{"line": "accessories.bottle_cage", "pct": 5}],
        },
    )
    assert edited.status_code == 200, edited.text
    second = edited.json()
    assert second["version"] == 2 and _line(second, "accessories.bottle_cage")["qty"] == 1
    stale = client.patch("/quotes/E-EDIT", json={"version": 1, "quantity": 2})
    assert_problem(stale, 409, "quote-version-conflict")
    versions = client.get("/quotes/E-EDIT/versions").json()
    assert [(v["version"], v["status"]) for v in versions] == [(1, "superseded"), (2, "draft")]
    diff = client.get("/quotes/E-EDIT/diff", params={"from": 1, "to": 2}).json()
    changed = {c["line"]: c for c in diff["changed"]}
    assert (
        changed["accessories.bottle_cage"]["qty_before"],
        changed["accessories.bottle_cage"]["qty_after"],
    ) == (
        2,
        1,
    )
    assert changed["accessories.bottle_cage"]["discount_pct_after"] == "5"
    assert {s["service"]: (s["before"], s["after"]) for s in diff["services"]}["bike_fit"] == (
        "declined",
        "chosen",
    )
    assert (diff["total_before"], diff["total_after"]) == (first["total"], second["total"])
    assert_problem(
        client.post("/quotes/E-EDIT/accept", json={"version": 1, "margin": 10}), 409, "quote-state"
    )
    accepted = client.post("/quotes/E-EDIT/accept", json={"margin": 10})
    assert accepted.status_code == 200 and accepted.json()["version"] == 2


def test_the_pdf_downloads_as_an_attachment(client: TestClient, wanted: dict[str, dict[str, int]]) -> None:
    """GET ?format=pdf answers Content-Disposition: attachment with the file name quote-<id>-v<n>.pdf."""
    _quote(client, "E-PDF", catalog=CATALOG, selections=wanted)
    pdf = client.get("/quotes/E-PDF", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"] == 'attachment; filename="quote-E-PDF-v1.pdf"'


def test_bad_edits_are_clear_problems(client: TestClient, wanted: dict[str, dict[str, int]]) -> None:
    """A service not offered, a discount on no line, or session and selections together are 422 problems."""
    for body in (
        {"catalog": CATALOG, "selections": wanted, "services": {"no_such": True}},
        {"catalog": CATALOG, "selections": wanted, "discounts": [{"line": "frame.carbon_x", "pct": 1}]},
        {"catalog": CATALOG, "selections": wanted, "session_id": "s-1"},
        {"selections": wanted},
    ):
        answer = client.post(f"/customers/{CUSTOMER}/quotes", json={"quote_id": "E-BAD", **body})
        assert_problem(answer, 422, "quote-request")
