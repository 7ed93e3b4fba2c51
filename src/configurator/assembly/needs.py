"""A customer's learned needs for a catalog, as solver weights and as recommendations in a session.

:func:`needs_for` reads what the store knows (the catalog's sales for the population, the customer's events
across merged profiles and channels, their profiling consent) into a
:class:`~configurator.needs.customer.CustomerNeeds`; :func:`weights_for` turns it into
:class:`~configurator.solver.session.Weights` for ``optimize``/``top_k`` (the solver never sees a customer);
:func:`recommendations` ranks the options a session still allows by this customer's probability.

The population learns from the catalog's sales, except those of customers who objected to profiling (as the
value tiers do, their events fit no model). Cold start: a customer with no events gets the population; a customer who objected to profiling gets the
population only (nothing of theirs is learned); a catalog with no sales yet gets its defaults as the population.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.customers.events import validate_event
    >>> from configurator.solver.session import ConfigurationSession
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}},
    ...                 "motor": {"choose": "optional", "options": {"hub": {"price": 700}}}},
    ...     "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}]})
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> def event(event_id, customer, **fields):
    ...     return validate_event({"event_id": event_id, "customer_id": customer, "channel": "web",
    ...                            "ts": "2026-05-01T12:00:00Z", **fields}, tenant="shop")
    >>> sales = [event(f"s{i}", f"c{i}", type="configured", catalog="bike", complete=True,
    ...                selections={"frame": "alu", "motor": "hub"}) for i in range(3)]
    >>> mine = event("v1", "me", type="viewed", catalog="bike", item="frame.carbon")
    >>> _ = SqlStore(engine, "shop").write_events([*sales, mine])
    >>> me = needs_for(SqlStore(engine, "shop"), "shop", "me", bike)
    >>> view = CatalogNeedsView(bike)
    >>> session = ConfigurationSession(bike)
    >>> recommendations(session, view, me)["frame"][0][0], view.explain(me, "frame", "carbon")
    ('alu', ['v1'])
    >>> session.optimize(weights_for(view, me)).configuration.selections
    {'frame': {'alu': 1}, 'motor': {'hub': 1}}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence

import polars as pl

from configurator.assembly.ports import NeedsStore
from configurator.assembly.requirements import customer_evidence
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.customers.consent import consent_status
from configurator.customers.events import Event
from configurator.customers.identity import canonical_id
from configurator.errors import ConfiguratorError
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.customer import CustomerNeeds, Evidence
from configurator.needs.models import NeedsModel
from configurator.needs.transfer import MIN_BUYERS, Transfer, cross_buyers
from configurator.solver.session import Choice, ConfigurationSession, Weights

__all__ = [
    "CatalogNeedsView",
    "GuidingQuestion",
    "LearnedNeeds",
    "choice_conditions",
    "guiding_questions",
    "learned_needs",
    "needs_for",
    "population_sales",
    "recommendations",
    "transfer_for",
    "transferred_from",
    "weights_for",
]


def population_sales(store: NeedsStore, catalog_id: str, *, latest: int | None = None) -> list[Event]:
    """The catalog's sales the population may learn from: anonymous ones and those of profiled customers.

    ``latest``: learn from the most recent sales only, at most that many (before objectors are left out).
    """
    objectors = set(store.consents_frame().filter(~pl.col("profiling"))["customer_id"])
    sales = store.catalog_sales(catalog_id, latest=latest)
    if not objectors:
        return sales
    canonical = store.canonical_ids({e.customer_id for e in sales if e.customer_id is not None})
    return [
        e
        for e in sales
        if e.customer_id is None or canonical.get(e.customer_id, e.customer_id) not in objectors
    ]


def needs_for(
    store: NeedsStore,
    tenant: str,
    customer_id: str,
    catalog: Catalog,
    *,
    population: NeedsModel | None = None,
    view: CatalogNeedsView | None = None,
    strict: bool = False,
) -> CustomerNeeds:
    """One customer's learned needs for a catalog, from the store.

    Args:
        store: a store of ``tenant`` (e.g. ``storage.SqlStore``).
        tenant: the tenant.
        customer_id: any of the customer's ids (merged profiles resolve to the canonical customer).
        catalog: the catalog.
        population: a fitted population model over ``view``'s variables (default: fitted on the catalog's
            sales in the store, :meth:`NeedsStore.catalog_sales`). Pass one to share
            it between customers.
        view: the catalog's needs view (default: a new one; pass one to read its ``skipped`` counts).
        strict: raise on events naming unknown modules or options instead of skipping and counting them.

    Returns:
        The customer's needs: the population updated with every event of theirs, in timestamp order; the
        population only for an unknown customer or one who objected to profiling.

    Raises:
        ConfiguratorError: a store of another tenant; with ``strict``, an event naming an unknown option.
    """
    return learned_needs(
        store, tenant, customer_id, catalog, population=population, view=view, strict=strict
    ).needs


@dataclasses.dataclass(frozen=True)
class LearnedNeeds:
    """A customer's learned needs with what they were learned from (read once, for needs and their reasons).

    Attributes:
        needs: the customer's needs (:func:`needs_for`).
        evidence: what their events said about this catalog, second choices weighed down (empty for a
            customer the store does not know).
        events: their events, as the store returned them.
    """

    needs: CustomerNeeds
    evidence: tuple[Evidence, ...]
    events: tuple[Event, ...]


def learned_needs(
    store: NeedsStore,
    tenant: str,
    customer_id: str,
    catalog: Catalog,
    *,
    population: NeedsModel | None = None,
    view: CatalogNeedsView | None = None,
    strict: bool = False,
) -> LearnedNeeds:
    """Like :func:`needs_for`, with the events and the evidence the needs were learned from.

    Each event is read and weighed once: a customer's context explains its proposals with the same evidence.

    Raises:
        ConfiguratorError: a store of another tenant; with ``strict``, an event naming an unknown option.
    """
    if store.tenant != tenant:
        raise ConfiguratorError(
            f"needs_for: the store is of tenant {store.tenant!r}, asked for tenant {tenant!r}"
        )
    view = view or CatalogNeedsView(catalog)
    if population is None:
        population = view.fit_population(population_sales(store, catalog.catalog), strict=strict)
    known = canonical_id(store, customer_id) is not None
    profiling = consent_status(store, customer_id)["profiling"] if known else True
    needs = CustomerNeeds(population, profiling=profiling)
    if not known:
        return LearnedNeeds(needs, (), ())
    events = tuple(store.customer_events(customer_id))
    evidence = tuple(customer_evidence(view, events, strict=strict))
    needs.observe(*evidence)
    return LearnedNeeds(needs, evidence, events)


def transfer_for(
    store: NeedsStore, catalogs: Mapping[str, Catalog], *, besides: str, population: NeedsModel | None = None
) -> Transfer:
    """What the other catalogs' sales teach catalog ``besides``, judged on the customers who bought from both.

    The other catalogs' population profile, kept only where the orders elsewhere of customers who bought from
    both sides foretold what they chose here (:meth:`~configurator.needs.transfer.Transfer.calibrated`).

    Population-wide work (it reads every catalog's sales, :func:`population_sales`): build it once per refresh
    and pass it to ``customer_context(transfer=...)`` for every customer. ``population``: catalog ``besides``'s
    fitted population model (default: fitted here on its sales), against which the transfer is judged.
    """
    others = {cid: cat for cid, cat in catalogs.items() if cid != besides}
    sales = [event for cid in others for event in population_sales(store, cid)]
    transfer = Transfer.fit(others, sales)
    here = catalogs.get(besides)
    if here is None:
        return transfer
    local = population_sales(store, besides)
    view = CatalogNeedsView(here)
    buyers = cross_buyers(others, here, [*sales, *local])
    if population is None and len(buyers) >= MIN_BUYERS:
        population = view.fit_population(local)
    return transfer.calibrated(view, buyers, population)


def transferred_from(
    base: Iterable[Mapping[str, object]], view: CatalogNeedsView, transfer: Transfer
) -> list[Evidence]:
    """The evidence ``transfer`` draws for ``view``'s catalog from a customer's orders of the other catalogs.

    ``base``: the customer's installed base (rows with ``catalog_id``, ``configuration`` and ``order_id``, as
    :meth:`~configurator.assembly.ports.CustomerStore.installed_base_for` gives them); orders of catalogs the
    transfer does not read are left out. The caller observes the evidence only for a customer who did not
    object to profiling.
    """
    orders = [
        (str(row["catalog_id"]), Configuration.from_data({"selections": row["configuration"]}), str(row["order_id"]))
        for row in base
        if row.get("catalog_id") in transfer.catalogs and row.get("configuration")
    ]  # fmt: skip
    return transfer.evidence(view, orders)


def weights_for(
    view: CatalogNeedsView,
    needs: CustomerNeeds,
    *,
    price: float = 0.0,
    partial_selections: Mapping[str, Mapping[str, int]] | None = None,
    scale: int = 1000,
) -> Weights:
    """Solver weights of a customer's needs: utility per option (log-odds), plus ``price`` per currency unit.

    Args:
        view: the catalog's needs view.
        needs: the customer's needs over ``view``'s variables.
        price: utility per currency unit of list price (negative: cheaper is better).
        partial_selections: what is already chosen (conditions the preferences; those modules get no weights).
        scale: the integer scale of the weights (see :class:`~configurator.solver.session.Weights`).
    """
    return Weights(options=view.option_weights(needs, partial_selections), price=price, scale=scale)


def choice_conditions(view: CatalogNeedsView, choices: Sequence[Choice]) -> dict[str, dict[str, int]] | None:
    """Top-level choices as the partial selections needs are conditioned on (None: nothing to condition on).

    A selected option counts 1, an excluded multi-choice option 0; a second selection in a single-choice module
    (a request the repair will settle) and references the catalog does not know are left out.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR",
        ...     "locales": ["en"], "modules": {"frame": {"options": {"alu": {}, "carbon": {}}}}})
        >>> choice_conditions(CatalogNeedsView(bike), [Choice("frame", "carbon", True), Choice("x", "y", True)])
        {'frame': {'carbon': 1}}
    """
    found: dict[str, dict[str, int]] = {}
    for choice in choices:
        module = view.catalog.modules.get(choice.module)
        if module is None or choice.option not in module.options:
            continue
        single = view.is_single(choice.module)
        if choice.selected and not (single and found.get(choice.module)):
            found.setdefault(choice.module, {})[choice.option] = 1
        elif not choice.selected and not single:
            found.setdefault(choice.module, {}).setdefault(choice.option, 0)
    return found or None


def _partial(session: ConfigurationSession, view: CatalogNeedsView) -> dict[str, int]:
    """The session's choices as need variables (an unset choice counts as not chosen)."""
    chosen: dict[str, dict[str, int]] = {}
    for choice in session.choices:
        chosen.setdefault(choice.module, {})[choice.option] = (choice.qty or 1) if choice.selected else 0
    return view.row(chosen, complete=False)


