"""The plan of a campaign run: stable partitions, derived ids, checked run ids."""

from __future__ import annotations

import pytest

from configurator.campaign import CampaignPlan, campaign_quote_id, offer_id, partition_of
from configurator.errors import ConfiguratorError


def test_partitions_are_stable_and_spread() -> None:
    """A customer always lands in the same partition, and 1,000 ids fill all 8 partitions."""
    ids = [f"c{i}" for i in range(1_000)]
    parts = [partition_of(c, 8) for c in ids]
    assert parts == [partition_of(c, 8) for c in ids]
    counts = [parts.count(p) for p in range(8)]
    assert min(counts) > 80 and sum(counts) == 1_000


def test_offer_and_quote_ids_derive_from_the_run_and_the_customer() -> None:
    """Same run and customer, same ids; another run or customer, other ids; long ids still fit 200 characters."""
    assert offer_id("r1", "c1", "bike") == offer_id("r1", "c1", "bike") != offer_id("r2", "c1", "bike")
    assert offer_id("r1", "c1", "bike") != offer_id("r1", "c2", "bike")
    assert campaign_quote_id("r1", "c1", "ebike-urban") == "C-r1-c1-EU"
    long = campaign_quote_id("r1", "x" * 200, "ebike-urban")
    assert len(long) <= 200 and long == campaign_quote_id("r1", "x" * 200, "ebike-urban")


@pytest.mark.parametrize("run_id", ["", "two words", "x" * 41, "../etc"])
def test_a_bad_run_id_is_refused(run_id: str) -> None:
    """Run ids are short and plain: they are part of quote numbers."""
    with pytest.raises(ConfiguratorError, match="run id"):
        CampaignPlan("sqlite:///shop.db", "shop", (), run_id=run_id)


def test_counts_are_checked() -> None:
    """At least one partition; a margin rate between 0 and 1; a population window of at least one sale."""
    with pytest.raises(ConfiguratorError, match="partitions"):
        CampaignPlan("sqlite:///shop.db", "shop", (), partitions=0)
    with pytest.raises(ConfiguratorError, match="margin_rate"):
        CampaignPlan("sqlite:///shop.db", "shop", (), margin_rate=1.5)
    with pytest.raises(ConfiguratorError, match="population_sales"):
        CampaignPlan("sqlite:///shop.db", "shop", (), population_sales=0)
    assert CampaignPlan("sqlite:///shop.db", "shop", (), population_sales=None).population_sales is None
