"""Two API server processes over one PostgreSQL database: any worker answers any request, nothing lost or doubled."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from configurator.access import KeyRing
from configurator.storage import CredentialStore, SqlStore
from pg import open_database
from support import DEMO_CUSTOMERS, ROOT, SECRET, demo_store

CATALOG = "ebike-urban"
CUSTOMER = DEMO_CUSTOMERS[CATALOG]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _server(url: str, log: Path) -> Iterator[str]:
    """One ``uvicorn --factory configurator.api.app:app_from_environment`` process; its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "CONFIGURATOR_DATABASE_URL": url,
        "CONFIGURATOR_SECRET_KEY": SECRET,
        "CONFIGURATOR_CATALOGS_DIR": str(ROOT / "catalogs"),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "configurator.api.app:app_from_environment"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def workers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Two server processes over one PostgreSQL database holding the demo data, and a key of tenant demo."""
    folder = tmp_path_factory.mktemp("workers")
    with open_database("postgresql", request) as db:
        demo_store(db.url).engine.dispose()
        key, _ = KeyRing(CredentialStore(db.engine), SECRET.encode()).create(
            "demo", "workers", ["admin"], created_by="tests"
        )
        with _server(db.url, folder / "a.log") as a, _server(db.url, folder / "b.log") as b:
            headers = {"Authorization": f"Bearer {key}"}
            with (
                httpx.Client(base_url=a, headers=headers, timeout=60) as ca,
                httpx.Client(base_url=b, headers=headers, timeout=60) as cb,
            ):
                yield db, ca, cb


def test_a_session_is_answered_by_either_worker(workers: Any) -> None:
    """A session opened on one worker is cleared, changed and read on both, 20 times: never a 404 or stale."""
    _, a, b = workers
    opened = a.post("/sessions", json={"catalog": CATALOG, "customer_id": CUSTOMER})
    assert opened.status_code == 201, opened.text
    sid = opened.json()["session_id"]
    frame = opened.json()["domains"]["frame"]
    for n in range(20):
        worker = (a, b)[n % 2]
        option = frame[n % len(frame)]
        assert (b, a)[n % 2].post(f"/sessions/{sid}/choices", json={"action": "clear"}).status_code == 200
        changed = worker.post(
            f"/sessions/{sid}/choices", json={"action": "select", "module": "frame", "option": option}
        )
        assert changed.status_code == 200, changed.text
        for reader in (a, b):
            state = reader.get(f"/sessions/{sid}")
            assert state.status_code == 200, state.text
            assert [c["option"] for c in state.json()["choices"]] == [option]
    assert b.delete(f"/sessions/{sid}").status_code == 204
    assert a.get(f"/sessions/{sid}").status_code == 404


def test_concurrent_changes_on_both_workers_are_each_applied_or_refused(workers: Any) -> None:
    """Clicks sent at once to both workers: each answers 200 or 409, never 5xx; the stored choices are one of them."""
    _, a, b = workers
    sid = a.post("/sessions", json={"catalog": CATALOG}).json()["session_id"]
    modules = ["frame", "motor", "battery", "brakes"]
    domains = a.get(f"/sessions/{sid}").json()["domains"]

    def click(n: int) -> int:
        module = modules[n % len(modules)]
        body = {"action": "select", "module": module, "option": domains[module][0]}
        return int((a, b)[n % 2].post(f"/sessions/{sid}/choices", json=body).status_code)

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(click, range(24)))
    assert set(codes) <= {200, 409, 422}, codes
    assert codes.count(200) >= 1
    final = {c["module"] for c in b.get(f"/sessions/{sid}").json()["choices"]}
    assert final <= set(modules) and final


def test_events_sent_to_both_workers_are_stored_once(workers: Any) -> None:
    """The same batch posted to both workers (and again) is stored once: the rest are duplicates."""
    db, a, b = workers
    events = [
        {
            "event_id": f"w-{n}",
            "type": "viewed",
            "customer_id": CUSTOMER,
            "channel": "web",
            "ts": "2026-11-20T10:00:00Z",
        }
        for n in range(40)
    ]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda c: c.post("/events", json=events).json(), [a, b, a, b]))
    assert sum(x["accepted"] for x in answers) == 40
    assert sum(x["duplicates"] for x in answers) == 120
    stored = [e for e in SqlStore(db.engine, "demo").customer_events(CUSTOMER) if e.event_id.startswith("w-")]
    assert len(stored) == 40


def test_a_quote_made_on_one_worker_is_read_and_accepted_once_on_the_other(workers: Any) -> None:
    """A quote saved on A renders on B; accepting it on B and again on A records one order."""
    db, a, b = workers
    made = a.post(f"/customers/{CUSTOMER}/quotes", json={"catalog": CATALOG, "quote_id": "Q-WORKERS"})
    assert made.status_code == 201, made.text
    html = b.get("/quotes/Q-WORKERS", params={"format": "html"})
    assert html.status_code == 200 and "Q-WORKERS" in html.text
    first = b.post("/quotes/Q-WORKERS/accept", json={"margin": "100", "order_id": "O-WORKERS"})
    again = a.post("/quotes/Q-WORKERS/accept", json={"margin": "100", "order_id": "O-WORKERS"})
    assert first.status_code == 200 and again.status_code == 200, (first.text, again.text)
    assert first.json()["order_id"] == again.json()["order_id"] == "O-WORKERS"
    orders = [o for o in SqlStore(db.engine, "demo").orders_for(CUSTOMER) if o["order_id"] == "O-WORKERS"]
    assert len(orders) == 1