@dataclasses.dataclass(frozen=True)
class GuidingQuestion:
    """A choice worth asking the customer about first: a module (which option?) or a multi-choice option (yes/no).

    Attributes:
        module: the module asked about.
        option: for a multi-choice module, the option asked about (``None``: which option of the module).
        gain: how many more modules the first proposal is expected to get right once it is answered.
        answers: the options still allowed with their probability now (``""`` for none, or for "no" of a
            multi-choice option), likeliest first.
    """

    module: str
    option: str | None
    gain: float
    answers: tuple[tuple[str, float], ...]


def guiding_questions(
    session: ConfigurationSession, view: CatalogNeedsView, needs: CustomerNeeds, limit: int = 3
) -> list[GuidingQuestion]:
    """The few undecided choices whose answers most improve this customer's first proposal, best first.

    Ranked by :func:`configurator.needs.questions.best_questions` over the options the session still allows,
    under this customer's needs (the population's beliefs for a new customer: guided selling).
    """
    from configurator.needs.questions import best_questions

    partial = _partial(session, view)
    domains = session.domains()
    candidates: dict[str, tuple[int, ...]] = {}
    for module, mod in view.catalog.modules.items():
        allowed = [name for name in mod.options if name in domains.get(module, ())]
        if view.is_single(module):
            values = [view.variable_of(module, name)[1] for name in allowed]
            candidates[module] = tuple(([0] if 0 in view.domains[module] else []) + values)
        else:
            for name in allowed:
                candidates[view.variable_of(module, name)[0]] = (0, 1)
    found: list[GuidingQuestion] = []
    for question in best_questions(needs, partial, candidates, limit=limit):
        option: str | None = None
        if question.variable in view.catalog.modules:
            module = question.variable
            answers = tuple(
                ((view.option_of(module, value) or (module, ""))[1], p) for value, p in question.answers
            )
        else:
            module, _, option = question.variable.partition(".")
            answers = tuple((option if value else "", p) for value, p in question.answers)
        found.append(GuidingQuestion(module=module, option=option, gain=question.gain, answers=answers))
    return found


