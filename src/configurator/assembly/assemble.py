"""Assembly: a customer and a catalog -> ranked, explained, checker-valid bundles with their services.

:func:`assemble` turns what we know of a customer (:class:`~configurator.assembly.context.CustomerContext`)
into solver terms and back: hard requirements of the request and hard stated needs become session choices;
learned needs become option utilities (:func:`~configurator.assembly.needs.weights_for`) mixed with price by
the tier's :class:`~configurator.assembly.policy.TierPolicy`; the budget (given, or the one the customer
stated) is a hard limit on what the customer pays (:class:`~configurator.assembly.budget.BudgetJudge`: tier and
bundle discounts, the services they pay for, tax), the total their quote shows. It returns the top-k diverse bundles, each with its services, one
reason per option and, when the request cannot be met, the repair it proposes. Every bundle is checked by the
independent checker before it is returned (:class:`AssemblyError` otherwise).

:func:`repeat_purchase` ("the same as last time, with these changes"), :func:`next_best` (upgrades and add-ons
compatible with what they own) and :func:`repairs` (ways out of an infeasible request, ranked by what the
customer cares least about) complete the interaction.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.assembly.context import context_from_events
    >>> from configurator.customers.events import validate_event
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}},
    ...                 "motor": {"choose": "optional", "options": {"hub": {"price": 700}}}},
    ...     "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}],
    ...     "services": {"fit": {"kind": "advisory", "price": 80, "included_for": ["mvc"]}}})
    >>> viewed = validate_event({"event_id": "v1", "type": "viewed", "customer_id": "ann", "channel": "web",
    ...     "ts": "2026-05-01T12:00:00Z", "catalog": "bike", "item": "frame.carbon"}, tenant="shop")
    >>> ann = context_from_events(bike, "ann", [viewed], tier="mvc")
    >>> best = assemble(bike, ann, k=2)[0]
    >>> best.configuration.selections, best.price, [(s.service, s.included) for s in best.services]
    ({'frame': {'carbon': 1}}, Decimal('1200'), [('fit', True)])
    >>> [(r.option, r.because, r.events) for r in best.reasons]
    [('carbon', 'viewed', ('v1',))]
    >>> cheap = assemble(bike, ann, budget=500)[0]
    >>> [(r.option, r.because, dict(r.detail)) for r in cheap.reasons]
    [('alu', 'budget', {'instead_of': 'carbon', 'saves': '800.00'})]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from configurator.assembly.budget import BudgetJudge, top_k
from configurator.assembly.context import CustomerContext
from configurator.assembly.explain import Explainer
from configurator.assembly.kept import kept_session
from configurator.assembly.needs import choice_conditions, weights_for
from configurator.assembly.policy import DEFAULT_POLICIES, PolicyBook, TierPolicy
from configurator.assembly.replay import REPLAY_STEP, replayed, with_offsets
from configurator.assembly.requirements import parse_requirement
from configurator.assembly.services import service_lines
from configurator.catalog.check import Violation, find_violations
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.errors import AssemblyError, ConfigurationError, suggest
from configurator.offer.lines import ServiceLine, price_lines
from configurator.offer.payable import payable, services_in_total
from configurator.offer.reasons import Reason
from configurator.solver.session import Bundle, Choice, ConfigurationSession, Weights

__all__ = [
    "AssembledBundle",
    "RepairProposal",
    "assemble",
    "next_best",
    "parse_requirement",
    "repairs",
    "repeat_purchase",
    "tier_weights",
]

_CHANGE_COST = 1000
"""Cost of changing one option in reconfiguration: needs only break ties between equally few changes."""


@dataclasses.dataclass(frozen=True)
class RepairProposal:
    """How to get a bundle when a request cannot be met.

    Attributes:
        drop: the choices to give up (``module.option``; ``!module.option`` for an exclusion).
        cost: how much the customer cares about them (lower: cares less), by their needs.
        keep: the choices kept.
        raise_budget_to: the least payable total (tax included) of a bundle meeting the kept choices, when the
            budget is too low.
    """

    drop: tuple[str, ...]
    cost: int
    keep: tuple[str, ...] = ()
    raise_budget_to: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class AssembledBundle:
    """A bundle for one customer: configuration, price, services and why each option fits them.

    Attributes:
        configuration: the configuration (checker-valid, sub-assemblies included).
        status: the solver's status (``optimal``, ``feasible`` or ``timed_out``).
        utility: the objective value under the tier's weights.
        price: list price of the bundle (sub-assemblies included; services excluded).
        total: what the customer pays for it: tier and bundle discounts, the services in the total by default
            (included ones; a paid one only when chosen) and the tax of their country (none when unknown); the
            figure the budget is judged on and the quote shows.
        services: the services offered with it (:class:`~configurator.offer.lines.ServiceLine`).
        reasons: one :class:`~configurator.offer.reasons.Reason` per selected top-level option.
        role: ``fit`` (a best fit), ``upgrade`` (the growth bundle of a growth policy), ``repaired`` (after the
            repair in ``repair``), ``over_budget`` (the cheapest bundle meeting the request, above the budget),
            ``repeat`` (:func:`repeat_purchase`) or ``next_best`` (:func:`next_best`).
        rank: 1 for the best.
        tier: the customer's tier.
        channel: the channel that serves the tier.
        budget: the budget it was assembled under, if any.
        repair: the repair it assumes, when the request could not be met as asked.
        changes: what changed from the installed configuration (``+module.option`` / ``-module.option``).
    """

    configuration: Configuration
    status: str
    utility: float
    price: Decimal
    services: tuple[ServiceLine, ...]
    reasons: tuple[Reason, ...]
    role: str = "fit"
    rank: int = 1
    tier: str = "standard"
    channel: str = "sales_rep"
    budget: Decimal | None = None
    repair: RepairProposal | None = None
    changes: tuple[str, ...] = ()
    total: Decimal | None = None

    @property
    def services_price(self) -> Decimal:
        """What the customer pays for the services offered (included ones are 0)."""
        return sum((s.price for s in self.services), Decimal(0))


# -- weights and requirements -------------------------------------------------------------------------------


def price_span(catalog: Catalog) -> Decimal:
    """The catalog's price span: the sum over modules of the dearest option's price (the price weight's unit)."""
    return sum((max(o.price for o in m.options.values()) for m in catalog.modules.values()), Decimal(0))


def tier_weights(customer: CustomerContext, policy: TierPolicy, choices: Sequence[Choice] = ()) -> Weights:
    """Solver weights for a customer under a tier policy: learned needs, price and defaults mixed.

    Option utilities are the needs' log-odds times ``needs_weight``, plus ``default_weight`` for each catalog
    default that is also the cheapest option of its module (the standard, low-cost-to-serve choice); a saving
    as large as :func:`price_span` is worth ``price_weight``; the needs are conditioned on ``choices``.
    """
    catalog = customer.catalog
    span = price_span(catalog)
    price = -policy.price_weight / float(span) if span > 0 else 0.0
    conditions = choice_conditions(customer.view, choices)
    base = weights_for(customer.view, customer.needs, price=price, partial_selections=conditions)
    options = {key: policy.needs_weight * value for key, value in base.options.items()}
    if policy.default_weight:
        for module_id, module in catalog.modules.items():
            cheapest = min(o.price for o in module.options.values())
            for option in module.default:
                if module.options[option].price <= cheapest:  # a standard option costs no more than any other
                    key = f"{module_id}.{option}"
                    options[key] = options.get(key, 0.0) + policy.default_weight
    return Weights(options=options, price=base.price, scale=base.scale)


def _check_choice(catalog: Catalog, choice: Choice) -> None:
    """Raise when a top-level choice names an unknown module or option (with the nearest known id)."""
    if "/" in choice.module:
        return  # a sub-assembly path: the session checks it
    module = catalog.modules.get(choice.module)
    if module is None:
        hint = suggest(choice.module, catalog.modules)
        raise ConfigurationError(f"unknown module {choice.module!r}" + (f" ({hint})" if hint else ""))
    if choice.option not in module.options:
        hint = suggest(choice.option, module.options)
        raise ConfigurationError(f"unknown option {choice.key}" + (f" ({hint})" if hint else ""))


def _key(choice: Choice) -> str:
    return choice.key if choice.selected else f"!{choice.key}"


def _policy(policy: TierPolicy | PolicyBook | None, catalog: Catalog, tier: str) -> TierPolicy:
    if isinstance(policy, TierPolicy):
        return policy
    if isinstance(policy, PolicyBook):
        return policy.policy(tier, catalog.catalog)
    return DEFAULT_POLICIES[tier]  # type: ignore[index]  # the context checked the tier


def _care(customer: CustomerContext, choice: Choice, stated: bool) -> int:
    """How much the customer cares about a choice (integer cost of giving it up): their probability of it."""
    try:
        variable, value = customer.view.variable_of(choice.module, choice.option)
    except ConfigurationError:
        return 1
    p = customer.needs.distribution(variable, {}).get(value, 0.0)
    care = p if choice.selected else 1.0 - p
    return 1 + round(100 * care) + (100 if stated else 0)


def _hard_choices(
    customer: CustomerContext, requirements: Iterable[str | Choice]
) -> tuple[list[Choice], dict[str, tuple[str, ...]]]:
    """The request's choices, then the hard stated needs that do not contradict them (the request wins)."""
    requested = [parse_requirement(r) for r in requirements]
    decided = {c.key for c in requested}
    single_decided = {
        c.module
        for c in requested
        if c.selected and c.module in customer.catalog.modules and customer.view.is_single(c.module)
    }
    stated: dict[str, tuple[str, ...]] = {}
    choices = list(requested)
    for variable, signal in sorted(customer.needs.requirements_.items()):
        found = customer.view.option_of(variable, signal.value)
        if found is None:
            continue
        module, option = found
        key = f"{module}.{option}"
        if key in decided or module in single_decided:
            continue
        choices.append(Choice(module, option))
        stated[key] = (signal.source,) if signal.source else ()
    return choices, stated


def _forced(session: ConfigurationSession) -> set[str]:
    """Options that are the only valid one of a module that needs one, given the session's choices."""
    domains = session.domains()
    forced: set[str] = set()
    for module_id, module in session.catalog.modules.items():
        options = domains.get(module_id, ())
        if len(options) == 1 and module.choose.min >= 1:
            forced.add(f"{module_id}.{options[0]}")
    return forced


def _checked(
    catalog: Catalog,
    configuration: Configuration,
    on: dt.date | None,
    what: str,
    violations: Sequence[Violation] | None = None,
) -> None:
    """Refuse a configuration the checker finds violations in (``violations``: the checker's answer, if asked)."""
    violations = find_violations(catalog, configuration, on=on) if violations is None else violations
    if violations:
        found = "; ".join(f"{v.rule_id}: {v.message}" for v in violations[:5])
        raise AssemblyError(
            f"{what} for catalog {catalog.catalog} fails the checker ({len(violations)} violation(s): {found}); "
            "it is not returned"
        )


# -- assemble -----------------------------------------------------------------------------------------------


def assemble(
    catalog: Catalog,
    customer: CustomerContext,
    *,
    budget: Decimal | float | int | None = None,
    requirements: Sequence[str | Choice] = (),
    k: int = 3,
    policy: TierPolicy | PolicyBook | None = None,
    on: dt.date | None = None,
) -> list[AssembledBundle]:
    """The k best diverse bundles for a customer, ranked, explained, priced and checked.

    Args:
        catalog: the catalog.
        customer: the customer's context for this catalog.
        budget: the most the customer pays for a bundle (tax included, see :attr:`AssembledBundle.total`);
            None: the budget the customer stated, if any.
        requirements: hard requirements of this request (``module.option``, ``!module.option`` or choices).
        k: how many bundles (a growth policy adds one upgrade bundle).
        policy: the tier policy, or a policy book (default: the built-in policy of the customer's tier).
        on: the date for effective dates.

    Returns:
        The bundles, best first. When the request conflicts with the rules, the bundles assume the cheapest
        repair (role ``repaired``); when no bundle meets the request within the budget, the cheapest one that
        meets it (role ``over_budget``, ``repair.raise_budget_to``). Empty only when the catalog has no valid
        configuration at all.

    Raises:
        AssemblyError: a bundle failed the checker.
        ConfigurationError: a requirement names an unknown module or option.
    """
    if customer.catalog.catalog != catalog.catalog:
        raise AssemblyError(
            f"assemble: the customer's context is for catalog {customer.catalog.catalog!r}, not {catalog.catalog!r}"
        )
    if k < 1:
        raise AssemblyError(f"assemble: k: expected at least 1 bundle, got {k}")
    tier_policy = _policy(policy, catalog, customer.tier)
    limit = Decimal(str(budget)) if budget is not None else customer.budget
    choices, stated = _hard_choices(customer, requirements)
    weights = tier_weights(customer, tier_policy, choices)
    judge = (
        None if limit is None else BudgetJudge(catalog, tier_policy, limit, country=customer.country, on=on)
    )
    with kept_session(catalog, on) as session:
        weights = with_offsets(weights, _replay(session, customer, tier_policy, on))
        for choice in choices:
            _apply(session, choice)
        repair: RepairProposal | None = None
        role = "fit"
        bundles = top_k(session, weights, k, tier_policy.distance, judge)
        if not bundles:
            bundles, role, repair = _when_nothing_fits(
                session, customer, choices, stated, weights, (tier_policy, k, judge)
            )
            if not bundles:
                return []
        reference: Configuration | None = None
        if judge is not None and role in ("fit", "repaired"):
            free = session.optimize(weights)
            if free is not None and not judge.fits(free.configuration):
                reference = free.configuration
        active = {c.key for c in session.choices if c.selected}
        forced = _forced(session) - active
        explainer = Explainer(
            catalog,
            customer.view,
            customer.needs,
            evidence=customer.evidence,
            requested={c.key for c in choices[: len(requirements)] if c.selected},
            stated={key: ids for key, ids in stated.items() if key in active},
            forced=forced,
            reference=reference,
            low_cost_tier=customer.tier if tier_policy.default_weight > 0 else None,
        )
        out = [
            _assembled(
                catalog,
                customer,
                tier_policy,
                b,
                explainer,
                on,
                role=role,
                rank=rank,
                budget=limit,
                repair=repair,
            )
            for rank, b in enumerate(bundles, 1)
        ]
        if tier_policy.upgrade and role == "fit":
            growth = _upgrade(session, customer, tier_policy, weights, bundles, judge)
            if growth is not None:
                reasons = explainer.reasons(growth.configuration, upgrade_of=bundles[0].configuration)
                out.append(
                    _assembled(
                        catalog, customer, tier_policy, growth, explainer, on,
                        role="upgrade", rank=len(out) + 1, budget=limit, reasons=reasons,
                    )
                )  # fmt: skip
    return out


def _replay(
    session: ConfigurationSession, customer: CustomerContext, policy: TierPolicy, on: dt.date | None
) -> dict[str, float]:
    """Offsets under which the customer's past choices are what the product proposes for their occasions."""
    if not customer.past:
        return {}

    def weights(required: tuple[str, ...]) -> Weights:
        return tier_weights(customer, policy, [parse_requirement(r) for r in required])

    def judge(budget: Decimal) -> BudgetJudge:
        return BudgetJudge(customer.catalog, policy, budget, country=customer.country, on=on)

    return replayed(session, customer.past, weights, judge, step=REPLAY_STEP * policy.needs_weight)


def _apply(session: ConfigurationSession, choice: Choice) -> None:
    if choice.selected:
        session.select(choice.module, choice.option, choice.qty)
    else:
        session.deselect(choice.module, choice.option)


def _when_nothing_fits(
    session: ConfigurationSession,
    customer: CustomerContext,
    choices: Sequence[Choice],
    stated: Mapping[str, tuple[str, ...]],
    weights: Weights,
    search: tuple[TierPolicy, int, BudgetJudge | None],
) -> tuple[list[Bundle], str, RepairProposal | None]:
    """No bundle meets the request: bundles after the cheapest repair, else the cheapest one over the budget.

    ``search`` is the tier policy, how many bundles and the budget's judge. Returns the bundles (empty when none
    meets the request at any price), their role (``repaired`` or ``over_budget``) and the repair.
    """
    tier_policy, k, judge = search
    bundles: list[Bundle] = []
    role = "fit"
    repair = _repair_choices(session, customer, choices, stated)
    if repair is not None and repair.drop:
        role = "repaired"
        bundles = top_k(session, weights, k, tier_policy.distance, judge)
    if not bundles and judge is not None:
        cheapest = session.optimize([Weights(price=-1.0, scale=100), weights])
        if cheapest is not None:
            kept = repair.keep if repair is not None else tuple(_key(c) for c in choices)
            dropped = repair.drop if repair is not None else ()
            cost = repair.cost if repair is not None else 0
            repair = RepairProposal(dropped, cost, kept, judge.total(cheapest.configuration))
            bundles, role = [cheapest], "over_budget"
    return bundles, role, (None if role == "fit" else repair)


def _repair_choices(
    session: ConfigurationSession,
    customer: CustomerContext,
    choices: Sequence[Choice],
    stated: Mapping[str, tuple[str, ...]],
) -> RepairProposal | None:
    """Drop the cheapest set of choices (by the customer's care) when they conflict; None when nothing fits."""
    if not choices:
        return None
    costs = {c.key: _care(customer, c, c.key in stated) for c in choices}
    found = session.repair(costs)
    if found is None:
        return None
    for key in found.drop:
        module, _, option = key.rpartition(".")
        session.unset(module, option)
    keep = tuple(_key(c) for c in choices if c.key not in found.drop)
    dropped = tuple(_key(c) for c in choices if c.key in found.drop)
    return RepairProposal(dropped, found.cost, keep)


def _assembled(
    catalog: Catalog,
    customer: CustomerContext,
    policy: TierPolicy,
    bundle: Bundle,
    explainer: Explainer,
    on: dt.date | None,
    *,
    role: str,
    rank: int,
    budget: Decimal | None,
    repair: RepairProposal | None = None,
    reasons: tuple[Reason, ...] | None = None,
    changes: tuple[str, ...] = (),
    violations: Sequence[Violation] | None = None,
) -> AssembledBundle:
    _checked(catalog, bundle.configuration, on, f"bundle {rank} ({role})", violations)
    services = tuple(service_lines(catalog, bundle.configuration, policy, customer.country, on=on))
    total = payable(
        catalog,
        bundle.configuration,
        country=customer.country,
        tier=customer.tier,
        services=services_in_total(services),
    ).total
    return AssembledBundle(
        configuration=bundle.configuration,
        status=bundle.status,
        utility=bundle.utility,
        price=bundle.price,
        total=total,
        services=services,
        reasons=explainer.reasons(bundle.configuration) if reasons is None else reasons,
        role=role,
        rank=rank,
        tier=customer.tier,
        channel=policy.channel,
        budget=budget,
        repair=repair,
        changes=changes,
    )


def _upgrade(
    session: ConfigurationSession,
    customer: CustomerContext,
    policy: TierPolicy,
    weights: Weights,
    shown: Sequence[Bundle],
    judge: BudgetJudge | None,
) -> Bundle | None:
    """One growth bundle: the best one step above the budget, else the best fit with the add-on they like most."""
    seen = [b.configuration.selections for b in shown]
    stretch = policy.upgrade_stretch_pct
    if judge is not None:
        above = judge.optimize(session, weights, stretch=stretch)
        if (
            above is not None
            and not judge.fits(above.configuration)
            and above.configuration.selections not in seen
        ):
            return above
    best = shown[0].configuration
    domains = session.domains()
    liked = customer.view.option_weights(customer.needs)
    addons: list[tuple[float, str, str]] = []
    for module_id, module in customer.catalog.modules.items():
        chosen = [o for o, q in best.selections.get(module_id, {}).items() if q > 0]
        if len(chosen) >= module.max_choices:
            continue
        for option in domains.get(module_id, ()):
            if best.quantity(module_id, option) == 0:
                addons.append((-liked.get(f"{module_id}.{option}", 0.0), module_id, option))
    for _, module_id, option in sorted(addons)[:3]:
        session.select(module_id, option)
        try:
            grown = (
                session.optimize(weights)
                if judge is None
                else judge.optimize(session, weights, stretch=stretch)
            )
        finally:
            session.unset(module_id, option)
        if grown is not None and grown.configuration.selections not in seen:
            return grown
    return None


# -- repeat purchase, next best, repairs --------------------------------------------------------------------


def _installed(configuration: Configuration | Mapping[str, object]) -> Configuration:
    if isinstance(configuration, Configuration):
        return configuration
    return Configuration.from_data({"selections": configuration}, where="installed configuration")


def _diff(before: Configuration, after: Configuration) -> tuple[str, ...]:
    removed = [f"-{m}.{o}" for m, o, _ in before.items() if after.quantity(m, o) == 0]
    added = [f"+{m}.{o}" for m, o, _ in after.items() if before.quantity(m, o) == 0]
    return (*removed, *added)


def _keep_costs(customer: CustomerContext) -> dict[str, int]:
    """Cost of changing each option: a constant, plus up to 9 by how much the customer likes it (ties only)."""
    liked = customer.view.option_weights(customer.needs)
    costs: dict[str, int] = {}
    for module_id, module in customer.catalog.modules.items():
        for option in module.options:
            key = f"{module_id}.{option}"
            costs[key] = _CHANGE_COST + max(0, min(9, round(abs(liked.get(key, 0.0)))))
    return costs


def _repeat_reasons(
    explainer: Explainer,
    installed: Configuration,
    result: Configuration,
    asked: Iterable[Choice],
    own: Sequence[Reason] | None = None,
) -> tuple[Reason, ...]:
    asked_keys = {c.key for c in asked if c.selected}
    out: list[Reason] = []
    for reason in explainer.reasons(result) if own is None else own:
        key = f"{reason.module}.{reason.option}"
        before = [
            o for o, q in installed.selections.get(reason.module, {}).items() if q > 0 and o != reason.option
        ]
        if key in asked_keys:
            out.append(Reason(reason.module, reason.option, "stated", (), {"source": "request"}))
        elif installed.quantity(reason.module, reason.option) > 0:
            detail = {"same_as": "installed"} | ({"at": reason.detail["at"]} if "at" in reason.detail else {})
            out.append(Reason(reason.module, reason.option, "purchased", reason.events, detail))
        else:
            detail = {"rule": "follows from the changes"} | (
                {"instead_of": ",".join(before)} if before else {}
            )
            out.append(Reason(reason.module, reason.option, "required", (), detail))
    return tuple(out)


def repeat_purchase(
    catalog: Catalog,
    customer: CustomerContext,
    installed_configuration: Configuration | Mapping[str, object],
    changes: Sequence[str | Choice] = (),
    *,
    policy: TierPolicy | PolicyBook | None = None,
    on: dt.date | None = None,
) -> AssembledBundle:
    """The same as last time, with these changes: the valid bundle with the fewest changes that meets them.

    Among equally few changes, the options the customer likes least are changed first.

    Args:
        catalog: the catalog.
        customer: the customer's context.
        installed_configuration: what they bought last time.
        changes: what to change (``module.option`` to have, ``!module.option`` not to have).
        policy: the tier policy or a policy book (services, channel).
        on: the date for effective dates.

    Raises:
        AssemblyError: the changes cannot be met (see :func:`repairs`), or the bundle fails the checker.
    """
    installed = _installed(installed_configuration)
    asked = [parse_requirement(c) for c in changes]
    tier_policy = _policy(policy, catalog, customer.tier)
    expressions = [("" if c.selected else "!") + c.key for c in asked]
    with kept_session(catalog, on) as session:
        for choice in asked:
            _check_choice(catalog, choice)
        result = session.reconfigure(installed, expressions, weights=_keep_costs(customer))
    if result is None:
        raise AssemblyError(
            f"repeat purchase: no valid {catalog.catalog} bundle meets the changes {', '.join(expressions)}; "
            "see repairs()"
        )
    explainer = Explainer(catalog, customer.view, customer.needs, evidence=customer.evidence)
    bundle = Bundle(result, "optimal", 0.0, _list_price(catalog, result))
    return _assembled(
        catalog, customer, tier_policy, bundle, explainer, on,
        role="repeat", rank=1, budget=None,
        reasons=_repeat_reasons(explainer, installed, result, asked), changes=_diff(installed, result),
    )  # fmt: skip


def _list_price(catalog: Catalog, configuration: Configuration) -> Decimal:
    """List price with sub-assemblies, from the pricing lines (what quotes start from)."""
    return sum((line.amount for line in price_lines(catalog, configuration)), Decimal(0))


def next_best(
    catalog: Catalog,
    customer: CustomerContext,
    installed_configuration: Configuration | Mapping[str, object],
    n: int = 3,
    *,
    policy: TierPolicy | PolicyBook | None = None,
    on: dt.date | None = None,
) -> list[AssembledBundle]:
    """Upgrades and add-ons compatible with what they own, ranked by their needs.

    A candidate is an option they do not own; its gain is its utility over what they have in its module (an
    upgrade replaces the owned option of a single-choice module; an add-on fills an optional module or adds a
    multi-choice option). Each candidate is reconfigured from the installed configuration with the fewest
    changes, and kept only when nothing they own outside its module is given up.

    Args:
        catalog: the catalog.
        customer: the customer's context.
        installed_configuration: what they own.
        n: how many proposals.
        policy: the tier policy or a policy book (services, channel).
        on: the date for effective dates.

    Returns:
        Up to ``n`` bundles (role ``next_best``), best gain first, each with ``changes`` from the installed one.
    """
    installed = _installed(installed_configuration)
    tier_policy = _policy(policy, catalog, customer.tier)
    liked = customer.view.option_weights(customer.needs)
    candidates: list[tuple[float, Decimal, str, str]] = []
    for module_id, module in catalog.modules.items():
        if not module.effective(on):
            continue
        owned = [
            o for o, q in installed.selections.get(module_id, {}).items() if q > 0 and o in module.options
        ]
        single = module.max_choices <= 1
        current = max((liked.get(f"{module_id}.{o}", 0.0) for o in owned), default=0.0) if single else 0.0
        for option_id, option in module.options.items():
            if option_id in owned or not option.effective(on):
                continue
            gain = liked.get(f"{module_id}.{option_id}", 0.0) - current
            candidates.append((-gain, option.price, module_id, option_id))
    candidates.sort()
    explainer = Explainer(catalog, customer.view, customer.needs, evidence=customer.evidence)
    costs = {f"{m}.{o}": _CHANGE_COST for m, module in catalog.modules.items() for o in module.options}
    out: list[AssembledBundle] = []
    seen: list[Configuration] = []
    with kept_session(catalog, on) as session:
        for negative_gain, _, module_id, option_id in candidates[: max(3 * n, n + 6)]:
            if len(out) >= n:
                break
            result = session.reconfigure(installed, [f"{module_id}.{option_id}"], weights=costs)
            if result is None or result in seen:
                continue
            lost = [
                (m, o) for m, o, _ in installed.items()
                if result.quantity(m, o) == 0 and (m != module_id or catalog.modules[m].max_choices > 1)
            ]  # fmt: skip
            if lost:
                continue
            seen.append(result)
            reasons = []
            own = explainer.reasons(result)
            for reason in _repeat_reasons(explainer, installed, result, [Choice(module_id, option_id)], own):
                if (reason.module, reason.option) == (module_id, option_id):
                    mine = next(r for r in own if (r.module, r.option) == (module_id, option_id))
                    replaced = [o for o, q in installed.selections.get(module_id, {}).items() if q > 0]
                    detail = dict(mine.detail) | {"gain": f"{-negative_gain:.2f}"}
                    if replaced:
                        detail["instead_of"] = ",".join(replaced)
                    reason = Reason(module_id, option_id, mine.because, mine.events, detail)
                reasons.append(reason)
            bundle = Bundle(result, "optimal", -negative_gain, _list_price(catalog, result))
            out.append(
                _assembled(
                    catalog, customer, tier_policy, bundle, explainer, on,
                    role="next_best", rank=len(out) + 1, budget=None,
                    reasons=tuple(reasons), changes=_diff(installed, result),
                    violations=session.validate(result),  # the checker's answer, remembered by the session
                )
            )  # fmt: skip
    return out


def repairs(
    catalog: Catalog,
    customer: CustomerContext,
    requirements: Sequence[str | Choice],
    *,
    limit: int = 5,
    on: dt.date | None = None,
) -> list[RepairProposal]:
    """Ways to make an infeasible request feasible, the ones giving up what the customer cares least about first.

    The request is its requirements plus the customer's hard stated needs. Each choice costs the customer's
    probability of it (stated needs cost more); a proposal gives up a set of choices that leaves the rest
    satisfiable. The cheapest repair comes first, then one per choice of a minimal conflict (given up, with
    whatever else the rest still needs).

    Args:
        catalog: the catalog.
        customer: the customer's context.
        requirements: the request (``module.option`` or ``!module.option``).
        limit: the most proposals returned.
        on: the date for effective dates.

    Returns:
        The proposals by cost, then by how many choices they give up; empty when the request is feasible.
    """
    choices, stated = _hard_choices(customer, requirements)
    costs = {c.key: _care(customer, c, c.key in stated) for c in choices}
    by_key = {c.key: c for c in choices}
    found: dict[frozenset[str], RepairProposal] = {}

    def proposal(drop: Iterable[str]) -> RepairProposal:
        dropped = [c for c in choices if c.key in set(drop)]
        return RepairProposal(
            tuple(_key(c) for c in dropped),
            sum(costs[c.key] for c in dropped),
            tuple(_key(c) for c in choices if c not in dropped),
        )

    with kept_session(catalog, on) as session:
        for choice in choices:
            _apply(session, choice)
        best = session.repair(costs)
        if best is None or not best.drop:
            return []
        found[frozenset(best.drop)] = proposal(best.drop)
        conflict = session.explain()
        members = [] if conflict is None else [key for key in conflict.choices if key in by_key]
        for key in sorted(members, key=lambda c: (costs[c], c)):
            choice = by_key[key]
            session.unset(choice.module, choice.option)
            rest = session.repair(costs)
            _apply(session, choice)
            if rest is not None:
                drop = frozenset({key, *rest.drop})
                found.setdefault(drop, proposal(drop))
    ranked = sorted(found.values(), key=lambda p: (p.cost, len(p.drop), p.drop))
    return ranked[:limit]
