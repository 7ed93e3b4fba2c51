"""The work of one partition, run in a Dask worker process; catalogs and stores are opened once per process.

:func:`offers_partition` computes the next-best offer of each customer of a partition and records the partition
with its offers in one transaction; :func:`quotes_partition` builds and saves the quotes of the partition's chosen
customers, skipping quote numbers already stored. Both return the partition's counts. Loading and compiling a
catalog, opening the database and fitting the population's needs happen once per worker process
(:func:`worker_catalog`, :func:`worker_store`, :func:`worker_needs`, cached by path and version, URL and run),
never per customer; the solver session of each catalog is kept per process by assembly. As in the API, what a
customer bought from the run's other catalogs teaches each one (:func:`worker_transfer`, once per process,
catalog and run).

Example:
    >>> worker_catalog("catalogs/ebike.yaml") is worker_catalog("catalogs/ebike.yaml")
    True
"""

from __future__ import annotations

import functools
import os
import resource
import time
from collections.abc import Sequence
from typing import Any

from configurator.assembly.context import customer_context
from configurator.assembly.needs import population_sales, transfer_for
from configurator.campaign.offers import next_offer
from configurator.campaign.plan import CampaignPlan, campaign_quote_id
from configurator.catalog.loader import load_catalog
from configurator.catalog.models import Catalog
from configurator.errors import ConfiguratorError
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.models import NeedsModel
from configurator.needs.transfer import Transfer
from configurator.storage import PreloadedStore, SqlStore, make_engine

__all__ = [
    "offers_partition",
    "quotes_partition",
    "worker_catalog",
    "worker_needs",
    "worker_store",
    "worker_transfer",
]


@functools.cache
def _catalog(path: str, version: int) -> Catalog:
    return load_catalog(path)


def worker_catalog(path: str) -> Catalog:
    """The catalog at ``path``, loaded and checked once per process and file version (its modification time)."""
    return _catalog(os.path.abspath(path), os.stat(path).st_mtime_ns)


@functools.cache
def worker_store(database: str, tenant: str) -> SqlStore:
    """One store (and engine) per process, database and tenant."""
    return SqlStore(make_engine(database), tenant)


@functools.cache
def _needs(
    database: str, tenant: str, path: str, version: int, run_id: str, latest: int | None
) -> tuple[CatalogNeedsView, NeedsModel]:
    catalog = _catalog(path, version)
    view = CatalogNeedsView(catalog)
    sales = population_sales(worker_store(database, tenant), catalog.catalog, latest=latest)
    return view, view.fit_population(sales)


def worker_needs(plan: CampaignPlan, path: str) -> tuple[CatalogNeedsView, NeedsModel]:
    """The catalog's needs view and the population model fitted on its recent sales, once per process and run."""
    return _needs(
        plan.database,
        plan.tenant,
        os.path.abspath(path),
        os.stat(path).st_mtime_ns,
        plan.run_id,
        plan.population_sales,
    )


@functools.cache
def _transfer(
    database: str, tenant: str, paths: tuple[tuple[str, int], ...], path: str, run_id: str, latest: int | None
) -> Transfer | None:
    catalogs = {c.catalog: c for c in (_catalog(p, version) for p, version in paths)}
    here = _catalog(path, dict(paths)[path]).catalog
    if len(catalogs) < 2:
        return None
    _, population = _needs(database, tenant, path, dict(paths)[path], run_id, latest)
    return transfer_for(worker_store(database, tenant), catalogs, besides=here, population=population)


def worker_transfer(plan: CampaignPlan, path: str) -> Transfer | None:
    """What the run's other catalogs teach the one at ``path`` (None with no other), once per process and run."""
    paths = tuple((os.path.abspath(p), os.stat(p).st_mtime_ns) for p in plan.catalogs)
    if os.path.abspath(path) not in dict(paths):
        paths += ((os.path.abspath(path), os.stat(path).st_mtime_ns),)
    return _transfer(
        plan.database, plan.tenant, paths, os.path.abspath(path), plan.run_id, plan.population_sales
    )


def _bought(store: SqlStore, customer_id: str) -> set[str]:
    return {
        str(line.get("item")) for order in store.orders_for(customer_id) for line in order.get("lines") or ()
    }


def offers_partition(plan: CampaignPlan, partition: int, customer_ids: Sequence[str]) -> dict[str, Any]:
    """Compute and record the next-best offers of one partition's customers; return its counts.

    Recording the partition and replacing its offers is one transaction, so a partition is either finished
    with all its offers or not at all.

    Raises:
        ConfiguratorError: the partition is in ``plan.fail_partitions`` (a drill).
    """
    started = time.perf_counter()
    store = worker_store(plan.database, plan.tenant)
    day = plan.created_at.date()
    rows: list[dict[str, Any]] = []
    kinds = {"upgrade": 0, "service": 0}
    group = PreloadedStore(store.engine, plan.tenant, customer_ids)  # a few queries for the whole partition
    bought = {customer_id: _bought(group, customer_id) for customer_id in customer_ids}
    for path in plan.catalogs:
        catalog = worker_catalog(path)
        view, population = worker_needs(plan, path)
        transfer = worker_transfer(plan, path)
        for customer_id in customer_ids:
            context = customer_context(
                group, plan.tenant, customer_id, catalog, view=view, population=population, transfer=transfer
            )
            offer = next_offer(catalog, context, bought[customer_id], margin_rate=plan.margin_rate, on=day)
            if offer is not None:
                kinds[offer.kind] += 1
                rows.append(offer.to_row(plan.run_id, plan.created_at))
    if partition in plan.fail_partitions:
        raise ConfiguratorError(f"partition {partition} of run {plan.run_id} failed on purpose (a drill)")
    result = {
        "customers": len(customer_ids),
        "offers": len(rows),
        **kinds,
        "seconds": round(time.perf_counter() - started, 3),
        "pid": os.getpid(),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    store.finish_partition(plan.run_id, "offers", partition, result, offers=rows)
    return result


def quotes_partition(plan: CampaignPlan, partition: int, chosen: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Build and save the quotes of one partition's chosen ``(customer id, catalog id)``; return its counts.

    A quote number already stored (an earlier attempt saved it) is skipped, so nothing is quoted twice.
    """
    from configurator.quoting.build import quote_for_customer
    from configurator.quoting.lifecycle import save_quote

    started = time.perf_counter()
    store = worker_store(plan.database, plan.tenant)
    by_id = {worker_catalog(p).catalog: p for p in plan.catalogs}
    made = existing = failed = 0
    for customer_id, catalog_id in chosen:
        number = campaign_quote_id(plan.run_id, customer_id, catalog_id)
        if store.quote_head(number) is not None:
            existing += 1
            continue
        path = by_id[catalog_id]
        view, population = worker_needs(plan, path)
        try:
            quote = quote_for_customer(
                store, worker_catalog(path), customer_id, quote_id=number, created_at=plan.created_at,
                best=True, k=1, population=population, view=view, transfer=worker_transfer(plan, path),
            )[0]  # fmt: skip
        except ConfiguratorError:
            failed += 1
            continue
        save_quote(store, quote)
        made += 1
    if partition in plan.fail_partitions:
        raise ConfiguratorError(f"partition {partition} of run {plan.run_id} failed on purpose (a drill)")
    result = {
        "customers": len(chosen),
        "quotes": made,
        "existing": existing,
        "not_quoted": failed,
        "seconds": round(time.perf_counter() - started, 3),
    }
    store.finish_partition(plan.run_id, "quotes", partition, result)
    return result