def recommendations(
    session: ConfigurationSession, view: CatalogNeedsView, needs: CustomerNeeds
) -> dict[str, list[tuple[str, float]]]:
    """Per undecided module, the options the session still allows, ranked by this customer's probability.

    Only options in ``session.domains()`` are ranked (never one the session shows as unavailable), given the
    session's current choices. A single-choice module's probabilities are over its allowed options and none
    (when the module is optional), so they may sum to less than 1; a multi-choice option's probability is that
    of selecting it. Modules already decided (a single-choice module with a selection) and options already
    selected are left out; so are modules with nothing left to choose.
    """
    if session.catalog.catalog != view.catalog.catalog:
        raise ConfiguratorError(
            f"recommendations: the session is of catalog {session.catalog.catalog!r}, "
            f"the needs view of {view.catalog.catalog!r}"
        )
    partial = _partial(session, view)
    domains = session.domains()
    out: dict[str, list[tuple[str, float]]] = {}
    for module, mod in view.catalog.modules.items():
        allowed = [option for option in mod.options if option in domains.get(module, ())]
        ranked: list[tuple[str, float]] = []
        if view.is_single(module):
            if module in partial or not allowed:
                continue
            values = {view.variable_of(module, option)[1]: option for option in allowed}
            candidates = ([0] if 0 in view.domains[module] else []) + list(values)
            dist = needs.distribution(module, partial, candidates)
            ranked = [(values[value], p) for value, p in dist.items() if value in values]
        else:
            for option in allowed:
                variable, _ = view.variable_of(module, option)
                if partial.get(variable) != 1:
                    ranked.append((option, needs.distribution(variable, partial, (0, 1))[1]))
        if ranked:
            order = {option: k for k, option in enumerate(mod.options)}
            out[module] = sorted(ranked, key=lambda item: (-item[1], order[item[0]]))
    return out
