"""The session API the rep page builds on: conflicts with ranked repairs applied by index, and the draft."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from support import DEMO_CUSTOMERS, assert_problem, demo_api_client

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
CATALOG = "ebike-urban"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client of an app over the example catalogs and a fresh demo database (tenant ``demo``)."""
    with demo_api_client(tmp_path_factory.mktemp("api-sessions"), AT) as test_client:
        yield test_client


def _conflicted(client: TestClient, customer: str | None = None) -> tuple[str, dict[str, Any]]:
    """A session with the carbon frame and then the belt drive it rules out (answered with the conflict)."""
    body = {"catalog": CATALOG} | ({} if customer is None else {"customer_id": customer})
    sid = client.post("/sessions", json=body).json()["session_id"]
    choices = f"/sessions/{sid}/choices"
    client.post(choices, json={"action": "select", "module": "frame", "option": "carbon_diamond"})
    state = client.post(
        choices + "?locale=pt", json={"action": "select", "module": "drivetrain", "option": "nexus_5e_belt"}
    ).json()
    return sid, state


def test_an_unavailable_option_is_accepted_with_the_conflict_in_words_and_repairs(client: TestClient) -> None:
    """Selecting a ruled-out option answers the conflict (labels in the locale) and ranked repairs."""
    _, state = _conflicted(client)
    assert state["feasible"] is False
    conflict = state["conflict"]
    assert set(conflict["labels"]) == {"frame.carbon_diamond", "drivetrain.nexus_5e_belt"}
    assert all(":" in label for label in conflict["labels"].values())
    assert conflict["messages"]
    repairs = state["repairs"]
    assert [r["index"] for r in repairs] == list(range(len(repairs))) and len(repairs) >= 2
    assert repairs[0]["drop"] == ["frame.carbon_diamond"]  # the newest choice (the belt) is kept first
    assert [r["cost"] for r in repairs] == sorted(r["cost"] for r in repairs)
    assert {tuple(r["drop"]) for r in repairs} >= {("frame.carbon_diamond",), ("drivetrain.nexus_5e_belt",)}


def test_a_repair_applies_with_one_request(client: TestClient) -> None:
    """POST /sessions/{id}/repair gives up the repair's choices: the session is feasible again."""
    sid, state = _conflicted(client)
    assert isinstance(state["repairs"], list)
    done = client.post(f"/sessions/{sid}/repair", json={"index": 1}).json()
    assert done["feasible"] is True and done["repairs"] == [] and done["conflict"] is None
    kept = {f"{c['module']}.{c['option']}" for c in done["choices"]}
    assert kept == {"frame.carbon_diamond"}
    assert_problem(client.post(f"/sessions/{sid}/repair", json={"index": 0}), 422, "invalid-configuration")


def test_a_customers_repairs_are_ranked_by_their_needs(client: TestClient) -> None:
    """A customer's session answers repairs with costs from their needs (still cheapest first)."""
    _, state = _conflicted(client, DEMO_CUSTOMERS[CATALOG])
    repairs = state["repairs"]
    assert repairs and [r["cost"] for r in repairs] == sorted(r["cost"] for r in repairs)


def test_the_draft_is_kept_with_the_session(client: TestClient) -> None:
    """PUT /sessions/{id}/draft stores any JSON object; GET answers it back; too big is a 422."""
    sid = client.post("/sessions", json={"catalog": CATALOG}).json()["session_id"]
    assert client.get(f"/sessions/{sid}").json()["draft"] == {}
    draft = {"budget": "4500", "notes": "Ligar à tarde", "services": {"care": False}}
    assert client.put(f"/sessions/{sid}/draft", json=draft).json()["draft"] == draft
    assert client.get(f"/sessions/{sid}").json()["draft"] == draft
    assert_problem(
        client.put(f"/sessions/{sid}/draft", json={"notes": "x" * 17_000}), 422, "invalid-configuration"
    )
    assert client.put(f"/sessions/{sid}/draft", json=[1, 2]).status_code == 422
    assert_problem(client.put("/sessions/nope/draft", json={}), 404, "unknown-session")


def test_explain_answers_which_options_could_replace_each_one_option_choice(client: TestClient) -> None:
    """With explain=1, a decided one-option module lists the options that fit the other choices in its place."""
    sid = client.post("/sessions", json={"catalog": CATALOG}).json()["session_id"]
    choices = f"/sessions/{sid}/choices"
    state = client.post(
        choices, json={"action": "select", "module": "drivetrain", "option": "nexus_5e_belt"}
    ).json()
    frame = next(o for o in state["domains"]["frame"] if o != "carbon_diamond")
    client.post(choices, json={"action": "select", "module": "frame", "option": frame})
    assert client.get(f"/sessions/{sid}").json()["alternatives"] is None  # only with explain=1
    alternatives = client.get(f"/sessions/{sid}?explain=1").json()["alternatives"]
    assert frame in alternatives["frame"] and "carbon_diamond" not in alternatives["frame"]
    assert "nexus_5e_belt" in alternatives["drivetrain"]


def test_a_returning_customer_starts_from_the_last_configuration(client: TestClient) -> None:
    """A customer who bought this catalog starts with those choices (started_from says when and how many)."""
    customer = "c-1004"  # bought an e-bike on 2026-11-13 (four choices recorded)
    state = client.post("/sessions", json={"catalog": CATALOG, "customer_id": customer}).json()
    start = state["started_from"]
    assert start["kind"] == "purchased" and start["at"].startswith("2026-11-13")
    assert start["saved"] == len(start["kept"]) == 4
    chosen = {f"{c['module']}.{c['option']}" for c in state["choices"] if c["selected"]}
    assert chosen == set(start["kept"]) and state["feasible"]
    again = client.get(f"/sessions/{state['session_id']}").json()
    assert again["started_from"] == start  # kept with the session
    blank = client.post(
        "/sessions", json={"catalog": CATALOG, "customer_id": customer, "start": "blank"}
    ).json()
    assert blank["choices"] == [] and blank["started_from"] is None


def test_a_start_leaves_out_what_no_longer_fits_and_says_why(client: TestClient) -> None:
    """On the valve, the last order's seals no longer go with its other choices: left out as a conflict."""
    state = client.post("/sessions", json={"catalog": "valve-pn5", "customer_id": "c-1005"}).json()
    changes = state["started_from"]["changes"]
    assert [(c["key"], c["reason"]) for c in changes] == [("seals.fkm", "conflict")]
    assert changes[0]["label"] and state["feasible"]
    anonymous = client.post("/sessions", json={"catalog": CATALOG}).json()
    assert anonymous["started_from"] is None and anonymous["choices"] == []


def test_at_equal_cost_the_repair_that_keeps_the_newest_choice_comes_first(client: TestClient) -> None:
    """Giving up the belt just chosen costs as much as two older choices: the repair that keeps it is first.

    No customer, so no learned need weighs on the costs: every choice costs the same, the newest double.
    """
    sid = client.post("/sessions", json={"catalog": CATALOG}).json()["session_id"]
    choices = f"/sessions/{sid}/choices"
    for module, option in (("motor", "bosch_cx"), ("frame", "carbon_diamond")):
        client.post(choices, json={"action": "select", "module": module, "option": option})
    state = client.post(
        choices, json={"action": "select", "module": "drivetrain", "option": "nexus_5e_belt"}
    ).json()
    assert not state["feasible"] and len(state["repairs"]) >= 2
    first, second = state["repairs"][:2]
    assert first["cost"] == second["cost"] == 200
    assert "drivetrain.nexus_5e_belt" not in first["drop"] and second["drop"] == ["drivetrain.nexus_5e_belt"]
