"""The learning loop, simulated end to end on the product's own path.

For every purchase index, for every simulated customer (:mod:`configurator.simulate.tastes`), one cycle:

1. an occasion is drawn (:mod:`configurator.simulate.occasions`) and settled against the customer's taste;
2. the product proposes: the customer's context is read from the store as a request reads it (their events,
   the tier snapshot, the population fitted on the catalog's sales) and ``assemble`` gives the first proposal
   under the occasion's requirements and budget;
3. the customer's preferred configuration for the occasion is the best valid one under their hidden taste
   (CP-SAT on the taste's linear utility); the edits are the modules whose selection differs;
4. the customer buys what they prefer: a quote of exactly that configuration is saved and accepted (the
   ``purchased`` event of quote acceptance), and their configured choices (a complete ``configured`` event)
   and the proposal's options they changed (``stated_need`` rejections) come back through ingestion.

Between purchase indexes the store's tier snapshot is refreshed and the population model is refitted, as the
product does with its periodic refresh (population-wide work is never done per request). The baselines and
the oracle (:mod:`configurator.simulate.baselines`) propose on the same customers and occasions; they are not
timed. The time per cycle is the product's part: context, assembly, quote, acceptance and ingestion.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"default": "alu", "options": {"alu": {"price": 400}, "steel": {"price": 300},
    ...                                                         "carbon": {"price": 1200}}},
    ...                 "bell": {"choose": "optional", "options": {"ding": {"price": 10}}}}})
    >>> result = simulate(bike, customers=3, purchases=2, seed=1, history=20)
    >>> result.learned.purchases, len(result.learned.edits[1]), sorted(result.baselines)
    (2, 3, ['defaults', 'majority', 'most_popular', 'repeat_last'])
    >>> result.oracle.acceptance(0), result.store.orders_for("sim-0001")[0]["order_id"]
    (1.0, 'SIM-sim-0001-1')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from collections.abc import Callable
from decimal import Decimal

from configurator.assembly.assemble import assemble
from configurator.assembly.context import CustomerContext, customer_context
from configurator.assembly.needs import population_sales, transfer_for
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.customers.ingest import ingest
from configurator.errors import ConfiguratorError
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.models import NeedsModel
from configurator.needs.transfer import Transfer
from configurator.quoting.edit import configured_quote
from configurator.quoting.lifecycle import accept_quote, save_quote
from configurator.simulate.baselines import BASELINES, History, baseline_proposals
from configurator.simulate.guided import ask
from configurator.simulate.history import earlier_customers, seed_history
from configurator.simulate.metrics import Series
from configurator.simulate.occasions import Searcher, draw_occasion
from configurator.simulate.tastes import PopulationSpec, Taste, carry_over, draw_population
from configurator.solver.session import ConfigurationSession
from configurator.storage import SqlStore, make_engine, upgrade

__all__ = [
    "COUNTRY",
    "HISTORY",
    "ON",
    "QUESTIONS",
    "SCENARIOS",
    "TENANT",
    "Simulation",
    "edits_between",
    "simulate",
    "withdraw",
    "withdrawal_index",
]

TENANT = "simulated"
"""The tenant the simulated shop's events are stored under."""
COUNTRY = "PT"
"""Every simulated customer's country (tax on budgets and quotes)."""
ON = dt.date(2026, 11, 23)
"""The date for the catalog's effective dates (every occasion sees the same catalog)."""
START = dt.datetime(2024, 1, 8, 9, tzinfo=dt.UTC)
"""When the first purchases happen; later purchase indexes follow every :data:`SPACING`."""
SPACING = dt.timedelta(days=60)
HISTORY = 300
"""Earlier customers who bought once before the measured ones (the shop's history)."""
QUESTIONS = 3
"""Guided-selling questions asked of a customer with no purchase yet, at most."""
PARTIAL_SHARE = 0.5
"""Scenario ``partial``: the share of a purchase's modules the customer records."""
DRIFT_SD = 0.5
"""Scenario ``drift``: how far each option's utility moves between two purchases (a random walk's sd)."""
SCENARIOS = ("default", "drift", "partial", "purchases-only", "withdrawn", "cross-catalog")
"""The scenarios: stable tastes, everything recorded; tastes that drift; partial records; purchases only; a new
catalog version with the most bought option withdrawn halfway through; the last purchase from another catalog."""
MARGIN = Decimal("0.30")
"""The gross margin of an accepted quote, as a share of its total (quotes carry no cost)."""


