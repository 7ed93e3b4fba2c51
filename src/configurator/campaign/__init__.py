"""Batch campaigns over a tenant's whole customer base on Dask: tiers, next-best offers and quotes.

A run (:class:`CampaignPlan`) refreshes the tier snapshot, finds each customer's next-best offer (an upgrade of
what they own or an add-on service, with its reason and expected value), quotes the most valuable customers of
a segment and writes everything to the store and to Parquet. Customers are split into partitions by a hash of
their id; each partition's work runs in a Dask worker process, is recorded when it finishes and is idempotent,
so rerunning a run id resumes it (:func:`run_campaign`). Needs the ``scale`` extra (Dask).

Example:
    >>> from configurator.campaign import CampaignPlan, partition_of
    >>> plan = CampaignPlan("sqlite:///shop.db", "shop", ("catalogs/ebike.yaml",), run_id="r1")
    >>> plan.partitions, plan.segment, 0 <= partition_of("c-1", plan.partitions) < plan.partitions
    (8, 'mgc', True)
"""

from configurator.campaign.offers import CampaignOffer, next_offer
from configurator.campaign.plan import CampaignPlan, campaign_quote_id, offer_id, partition_of
from configurator.campaign.run import CampaignReport, run_campaign

__all__ = [
    "CampaignOffer",
    "CampaignPlan",
    "CampaignReport",
    "campaign_quote_id",
    "next_offer",
    "offer_id",
    "partition_of",
    "run_campaign",
]
