"""A campaign on a local Dask cluster of 2 worker processes over the demo data: offers, quotes, resume."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import polars as pl
import pytest

from configurator.campaign import CampaignPlan, offer_id, run_campaign
from configurator.storage import SqlStore
from support import ROOT, demo_store

pytest.importorskip("dask.distributed")

CATALOGS = tuple(str(ROOT / "catalogs" / f"{name}.yaml") for name in ("ebike", "kitchen", "laptop", "valve"))


def _quotes(store: SqlStore, run_id: str) -> list[str]:
    """The run's quote numbers stored (campaign quote numbers start with ``C-<run>-``)."""
    with store.atomic():
        return sorted(
            q["quote_id"]
            for c in store.canonical_profiles()
            for q in store.quotes_for(c.customer_id)
            if q["quote_id"].startswith(f"C-{run_id}-")
        )


def test_a_failed_partition_resumes_with_the_same_results_and_nothing_twice(tmp_path: Path) -> None:
    """A run with a partition failing records the others; the rerun does only it and stores each offer once."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    store = demo_store(url)
    plan = CampaignPlan(url, "demo", CATALOGS, run_id="r1", partitions=4, segment="mgc", quote_top=5)
    broken = dataclasses.replace(plan, fail_partitions=(1,))
    first = run_campaign(broken, workers=2)
    assert list(first.failed) == ["offers:1"] and first.ran == 3 and first.tiers_refreshed
    assert sorted(store.finished_partitions("r1", "offers")) == [0, 2, 3]
    resumed = run_campaign(plan, workers=2, parquet=tmp_path / "out")
    assert resumed.failed == {} and resumed.resumed == 3 and not resumed.tiers_refreshed
    again = run_campaign(plan, workers=2)
    assert again.ran == 0 and again.offers == resumed.offers and again.quotes == resumed.quotes == 5

    clean = run_campaign(dataclasses.replace(plan, run_id="r2"), workers=2)
    offers = store.campaign_offers("r1")
    ids = [o["offer_id"] for o in offers]
    assert len(ids) == len(set(ids)) == store.campaign_offer_count("r1") == resumed.offers["total"]
    assert ids == [offer_id("r1", o["customer_id"], o["catalog_id"]) for o in offers]
    strip = [{k: v for k, v in o.items() if k not in ("offer_id", "run_id", "partition")} for o in offers]
    assert strip == [
        {k: v for k, v in o.items() if k not in ("offer_id", "run_id", "partition")}
        for o in store.campaign_offers("r2")
    ]
    assert clean.offers == resumed.offers and clean.expected_value == resumed.expected_value
    assert {"tiers", "offers", "quotes", "summary"} <= set(clean.timings) and sum(clean.timings.values()) > 0
    quoted = _quotes(store, "r1")
    assert len(quoted) == len(set(quoted)) == 5
    assert all(q.startswith("C-r1-") for q in quoted)
    frame = pl.read_parquet(tmp_path / "out" / "offers.parquet")
    assert frame.height == len(offers) and set(frame["kind"]) <= {"upgrade", "service"}
    assert pl.read_parquet(tmp_path / "out" / "quotes.parquet")["quote_id"].sort().to_list() == quoted


def test_an_in_memory_database_is_refused() -> None:
    """Workers are other processes: a campaign over ``sqlite://`` fails before starting any."""
    from configurator.errors import ConfiguratorError

    with pytest.raises(ConfiguratorError, match="workers can open"):
        run_campaign(CampaignPlan("sqlite://", "demo", CATALOGS))
