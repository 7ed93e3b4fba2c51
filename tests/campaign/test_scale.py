"""A campaign over 10,000 synthetic customers on a local Dask cluster of 2 worker processes (about 45 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaign.synthetic import write_synthetic
from configurator.campaign import CampaignPlan, partition_of, run_campaign
from configurator.storage import SqlStore, make_engine, upgrade
from support import ROOT

pytest.importorskip("dask.distributed")


@pytest.mark.slow
def test_every_customer_gets_one_offer_and_the_segment_its_quotes(tmp_path: Path) -> None:
    """Each synthetic customer owns an e-bike, so each gets exactly one offer; the top of the segment is quoted."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = make_engine(url)
    upgrade(engine)
    store = SqlStore(engine, "bench")
    customers = 10_000
    write_synthetic(store, customers)
    plan = CampaignPlan(
        url, "bench", (str(ROOT / "catalogs" / "ebike.yaml"),), run_id="big", partitions=8, quote_top=20
    )
    report = run_campaign(plan, workers=2)
    assert report.failed == {} and report.customers == customers
    assert sum(store.tier_counts().values()) == customers
    done = store.finished_partitions("big", "offers")
    assert sorted(done) == list(range(8))
    assert sum(r["customers"] for r in done.values()) == customers
    offers = store.campaign_offers("big")
    assert report.offers["total"] == len(offers) == len({o["customer_id"] for o in offers}) == customers
    assert all(partition_of(o["customer_id"], 8) == o["partition"] for o in offers)
    assert report.quotes == 20 and report.expected_value > 0
