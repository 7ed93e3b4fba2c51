"""The plan of a campaign run, and the ids that make its work idempotent.

A :class:`CampaignPlan` names the tenant, the catalogs, the segment to quote and the run id. Customers are split
into partitions by a stable hash of their canonical id (:func:`partition_of`), so the same customer lands in the
same partition on every attempt of a run; offers and quotes get ids derived from the run and the customer
(:func:`offer_id`, :func:`campaign_quote_id`), so a rerun finds what an earlier attempt stored instead of
adding it again.

Example:
    >>> partition_of("c-1004", 8), partition_of("c-1004", 8) == partition_of("c-1004", 8)
    (2, True)
    >>> offer_id("r1", "c-1004", "ebike-urban") == offer_id("r1", "c-1004", "ebike-urban")
    True
    >>> campaign_quote_id("r1", "c-1004", "ebike-urban")
    'C-r1-c-1004-EU'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import uuid

from configurator.errors import ConfiguratorError

__all__ = ["STEPS", "CampaignPlan", "campaign_quote_id", "offer_id", "partition_of"]

_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")

STEPS = ("offers", "quotes")
"""The recorded steps of a run, in order."""


def partition_of(customer_id: str, partitions: int) -> int:
    """The partition of a canonical customer id: the first 8 bytes of its SHA-256, modulo ``partitions``."""
    digest = hashlib.sha256(customer_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % partitions


def offer_id(run_id: str, customer_id: str, catalog_id: str) -> str:
    """The id of a customer's offer in one catalog of a run (64 hex digits)."""
    return hashlib.sha256(f"{run_id}\x1f{customer_id}\x1f{catalog_id}".encode()).hexdigest()


def campaign_quote_id(run_id: str, customer_id: str, catalog_id: str) -> str:
    """The quote number of a run's quote for a customer: ``C-<run>-<customer>-<catalog initials>``.

    Long ids are shortened to a hash so the number fits its column (200 characters).
    """
    initials = "".join(part[:1] for part in catalog_id.replace("_", "-").split("-") if part).upper()
    number = f"C-{run_id}-{customer_id}-{initials}"
    if len(number) <= 200:
        return number
    return f"C-{run_id[:40]}-{hashlib.sha256(number.encode()).hexdigest()[:32]}-{initials[:8]}"


@dataclasses.dataclass(frozen=True)
class CampaignPlan:
    """What a campaign run does; picklable, sent to every worker.

    Attributes:
        database: the database URL every worker opens (a file or server, not ``sqlite://`` in memory).
        tenant: the tenant.
        catalogs: catalog YAML paths (each worker loads and compiles each one once).
        run_id: the run; rerunning the same id resumes it.
        partitions: how many partitions the customers are split into.
        segment: the tier whose customers are quoted (``mvc``, ``mgc``, ``standard``), or None for no quotes.
        quote_top: how many customers of the segment are quoted, highest expected value first.
        margin_rate: the share of an offer's price that is margin (expected value = probability x margin).
        created_at: the moment offers and quotes are dated (default: when the plan was made).
        refresh_tiers: refresh the tier snapshot before the first partition (not again when resuming).
        population_sales: each catalog's population needs model learns from its most recent sales, at most this
            many (each worker reads and fits them once per run; a bounded window keeps that cheap on a long
            history); None learns from all.
        fail_partitions: partitions that fail on purpose after their work, before recording it (a drill of
            an interrupted run; leave empty).
    """

    database: str
    tenant: str
    catalogs: tuple[str, ...]
    run_id: str = dataclasses.field(default_factory=lambda: uuid.uuid4().hex[:12])
    partitions: int = 8
    segment: str | None = "mgc"
    quote_top: int = 100
    margin_rate: float = 0.3
    created_at: dt.datetime = dataclasses.field(default_factory=lambda: dt.datetime.now(dt.UTC))
    refresh_tiers: bool = True
    population_sales: int | None = 50_000
    fail_partitions: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        """Check the run id (it is part of quote numbers) and the counts.

        Example:
            >>> CampaignPlan("sqlite:///shop.db", "shop", (), run_id="May run")
            Traceback (most recent call last):
            ...
            configurator.errors.ConfiguratorError: run id: expected 1-40 letters, digits, '.', '_' or '-', got 'May run'
        """
        if not _RUN_ID.fullmatch(self.run_id):
            raise ConfiguratorError(
                f"run id: expected 1-40 letters, digits, '.', '_' or '-', got {self.run_id!r}"
            )
        if self.population_sales is not None and self.population_sales < 1:
            raise ConfiguratorError(
                f"campaign plan: expected population_sales >= 1 (or None for all), got {self.population_sales}"
            )
        if self.partitions < 1 or self.quote_top < 0 or not 0 <= self.margin_rate <= 1:
            raise ConfiguratorError(
                f"campaign plan: expected partitions >= 1, quote_top >= 0 and 0 <= margin_rate <= 1, got "
                f"{self.partitions}, {self.quote_top} and {self.margin_rate}"
            )
