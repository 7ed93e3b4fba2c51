"""``GET /sessions/{id}/questions``: guided selling through the API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from support import DEMO_CUSTOMERS, assert_problem, demo_api_client

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
CATALOG = "ebike-urban"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A client over the example catalogs and the demo database."""
    with demo_api_client(tmp_path_factory.mktemp("questions"), AT) as test_client:
        yield test_client


def _session(client: TestClient, customer: str | None) -> str:
    body = {"catalog": CATALOG} | ({"customer_id": customer} if customer else {})
    answer = client.post("/sessions", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["session_id"])


def test_questions_name_undecided_modules_in_the_locale_best_first(client: TestClient) -> None:
    """Up to 3 questions on undecided modules, labelled in Portuguese, gains falling, answers with probabilities."""
    sid = _session(client, DEMO_CUSTOMERS[CATALOG])
    answer = client.get(f"/sessions/{sid}/questions", params={"locale": "pt"})
    assert answer.status_code == 200, answer.text
    questions = answer.json()["questions"]
    assert 1 <= len(questions) <= 3
    gains = [q["gain"] for q in questions]
    assert gains == sorted(gains, reverse=True)
    catalog = client.get(f"/catalogs/{CATALOG}", params={"locale": "pt"}).json()
    labels = {m["id"]: m["label"] for m in catalog["modules"]}
    for question in questions:
        assert question["module_label"] == labels[question["module"]]
        assert abs(sum(a["probability"] for a in question["answers"]) - 1) < 1e-3


def test_an_answered_question_is_not_asked_again(client: TestClient) -> None:
    """Choosing an option of the top question's module answers it: the next ranking leaves that module out."""
    sid = _session(client, DEMO_CUSTOMERS[CATALOG])
    first = client.get(f"/sessions/{sid}/questions").json()["questions"][0]
    option = next(a["option"] for a in first["answers"] if a["option"])
    chose = client.post(
        f"/sessions/{sid}/choices", json={"action": "select", "module": first["module"], "option": option}
    )
    assert chose.status_code == 200, chose.text
    again = client.get(f"/sessions/{sid}/questions").json()["questions"]
    assert first["module"] not in {q["module"] for q in again if q["option"] is None}


def test_an_anonymous_session_has_no_questions_and_limits_are_checked(client: TestClient) -> None:
    """No customer, no one to ask: an empty list; a limit above 3 is a 422 problem."""
    sid = _session(client, None)
    assert client.get(f"/sessions/{sid}/questions").json()["questions"] == []
    assert_problem(client.get(f"/sessions/{sid}/questions", params={"limit": 4}), 422, "invalid-request")
