"""A shop with a history: the purchases of earlier customers, drawn from the same population, before the run.

A shop that opens its learning loop already has sales. :func:`seed_history` records, for each earlier
customer (drawn from the same segments as the measured ones, :func:`~configurator.simulate.tastes.
draw_population`), one occasion settled against their taste and the configuration they bought, as a
``purchased`` event through ingestion (one line of the catalog with its selections), dated before the measured
customers' first purchase. The product's population model is fitted on these sales from the first purchase
index on, and the ``most_popular`` baseline counts them (:class:`~configurator.simulate.baselines.History`):
both then know the population at purchase 1, while each measured customer is still new.

Example:
    >>> import random
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.simulate.baselines import History
    >>> from configurator.simulate.occasions import Searcher
    >>> from configurator.simulate.tastes import draw_population
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}}}})
    >>> earlier = draw_population(bike, 3, seed=1)
    >>> records = seed_history(bike, earlier, Searcher(bike, country="PT"), History(), seed=1)
    >>> [r["type"] for r in records], records[0]["lines"][0]["catalog"]
    (['purchased', 'purchased', 'purchased'], 'bike')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal

from configurator.catalog.models import Catalog
from configurator.simulate.baselines import History
from configurator.simulate.occasions import Searcher, draw_occasion
from configurator.simulate.tastes import Taste

__all__ = ["HISTORY_START", "earlier_customers", "seed_history"]

HISTORY_START = dt.datetime(2023, 1, 9, 9, tzinfo=dt.UTC)
"""When the earlier customers' purchases begin (a year before the measured customers' first)."""


def earlier_customers(tastes: Sequence[Taste]) -> list[Taste]:
    """The tastes renamed as earlier customers (``hist-0001``...), so that no measured customer has a history.

    Example:
        >>> earlier_customers([Taste("sim-0009", 0, {}, -0.01, 0.5)])[0].customer_id
        'hist-0001'
    """
    return [dataclasses.replace(t, customer_id=f"hist-{k:04d}") for k, t in enumerate(tastes, 1)]


def seed_history(
    catalog: Catalog,
    earlier: Sequence[Taste],
    searcher: Searcher,
    history: History,
    *,
    seed: int,
    catalog_id: str | None = None,
    tag: str = "",
) -> list[dict[str, object]]:
    """One purchase per earlier customer: its ``purchased`` event (to ingest), also counted in ``history``.

    Args:
        catalog: the catalog they bought from.
        earlier: the earlier customers' tastes.
        searcher: the catalog's searcher (their best configuration for the occasion).
        history: the baselines' record of purchases (each earlier purchase is added to the population's).
        seed: the random seed of their occasions.
        catalog_id: the catalog id the lines name (default: ``catalog.catalog``).
        tag: told into the event and order ids, so that the same customers can buy from a second catalog.

    Returns:
        The ``purchased`` events, oldest first, one hour apart.
    """
    records: list[dict[str, object]] = []
    suffix = f"-{tag}" if tag else ""
    for number, taste in enumerate(earlier):
        rng = random.Random(f"{seed}:history:{taste.customer_id}")
        _, bought = searcher.settle(taste.weights(), draw_occasion(catalog, taste, searcher, rng))
        history.add(taste.customer_id, bought)
        price = searcher.total(bought)
        selections = {m: dict(o) for m, o in bought.selections.items() if o}
        records.append(
            {"event_id": f"{taste.customer_id}:order{suffix}", "type": "purchased",
             "customer_id": taste.customer_id, "channel": "web",
             "ts": (HISTORY_START + dt.timedelta(hours=number)).isoformat(),
             "order_id": f"H-{taste.customer_id}{suffix}", "total": str(price),
             "margin": str((price * Decimal("0.30")).quantize(Decimal("0.01"))),
             "lines": [{"item": catalog_id or catalog.catalog, "catalog": catalog_id or catalog.catalog,
                        "unit_price": str(price), "selections": selections}]}
        )  # fmt: skip
    return records