@dataclasses.dataclass
class Simulation:
    """What a simulation measured.

    Attributes:
        catalog: the catalog simulated.
        tastes: the simulated customers.
        purchases: purchases per customer.
        seed: the random seed.
        spec: the population's assumptions.
        learned: the product's first proposals.
        baselines: each baseline's proposals, by name.
        oracle: the oracle's proposals (the preferred configuration itself).
        seconds: wall-clock seconds of the whole simulation.
        store: the store it ran on (events, quotes, orders, tiers).
        history: how many earlier customers bought before the run.
        questions: at most how many guided-selling questions a new customer was asked.
        unguided: the learned system's first proposals to new customers without the questions (for
            comparison; only for purchases where the customer was new).
        scenario: the scenario simulated (see :func:`simulate`).
        withdrawn: scenario ``withdrawn``: the option withdrawn and the purchase index from which.
        other: scenario ``cross-catalog``: the catalog of the last purchase.
        untransferred: scenario ``cross-catalog``: the product's first proposals on the other catalog without
            what it learned from the first (no questions either; compare with ``unguided``).
        transfer: scenario ``cross-catalog``: what the product transferred, as judged on the shop's customers
            who bought from both catalogs.
    """

    catalog: Catalog
    tastes: list[Taste]
    purchases: int
    seed: int
    spec: PopulationSpec
    learned: Series
    baselines: dict[str, Series]
    oracle: Series
    seconds: float
    store: SqlStore
    history: int = 0
    questions: int = 0
    unguided: Series = dataclasses.field(default_factory=Series)
    scenario: str = "default"
    withdrawn: tuple[str, int] | None = None
    other: Catalog | None = None
    untransferred: Series = dataclasses.field(default_factory=Series)
    transfer: Transfer | None = None


