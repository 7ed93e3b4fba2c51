"""``POST /events`` is no oracle for "was this person erased?"; only an admin sees how many events were dropped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from configurator.customers.consent import erase_person, export_person
from configurator.customers.keyring import PrivacyKeys
from configurator.storage import SqlStore, make_engine
from support import SECRET, api_key, auth, demo_api_client

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
ERASED, KEPT = "c-1030", "c-1001"


@pytest.fixture
def erased(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, Any], dict[str, Any]]]:
    """A demo app whose customer c-1030 was erased; with the export of c-1030 (before) and of c-1001."""
    url = f"sqlite:///{tmp_path / 'configurator.db'}"
    with demo_api_client(tmp_path, AT, url) as client:
        engine = make_engine(url)
        try:
            store = SqlStore(engine, "demo")
            gone, kept = export_person(store, ERASED), export_person(store, KEPT)
            erase_person(store, ERASED, actor="dpo", keys=PrivacyKeys.from_secrets(SECRET.encode()))
        finally:
            engine.dispose()
        yield client, gone, kept


def _post(client: TestClient, event_id: str, **fields: Any) -> dict[str, Any]:
    event = {"event_id": event_id, "type": "viewed", "channel": "web", "ts": "2026-11-20T10:00:00Z", **fields}
    response = client.post("/events", json=event)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return {k: body[k] for k in ("received", "accepted", "duplicates", "suppressed")}


def _email(person: dict[str, Any]) -> str:
    return str(next(i["value"] for i in person["identifiers"] if i["kind"] == "email"))


def test_an_erased_persons_event_is_answered_as_anyone_elses(
    erased: tuple[TestClient, dict[str, Any], dict[str, Any]],
) -> None:
    """New, repeated and old event ids of an erased person get the answers a kept person's would get."""
    client, gone, kept = erased
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = [
        (
            {"anonymous_id": "a-x1", "traits": {"email": _email(gone)}},
            {"anonymous_id": "a-y1", "traits": {"email": _email(kept)}},
        ),
        ({"customer_id": ERASED}, {"customer_id": KEPT}),
    ]
    for erased_fields, kept_fields in pairs:
        suffix = len(erased_fields)
        first = _post(client, f"x-{suffix}", **erased_fields)
        assert (
            first
            == _post(client, f"y-{suffix}", **kept_fields)
            == {
                "received": 1,
                "accepted": 1,
                "duplicates": 0,
                "suppressed": 0,
            }
        )
        assert _post(client, f"x-{suffix}", **erased_fields) == _post(client, f"y-{suffix}", **kept_fields)
    old_gone, old_kept = gone["events"][0]["event_id"], kept["events"][0]["event_id"]
    assert (
        _post(client, old_gone, customer_id=ERASED)
        == _post(client, old_kept, customer_id=KEPT)
        == {
            "received": 1,
            "accepted": 0,
            "duplicates": 1,
            "suppressed": 0,
        }
    )
    assert client.get(f"/customers/{ERASED}").status_code == 404  # nothing was stored


def test_only_an_admin_sees_how_many_events_were_dropped(
    erased: tuple[TestClient, dict[str, Any], dict[str, Any]],
) -> None:
    """GET /events/suppressed counts the dropped events for an admin key; an events key gets a 403."""
    client, gone, _ = erased
    _post(client, "x-1", customer_id=ERASED)
    _post(client, "x-2", anonymous_id="a-x2", traits={"email": _email(gone)})
    _post(client, "y-1", customer_id=KEPT)
    assert client.get("/events/suppressed").json() == {"suppressed": 2, "posts": 2}
    writer = auth(api_key(client.app, scopes=["events"]))
    assert client.get("/events/suppressed", headers=writer).status_code == 403
    body = client.post(
        "/events",
        headers=writer,
        json={
            "event_id": "x-3",
            "type": "viewed",
            "channel": "web",
            "ts": "2026-11-20T10:00:00Z",
            "customer_id": ERASED,
        },
    ).json()
    assert (body["accepted"], body["suppressed"]) == (1, 0)
