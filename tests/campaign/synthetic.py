"""Synthetic customers for campaign tests: the tier benchmark's heavy-tailed activity, with real e-bike purchases.

Like ``benchmarks/tiers_scale.py``'s generator, every customer has at least one event and the rest of the events
go to customers by a log-normal activity, so a few customers are very active and tiers differ. Each customer's
first event is a purchase of an e-bike configuration taken from the demo's purchases (so it is valid and lands
in the installed base), with their country; the others are views, configurations and more purchases.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np

from configurator.customers.events import Event, validate_event
from configurator.storage import SqlStore
from support import ROOT

__all__ = ["synthetic_events", "write_synthetic"]

END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
SPAN_DAYS = 730


def _ebike_lines() -> list[dict[str, Any]]:
    """The e-bike lines of the demo's purchases (valid configurations with prices and margins)."""
    lines = []
    for text in (ROOT / "examples" / "data" / "events.jsonl").read_text(encoding="utf-8").splitlines():
        event = json.loads(text)
        if event["type"] == "purchased":
            lines += [
                ln for ln in event["lines"] if ln.get("catalog") == "ebike-urban" and ln.get("selections")
            ]
    return lines


def synthetic_events(n_customers: int, per_customer: float = 3.0, seed: int = 7) -> list[Event]:
    """Validated events of ``n_customers`` customers (``c0``, ``c1``, ...), about ``per_customer`` each."""
    rng = np.random.default_rng(seed)
    lines = _ebike_lines()
    n_events = int(n_customers * per_customer)
    activity = rng.lognormal(0.0, 1.0, n_customers)
    extra = np.searchsorted(np.cumsum(activity) / activity.sum(), rng.random(n_events - n_customers))
    owner = np.concatenate([np.arange(n_customers), np.minimum(extra, n_customers - 1)])
    days = rng.uniform(0, SPAN_DAYS, n_events)
    kind = rng.choice(3, n_events, p=[0.5, 0.3, 0.2])
    pick = rng.integers(0, len(lines), n_events)
    events = []
    for i in range(n_events):
        customer = f"c{owner[i]}"
        ts = END - dt.timedelta(days=float(days[i]))
        line = lines[int(pick[i])]
        data: dict[str, Any] = {"event_id": f"e{i}", "customer_id": customer, "channel": "web", "ts": ts}
        if i < n_customers or kind[i] == 2:
            data |= {
                "type": "purchased",
                "order_id": f"o{i}",
                "lines": [dict(line, quantity=1)],
                "currency": "EUR",
            }
            if i < n_customers:
                data["traits"] = {"country": "PT", "language": "pt"}
        elif kind[i] == 1:
            data |= {"type": "configured", "catalog": "ebike-urban", "selections": line["selections"]}
        else:
            data |= {"type": "viewed", "catalog": "ebike-urban", "item": "ebike-urban"}
        events.append(validate_event(data, tenant="bench"))
    return events


def write_synthetic(store: SqlStore, n_customers: int, seed: int = 7) -> int:
    """Ingest ``n_customers`` synthetic customers into ``store`` (tenant ``bench``); return the events written."""
    events = synthetic_events(n_customers, seed=seed)
    for start in range(0, len(events), 5_000):
        store.write_events(events[start : start + 5_000])
    return len(events)