def withdrawal_index(purchases: int) -> int:
    """Scenario ``withdrawn``: the purchase index (0-based) from which the new catalog version is sold.

    Example:
        >>> withdrawal_index(5), withdrawal_index(2), withdrawal_index(1)
        (2, 1, 1)
    """
    return max(1, purchases // 2)


def withdraw(catalog: Catalog, history: History) -> tuple[Catalog, str]:
    """A new version of ``catalog`` in which the option the customers bought most is withdrawn.

    The option (of a top-level module with at least three options, never the module's default) gets a
    ``valid_to`` the day before :data:`ON`: it stays in the catalog, so older events and rules that name it
    still read, but no session on ``ON`` offers it (the product's way of ending an option).

    Raises:
        ConfiguratorError: no option can be withdrawn (no module has three options besides its default).
    """
    bought: dict[str, int] = {}
    for configurations in history.by_customer.values():
        for configuration in configurations:
            for module, chosen in configuration.selections.items():
                for option in chosen:
                    bought[f"{module}.{option}"] = bought.get(f"{module}.{option}", 0) + 1
    candidates = [
        f"{module}.{option}"
        for module, mod in catalog.modules.items()
        if len(mod.options) >= 3
        for option in mod.options
        if option not in mod.default and mod.options[option].valid_from is None
    ]
    if not candidates:
        raise ConfiguratorError(
            f"simulate: catalog {catalog.catalog} has no option to withdraw (no module with three options "
            "besides its default)"
        )
    key = max(candidates, key=lambda k: (bought.get(k, 0), -candidates.index(k)))
    module, option = key.split(".", 1)
    mod = catalog.modules[module]
    ended = mod.options[option].model_copy(update={"valid_to": ON - dt.timedelta(days=1)})
    modules = {**catalog.modules, module: mod.model_copy(update={"options": {**mod.options, option: ended}})}
    return catalog.model_copy(update={"version": f"{catalog.version}-w", "modules": modules}), key


def edits_between(proposal: Configuration, bought: Configuration) -> int:
    """How many top-level modules' selections (options and quantities) differ between two configurations.

    Example:
        >>> edits_between(Configuration({"a": {"x": 1}, "b": {"y": 1}}), Configuration({"a": {"x": 2}}))
        2
    """
    mine = {m: dict(o) for m, o in proposal.selections.items() if o}
    theirs = {m: dict(o) for m, o in bought.selections.items() if o}
    return sum(1 for m in set(mine) | set(theirs) if mine.get(m) != theirs.get(m))


def _rejections(
    proposal: Configuration,
    bought: Configuration,
    customer_id: str,
    at: dt.datetime,
    tag: str,
    catalog_id: str,
) -> list[dict[str, object]]:
    """``stated_need`` events rejecting each option of the proposal the customer changed away from."""
    out: list[dict[str, object]] = []
    for module_id, options in proposal.selections.items():
        kept = bought.selections.get(module_id, {})
        for option in options:
            if option not in kept:
                out.append(
                    {
                        "event_id": f"{tag}:rejected:{module_id}.{option}",
                        "type": "stated_need",
                        "customer_id": customer_id,
                        "channel": "sales_rep",
                        "ts": at.isoformat(),
                        "need": f"option:{module_id}.{option}",
                        "value": False,
                        "catalog": catalog_id,
                    }
                )
    return out


def _buy(
    store: SqlStore,
    catalog: Catalog,
    customer_id: str,
    tag: str,
    proposed: tuple[Configuration, Configuration],
    tier: str,
    at: dt.datetime,
    scenario: str = "default",
    required: tuple[str, ...] = (),
    budget: Decimal | None = None,
) -> Configuration:
    """The customer buys what they prefer; what the store records of it depends on the scenario.

    ``proposed`` is the first proposal and what they bought; ``required`` the occasion's requirements and
    ``budget`` its budget, which the quote, its order and the configuration record (with the quote's total).
    By default a quote of it is accepted (the ``purchased`` event) and a complete ``configured`` event comes
    back with a rejection of each proposal option they changed away from. ``purchases-only``: the accepted
    quote only. ``partial``: only a partial ``configured`` event of about half of the modules (bought
    elsewhere; no quote, no rejections).

    Returns:
        What the store learned of the purchase (the baselines know the same).
    """
    proposal, preferred = proposed
    selections = {m: dict(o) for m, o in preferred.selections.items() if o}
    if scenario == "partial":
        rng = random.Random(tag)
        kept = {m: o for m, o in selections.items() if rng.random() < PARTIAL_SHARE}
        _feed(
            store,
            [{"event_id": f"{tag}:configured", "type": "configured", "customer_id": customer_id,
              "channel": "web", "ts": at.isoformat(), "catalog": catalog.catalog, "complete": False,
              "selections": kept, "required": list(required) or None}],
        )  # fmt: skip
        return Configuration(kept)
    quote = configured_quote(
        catalog, preferred, customer_id=customer_id, tenant=TENANT, quote_id=tag, locale="en",
        country=COUNTRY, tier=tier, created_at=at, on=ON, requirements=required, budget=budget,
    )  # fmt: skip
    save_quote(store, quote)
    accept_quote(store, tag, quote.version, at, margin=(quote.total * MARGIN).quantize(Decimal("0.01")))
    if scenario == "purchases-only":
        return preferred
    _feed(
        store,
        [
            {"event_id": f"{tag}:configured", "type": "configured", "customer_id": customer_id,
             "channel": "sales_rep", "ts": at.isoformat(), "catalog": catalog.catalog, "complete": True,
             "selections": selections, "required": list(required) or None,
             "budget": None if budget is None else str(budget), "total": str(quote.total)},
            *_rejections(proposal, preferred, customer_id, at, tag, catalog.catalog),
        ],
    )  # fmt: skip
    return preferred


def _store() -> SqlStore:
    engine = make_engine("sqlite://")
    upgrade(engine)
    return SqlStore(engine, TENANT)


def _feed(store: SqlStore, records: list[dict[str, object]]) -> None:
    report = ingest(enumerate(records, 1), store, tenant=TENANT, trust="verified")
    if report.rejected:
        raise ConfiguratorError(f"simulated events rejected: {report.rejected[0]}")


@dataclasses.dataclass
class _Run:
    """The state a simulation carries from cycle to cycle."""

    catalog: Catalog
    seed: int
    store: SqlStore
    view: CatalogNeedsView
    searcher: Searcher
    session: ConfigurationSession
    history: History
    questions: int
    scenario: str = "default"
    transfer: Transfer | None = None
    untransferred: Series = dataclasses.field(default_factory=Series)
    learned: Series = dataclasses.field(default_factory=Series)
    unguided: Series = dataclasses.field(default_factory=Series)
    oracle: Series = dataclasses.field(default_factory=Series)
    baselines: dict[str, Series] = dataclasses.field(default_factory=lambda: {n: Series() for n in BASELINES})


def _cycle(run: _Run, taste: Taste, index: int, at: dt.datetime, population: NeedsModel) -> None:
    """One purchase of one customer: the product proposes, the baselines too, the customer buys."""
    catalog = run.catalog
    tick = time.perf_counter()
    context = customer_context(
        run.store, TENANT, taste.customer_id, catalog, country=COUNTRY, population=population, view=run.view,
        transfer=run.transfer,
    )  # fmt: skip
    product_seconds = time.perf_counter() - tick
    rng = random.Random(f"{run.seed}:{taste.customer_id}:{index}")
    drawn = draw_occasion(catalog, taste, run.searcher, rng)
    occasion, preferred = run.searcher.settle(taste.weights(), drawn, context.tier)
    best, span = taste.utility(catalog, preferred), taste.span(catalog)

    def regret(configuration: Configuration) -> float:
        return (best - taste.utility(catalog, configuration)) / span

    def propose(requirements: tuple[str, ...], who: CustomerContext = context) -> Configuration:
        bundles = assemble(catalog, who, budget=occasion.budget, requirements=requirements, k=1, on=ON)
        return bundles[0].configuration

    tick = time.perf_counter()
    new = not run.history.by_customer.get(taste.customer_id)
    answers: list[str] = []
    if new and run.questions:
        answers = ask(
            run.session, run.view, context.needs, preferred, occasion.requirements, limit=run.questions
        )
    proposal = propose((*occasion.requirements, *answers))
    product_seconds += time.perf_counter() - tick
    if new:
        plain = propose(occasion.requirements) if answers else proposal
        run.unguided.add(index, edits=edits_between(plain, preferred), regret=regret(plain))
        if run.transfer is not None:
            alone = customer_context(
                run.store, TENANT, taste.customer_id, catalog, country=COUNTRY, population=population,
                view=run.view,
            )  # fmt: skip
            cold = propose(occasion.requirements, alone)
            run.untransferred.add(index, edits=edits_between(cold, preferred), regret=regret(cold))
    for name, configuration in baseline_proposals(
        run.searcher, run.history, taste.customer_id, occasion
    ).items():
        run.baselines[name].add(
            index, edits=edits_between(configuration, preferred), regret=regret(configuration)
        )
    run.oracle.add(index, edits=0, regret=0.0)
    tick = time.perf_counter()
    recorded = _buy(run.store, catalog, taste.customer_id, f"SIM-{taste.customer_id}-{index + 1}",
                    (proposal, preferred), context.tier, at, run.scenario, occasion.requirements,
                    occasion.budget)  # fmt: skip
    product_seconds += time.perf_counter() - tick
    run.learned.add(
        index, edits=edits_between(proposal, preferred), regret=regret(proposal), seconds=product_seconds
    )
    run.history.add(taste.customer_id, recorded)


def simulate(
    catalog: Catalog,
    *,
    customers: int = 100,
    purchases: int = 5,
    seed: int = 0,
    spec: PopulationSpec | None = None,
    history: int = HISTORY,
    questions: int = QUESTIONS,
    scenario: str = "default",
    other: Catalog | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Simulation:
    """Run the learning loop for a simulated population on ``catalog``.

    Args:
        catalog: the catalog.
        customers: how many simulated customers.
        purchases: purchases per customer.
        seed: the random seed (the same seed gives the same customers, occasions and figures).
        spec: the population's assumptions (default :class:`~configurator.simulate.tastes.PopulationSpec`).
        history: how many earlier customers of the same population bought once before the run
            (:mod:`configurator.simulate.history`); 0: the shop opens with no sales.
        questions: at most this many guided-selling questions for a customer with no purchase yet
            (:mod:`configurator.simulate.guided`); 0: none.
        scenario: one of :data:`SCENARIOS`: ``default`` (stable tastes, every purchase recorded with its
            configuration and rejections), ``drift`` (each option's utility moves by ``N(0, DRIFT_SD)`` between
            purchases), ``partial`` (customers record only a partial configuration of about half the modules,
            and buy elsewhere), ``purchases-only`` (only the accepted quotes are recorded), ``withdrawn`` (from
            purchase :func:`withdrawal_index` on, a new catalog version in which the option bought most so far
            is withdrawn: :func:`withdraw`), ``cross-catalog`` (the last purchase is from ``other``: the same
            customers' tastes carried over by :func:`~configurator.simulate.tastes.carry_over`, the product
            told of the first catalog so that what it learned there can transfer).
        other: scenario ``cross-catalog``: the other catalog (its own shop history is seeded too).
        progress: called with (purchase index, customer number) after each cycle.

    Returns:
        The measures of the learned system, the baselines and the oracle, by purchase index.

    Raises:
        ConfiguratorError: an unknown scenario; ``history`` or ``questions`` is negative; the catalog has no
            valid configuration; ``cross-catalog`` without another catalog, or with fewer than 2 purchases.
    """
    if scenario not in SCENARIOS:
        raise ConfiguratorError(
            f"simulate: unknown scenario {scenario!r}; expected one of: {', '.join(SCENARIOS)}"
        )
    if history < 0 or questions < 0:
        raise ConfiguratorError(
            f"simulate: expected history >= 0 and questions >= 0, got {history}, {questions}"
        )
    _check_other(scenario, catalog, other, purchases)
    started = time.perf_counter()
    spec = spec or PopulationSpec()
    everyone = draw_population(catalog, customers + history, seed=seed, spec=spec)
    tastes, earlier = everyone[:customers], earlier_customers(everyone[customers:])
    current = list(tastes)
    run = _Run(
        catalog, seed, _store(), CatalogNeedsView(catalog), Searcher(catalog, country=COUNTRY, on=ON),
        ConfigurationSession(catalog, on=ON), History(), questions, scenario,
    )  # fmt: skip
    _feed(run.store, seed_history(catalog, earlier, run.searcher, run.history, seed=seed))
    _feed(
        run.store,
        [
            {"event_id": f"{t.customer_id}:welcome", "type": "viewed", "customer_id": t.customer_id,
             "channel": "web", "ts": (START - dt.timedelta(days=1)).isoformat(), "catalog": catalog.catalog}
            for t in tastes
        ],
    )  # fmt: skip
    withdrawn: tuple[str, int] | None = None
    if other is not None and scenario == "cross-catalog":
        there = Searcher(other, country=COUNTRY, on=ON)
        elsewhere = History()
        # the shop's earlier customers bought from both catalogs: the product judges the transfer on them
        shoppers = carry_over(earlier, catalog, other, seed=seed, spec=spec)
        _feed(run.store, seed_history(other, shoppers, there, elsewhere, seed=seed, tag=other.catalog))
    for index in range(purchases):
        day = START + index * SPACING
        if index and scenario == "withdrawn" and index == withdrawal_index(purchases):
            sold, option = withdraw(run.catalog, run.history)
            withdrawn = (option, index)
            run.catalog, run.view = sold, CatalogNeedsView(sold)
            run.searcher = Searcher(sold, country=COUNTRY, on=ON)
            run.session = ConfigurationSession(sold, on=ON)
        crossing = other is not None and scenario == "cross-catalog" and index == purchases - 1
        if other is not None and crossing:
            run.catalog, run.view, run.searcher, run.history = (
                other,
                CatalogNeedsView(other),
                there,
                elsewhere,
            )
            run.session = ConfigurationSession(other, on=ON)
            current = carry_over(current, catalog, other, seed=seed, spec=spec)
        if index:
            run.store.refresh_tiers(as_of=day)
        population = run.view.fit_population(population_sales(run.store, run.catalog.catalog))
        if other is not None and crossing:
            # judged against the population just fitted, as the product's refresh does
            catalogs = {catalog.catalog: catalog, other.catalog: other}
            run.transfer = transfer_for(run.store, catalogs, besides=other.catalog, population=population)
        run.history.freeze()
        if index and scenario == "drift":
            current = [
                t.drifted(random.Random(f"{seed}:drift:{t.customer_id}:{index}"), DRIFT_SD) for t in current
            ]
        for number, taste in enumerate(current):
            _cycle(run, taste, index, day + dt.timedelta(minutes=number), population)
            if progress is not None:
                progress(index, number + 1)
    return Simulation(
        catalog, tastes, purchases, seed, spec, run.learned, run.baselines, run.oracle,
        time.perf_counter() - started, run.store, history=history, questions=questions, unguided=run.unguided, scenario=scenario,
        withdrawn=withdrawn, other=other if scenario == "cross-catalog" else None, untransferred=run.untransferred, transfer=run.transfer,
    )  # fmt: skip


def _check_other(scenario: str, catalog: Catalog, other: Catalog | None, purchases: int) -> None:
    """Scenario ``cross-catalog`` needs another catalog and at least two purchases; no other scenario takes one."""
    if scenario != "cross-catalog":
        if other is not None:
            raise ConfiguratorError(
                f"simulate: another catalog ({other.catalog!r}) is only for scenario cross-catalog, "
                f"got scenario {scenario!r}"
            )
        return
    if other is None or other.catalog == catalog.catalog:
        got = "none" if other is None else f"the same catalog {other.catalog!r}"
        raise ConfiguratorError(
            f"simulate: scenario cross-catalog: expected another catalog than {catalog.catalog!r}, got {got}"
        )
    if purchases < 2:
        raise ConfiguratorError(
            f"simulate: scenario cross-catalog: expected at least 2 purchases (the last is from "
            f"{other.catalog!r}), got {purchases}"
        )
