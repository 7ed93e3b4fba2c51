"""Demand analytics: demand counts, options ruled out with their rule, unknown and never-chosen options, repairs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from configurator.assembly.analytics import DemandReport, demand_report
from configurator.catalog.loader import load_catalog
from configurator.catalog.models import Catalog
from configurator.customers.events import validate_event
from configurator.storage import SqlStore, make_engine, upgrade
from support import ROOT, demo_store, make_catalog


def _bike() -> Catalog:
    return make_catalog(
        {
            "frame": {"options": {"alu": {}, "carbon": {}, "steel": {}}},
            "motor": {"choose": {"min": 0, "max": 1}, "options": {"hub": {}, "mid": {}}},
        },
        rules=[{"id": "carbon-no-hub", "excludes": ["frame.carbon", "motor.hub"]}],
        catalog="bike",
    )


def _event(event_id: str, minute: int, who: str, channel: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": kind,
        "customer_id": who,
        "channel": channel,
        "ts": f"2026-05-01T12:{minute:02}:00Z",
        **fields,
    }


SYNTHETIC = [
    _event(
        "e1", 1, "ann", "web", "configured", catalog="bike", selections={"frame": "carbon", "motor": "hub"}
    ),
    _event("e2", 2, "ann", "web", "configured", catalog="bike", selections={"frame": "alu", "motor": "hub"}),
    _event("e3", 3, "bob", "sales_rep", "quote_requested", catalog="bike", selections={"frame": "alu"}),
    _event(
        "e4",
        4,
        "bob",
        "sales_rep",
        "purchased",
        order_id="o1",
        margin=10,
        lines=[
            {
                "item": "b1",
                "catalog": "bike",
                "unit_price": 900,
                "selections": {"frame": "alu", "motor": "mid"},
            },
            {"item": "bell", "catalog": "parts", "unit_price": 9, "selections": {"frame": "carbon"}},
        ],
    ),
    _event(
        "e5", 5, "cyd", "phone", "configured", catalog="bike", selections={"frame": "alu", "motor": "hub"}
    ),
    _event("e6", 6, "cyd", "phone", "stated_need", need="option:frame.carbon", value=True, catalog="bike"),
    _event("e7", 7, "dan", "web", "configured", catalog="bike", selections={"frame": "titanium"}),
    _event("e8", 8, "dan", "web", "viewed", catalog="bike"),
]
"""Hand count: frame.alu 4 (e2 e3 e4 e5), frame.carbon 2 (e1, stated e6), motor.hub 3, motor.mid 1; frame.steel
never chosen; frame.titanium unknown; carbon-no-hub broken by e1 (repaired by e2) and by e6's stated carbon with
cyd's hub."""


@pytest.fixture(scope="module")
def report() -> DemandReport:
    """The report over the synthetic events."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    store = SqlStore(engine, "shop")
    store.write_events([validate_event(e, tenant="shop") for e in SYNTHETIC])
    return demand_report(store, _bike())


@pytest.fixture(scope="module")
def demo() -> SqlStore:
    """The demo events with a refreshed tier snapshot."""
    store = demo_store()
    store.refresh_tiers()
    return store


def test_demand_per_option_matches_the_hand_count(report: DemandReport) -> None:
    """Each chosen or stated option counts once per event (purchase lines of other catalogs left out)."""
    rows = report.option_demand().select("option", "demand", "customers", "stated_need").rows()
    assert rows == [
        ("frame.alu", 4, 3, 0),
        ("frame.carbon", 2, 2, 1),
        ("motor.hub", 3, 2, 0),
        ("motor.mid", 1, 1, 0),
    ]
    assert report.module_demand().select("module", "demand").rows() == [("frame", 6), ("motor", 4)]
    assert report.events == 7 and report.customers == 4


def test_demand_splits_by_channel_and_tier(report: DemandReport) -> None:
    """The channel split sums to the option's demand; customers without a tier snapshot count as standard."""
    by_channel = report.split("channel").filter(pl.col("option") == "frame.alu")
    assert by_channel.select("channel", "demand").rows() == [("phone", 1), ("sales_rep", 2), ("web", 1)]
    assert set(report.split("tier")["tier"].to_list()) == {"standard"}


def test_ruled_out_option_names_its_rule(report: DemandReport) -> None:
    """An option chosen (or stated) with another choice its rule excludes is listed with the rule id."""
    rows = report.ruled_out().select("option", "rule_id", "times", "customers").rows()
    assert rows == [("frame.carbon", "carbon-no-hub", 2, 2), ("motor.hub", "carbon-no-hub", 1, 1)]


def test_options_no_longer_in_the_catalog_are_listed(report: DemandReport) -> None:
    """An option the catalog does not have counts as unknown, not as demand."""
    assert report.unknown_options().select("option", "times").rows() == [("frame.titanium", 1)]


def test_never_chosen_options_are_listed(report: DemandReport) -> None:
    """Options no event chose are listed in catalog order; a stated option is not a choice."""
    assert report.never_chosen() == ["frame.steel"]


def test_conflicts_and_the_repairs_taken(report: DemandReport) -> None:
    """A broken configuration fixed by the customer's next one counts as repaired, with what was dropped."""
    assert report.conflicts().rows() == [("carbon-no-hub", 1, 1, 1)]
    assert report.repairs().rows() == [("carbon-no-hub", "frame.carbon", "frame.alu", 1)]


def test_since_leaves_earlier_events_out(report: DemandReport) -> None:
    """--since counts events from that UTC day on."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    store = SqlStore(engine, "shop")
    store.write_events([validate_event(e, tenant="shop") for e in SYNTHETIC])
    assert demand_report(store, _bike(), since=dt.date(2026, 5, 2)).events == 0
    assert demand_report(store, _bike(), since=dt.date(2026, 5, 1)).events == report.events


def test_json_shape(report: DemandReport) -> None:
    """as_dict has one list of row objects per table and the never-chosen options."""
    data = report.as_dict()
    assert set(data) == {
        "catalog", "tenant", "since", "events", "customers", "options", "modules", "by_tier", "by_channel",
        "ruled_out", "unknown_options", "conflicts", "repairs", "never_chosen",
    }  # fmt: skip
    assert data["ruled_out"][0] == {
        "option": "frame.carbon",
        "rule_id": "carbon-no-hub",
        "kind": "excludes",
        "message": data["ruled_out"][0]["message"],
        "times": 2,
        "customers": 2,
    }
    assert data["never_chosen"] == ["frame.steel"]


def test_demo_kitchen_rules_out_by_worktop_length(demo: SqlStore) -> None:
    """On the demo events, kitchen options are ruled out by worktop-length and customers repaired it."""
    report = demand_report(demo, load_catalog(ROOT / "catalogs" / "kitchen.yaml"))
    assert set(report.ruled_out()["rule_id"].to_list()) == {"worktop-length"}
    conflicts = report.conflicts().row(0, named=True)
    assert conflicts["rule_id"] == "worktop-length" and conflicts["repaired"] > 0
    assert "frame.alu_lowstep" in report.unknown_options()["option"].to_list()
    assert "worktop.steel" in report.never_chosen()


def test_demo_tier_split_uses_the_snapshot(demo: SqlStore) -> None:
    """The tier split sums to each option's demand and names tiers of the stored snapshot."""
    report = demand_report(demo, load_catalog(ROOT / "catalogs" / "ebike.yaml"))
    by_tier = report.split("tier").group_by("option").agg(pl.col("demand").sum()).sort("option")
    assert by_tier.rows() == report.option_demand().select("option", "demand").rows()
    assert set(report.split("tier")["tier"].to_list()) <= set(demo.tiers_frame()["tier"].to_list())
    assert len(set(report.split("tier")["tier"].to_list())) > 1
