"""Requirements: what a customer requires of one purchase, and what that says about their other choices.

:func:`parse_requirement` turns ``module.option`` (must have) and ``!module.option`` (must not) into session
choices. A quote keeps the requirements it was made for, and its order carries them (``required`` on the
order line, or on a ``configured`` event). They let the learned needs tell a choice from a consequence:

A **second choice** is a module's choice made because the purchase's requirements ruled out what the customer
had chosen there before. A cyclist who bought the carbon frame last spring and now requires the cargo rack
(which the rules allow only on the steel frame) takes the steel frame: that says they prefer steel to the
frames left, not to carbon. Counted as a full purchase, it ties with the earlier carbon purchase, and the next
proposal without the rack is a coin toss between the two. :func:`second_choices` finds them, in time order:
in a single-choice module that no positive requirement names, the choice is a second choice when none of the
options the customer chose there freely before (in purchases and configurations without that constraint) is
still available under the requirements (exact domains of the catalog's session), and the choice is not one of
them. :func:`customer_evidence` weighs the purchase and configuration evidence of a second choice at
:data:`SECOND_CHOICE` of its strength: the earlier choice stays first, and the second choice stays ahead of the
options the customer never chose, which is what it shows. The option a requirement named keeps
:data:`REQUIRED_CHOICE` of its strength: it was that occasion's need, not a choice among open options. A
**restricted choice** is made in a single-choice module that no positive requirement names but whose options
the requirements narrowed (the rules, given what was required, ruled some out): the best of what was left, not
of the whole module, so it keeps :data:`RESTRICTED_CHOICE` of its strength, even on a first purchase where no
earlier choice tells what was given up.

A budget limits choices as requirements do. A quote keeps the budget it was made for and its order carries it
(``budget`` on the order line, or ``budget`` with ``total`` on a ``configured`` event); :func:`priced_out`
finds what the budget left out: a multi-choice option that would have taken the configuration over the budget
keeps :data:`PRICED_OUT` of its "not chosen" strength, and a single-choice module in which a dearer option was
out of reach is a restricted choice.

The customer's own choices limit them too. A laptop buyer who chose Ubuntu could not add the office suite that
runs only on Windows: leaving it out says they preferred Ubuntu with what it allows, not that they do not want
the suite. :func:`ruled_out` finds, in every configuration an event records, the multi-choice options that the
configuration's single choices (one option per module) left no valid configuration for; their "not chosen"
evidence keeps :data:`RULED_OUT` of its strength.

Measured on the simulated learning loop (100 customers x 3 purchases, seed 1, acceptance of the first proposal
at purchase 3): e-bike 54 % -> 56-57 %, laptop 54 % -> 59 % (docs/simulate.md).

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.customers.events import validate_event
    >>> from configurator.needs.catalog import CatalogNeedsView
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"carbon": {}, "steel": {}, "alu": {}}},
    ...                 "rack": {"choose": "optional", "options": {"cargo": {}}}},
    ...     "rules": [{"id": "cargo-steel", "if": "rack.cargo", "requires": "frame.steel"}]})
    >>> def bought(event_id, day, selections, required=None):
    ...     return validate_event({"event_id": event_id, "type": "configured", "customer_id": "c",
    ...         "channel": "web", "ts": f"2026-0{day}-01T10:00:00Z", "catalog": "bike", "complete": True,
    ...         "selections": selections, "required": required}, tenant="shop")
    >>> events = [bought("p1", 1, {"frame": "carbon"}),
    ...           bought("p2", 2, {"frame": "steel", "rack": "cargo"}, ["rack.cargo"])]
    >>> view = CatalogNeedsView(bike)
    >>> second_choices(view, events)
    {'p2': frozenset({'frame'})}
    >>> [(e.variable, e.value, e.importance) for e in customer_evidence(view, events) if e.source == "p2"]
    [('frame', 2, 0.25), ('rack', 1, 0.5)]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal

from configurator.assembly.kept import kept_session
from configurator.catalog.models import Catalog
from configurator.customers.events import Configured, Event, Purchased
from configurator.errors import ConfigurationError, ConfiguratorError
from configurator.needs.catalog import CatalogNeedsView
from configurator.needs.customer import Evidence
from configurator.solver.memo import Recent
from configurator.solver.session import Choice

__all__ = [
    "PRICED_OUT",
    "REQUIRED_CHOICE",
    "RESTRICTED_CHOICE",
    "RULED_OUT",
    "SECOND_CHOICE",
    "Recorded",
    "customer_evidence",
    "parse_requirement",
    "priced_out",
    "recorded",
    "restricted_choices",
    "ruled_out",
    "second_choices",
]

SECOND_CHOICE = 0.25
"""The share of its strength a second choice's purchase or configuration evidence keeps.

Measured on the simulated e-bike (100 customers x 3 purchases, acceptance at purchase 3): 1 (no discount) 54 %,
0.5 57 %, 0.25 56 %, 0.1 57 %; 0.25 keeps the second choice ahead of options never chosen by a clear margin."""

REQUIRED_CHOICE = 0.5
"""The share of its strength the purchase or configuration evidence of an option the purchase required keeps.

The customer named it for that occasion: it says what the occasion needed, and less about their standing taste
than a choice among the options left open. Measured on the simulated learning loop (300 customers x 4
purchases, seed 1, acceptance at purchases 2 / 3 / 4): e-bike 43 / 58 / 64 % at 1 (no discount), 45 / 60 / 64 %
at 0.5 (docs/simulate.md)."""

RESTRICTED_CHOICE = 0.5
"""The share of its strength the purchase or configuration evidence of a restricted choice keeps.

Measured on the simulated learning loop (300 customers x 4 purchases, seed 1, acceptance at purchases 2 / 3 / 4
with mean edits): e-bike 45 / 60 / 64 % (1.48 / 0.87 / 0.85) at 1 (no discount), 45 / 60 / 67 %
(1.45 / 0.85 / 0.75) at 0.5 (docs/simulate.md)."""

PRICED_OUT = 0.25
"""The share of its strength the "not chosen" evidence of an option the budget left out keeps.

A purchase's or configuration's budget (the most the customer would pay, with what it cost them) tells which
options they could not have added without going over it: leaving those out says less about their taste than
leaving out an option they could afford. Measured on the simulated learning loop (120 customers x 3
purchases, seed 1, acceptance at purchase 3 with mean edits): e-bike 56.7 % (0.89) at 1 (no discount),
59.2 % (0.83) at 0.25; with the single-choice modules the budget narrowed counted as restricted choices,
60.0 % (0.86). At 300 customers x 4 (200 for the kitchen), purchase 3: e-bike 60 -> 63 %, laptop 53 -> 55 %,
valve 59 -> 61 %, kitchen 32.5 -> 35.5 % (docs/needs.md)."""

RULED_OUT = 0.25
"""The share of its strength the "not chosen" evidence of an option the customer's other choices ruled out keeps.

Measured on the simulated learning loop (120 customers x 3 purchases, 80 for the kitchen, seed 1, acceptance at
purchase 3 with mean edits), without / with: laptop 61.7 % (0.73) / 63.3 % (0.68), valve 64.2 % (0.76) /
66.7 % (0.69), e-bike 60.0 % (0.84) / 60.8 % (0.82), kitchen 36.2 % (2.17) / 35.0 % (2.20) (docs/simulate.md).
At 0.1 / 0.5: laptop 60.0 % (0.77) / 63.3 % (0.68), valve 67.5 % (0.68) / 65.0 % (0.72). Judging an option
ruled out when adding it alone broke a rule instead (the kitchen's cabinets then need more handles and worktop)
took the kitchen to 35.0 % (2.33)."""

_DOMAINS_MAX = 4096
"""Domains under a set of requirements remembered (the most recently used), per catalog object."""
_DOMAINS: Recent[tuple[int, tuple[str, ...]], tuple[Catalog, dict[str, frozenset[str]] | None]] = Recent(
    _DOMAINS_MAX
)


def parse_requirement(requirement: str | Choice) -> Choice:
    """A requirement as a session choice: ``module.option`` selects, ``!module.option`` excludes.

    Example:
        >>> parse_requirement("!motor.hub")
        Choice(module='motor', option='hub', selected=False, qty=None)

    Raises:
        ConfigurationError: text that is not of either form.
    """
    if isinstance(requirement, Choice):
        return requirement
    text = requirement.strip()
    selected = not text.startswith("!")
    module, dot, option = text.lstrip("!").strip().rpartition(".")
    if not dot or not module or not option:
        raise ConfigurationError(f"requirement {requirement!r}: expected 'module.option' or '!module.option'")
    return Choice(module, option, selected)


def _domains(catalog: Catalog, required: tuple[str, ...]) -> dict[str, frozenset[str]] | None:
    """The options of every module still available under ``required`` (None: unknown names, or no valid one)."""
    key = (id(catalog), required)
    found = _DOMAINS.get(key)
    if found is not None and found[0] is catalog:
        return found[1]
    domains: dict[str, frozenset[str]] | None
    try:
        with kept_session(catalog, None) as session:
            for text in required:
                choice = parse_requirement(text)
                if choice.selected:
                    session.select(choice.module, choice.option)
                else:
                    session.deselect(choice.module, choice.option)
            domains = {module: frozenset(options) for module, options in session.domains().items()}
    except ConfiguratorError:  # a stored requirement the catalog no longer knows, or no valid configuration
        domains = None
    _DOMAINS.put(key, (catalog, domains))
    return domains


@dataclasses.dataclass(frozen=True)
class Recorded:
    """A configuration an event records, with the occasion it was chosen for.

    Attributes:
        selections: the configuration's top-level selections.
        required: what the customer required of it.
        budget: the most they would pay for it, if recorded.
        cost: what it cost them (an order line's unit price, a ``configured`` event's total), if recorded.
        complete: whether it is a whole configuration (an order line, a complete ``configured`` event).
    """

    selections: Mapping[str, Mapping[str, int]]
    required: tuple[str, ...]
    budget: Decimal | None
    cost: Decimal | None
    complete: bool


def recorded(event: Event, catalog_id: str) -> Iterator[Recorded]:
    """Each configuration of ``catalog_id`` an event records: order lines and ``configured`` events."""
    if isinstance(event, Purchased):
        for line in event.lines:
            if line.catalog == catalog_id and line.selections:
                yield Recorded(
                    line.selections, tuple(line.required or ()), line.budget, line.unit_price, True
                )
    elif isinstance(event, Configured) and event.catalog == catalog_id:
        yield Recorded(
            event.selections, tuple(event.required or ()), event.budget, event.total, event.complete
        )


def _chosen(
    event: Event, catalog_id: str
) -> Iterator[tuple[Mapping[str, Mapping[str, int]], tuple[str, ...]]]:
    """Each configuration of ``catalog_id`` an event records, with what the customer required of it."""
    for found in recorded(event, catalog_id):
        yield found.selections, found.required


def _budgeted(
    event: Event, catalog_id: str
) -> Iterator[tuple[Mapping[str, Mapping[str, int]], Decimal, Decimal]]:
    """Each configuration of ``catalog_id`` an event records with a budget: its selections, budget, cost."""
    for found in recorded(event, catalog_id):
        if found.budget is not None and found.cost is not None:
            yield found.selections, found.budget, found.cost


def priced_out(view: CatalogNeedsView, event: Event) -> frozenset[str]:
    """The need variables of an event's configurations whose choice its budget limited.

    The headroom is what was left of the budget (``budget`` less what the configuration cost), turned into list
    price at the configuration's own rate (cost over list price, so tax and discounts need not be known). A
    multi-choice option left out whose price is above the headroom could not have been added (its variable
    ``module.option`` is returned); a single-choice module in which an option costs more than the chosen one
    (or than none) by more than the headroom was chosen among the options the budget left (its module). An
    option left out costs its list price times the least quantity it can be ordered in (``qty.min``); another
    option of a single-choice module, its price difference with the chosen one times the units chosen (the rules
    that set the count set it for either); options the catalog no longer has are left out.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> from configurator.customers.events import validate_event
        >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR",
        ...     "locales": ["en"], "modules": {
        ...         "frame": {"options": {"alu": {"price": 500}, "carbon": {"price": 1500}}},
        ...         "extras": {"choose": "any", "options": {"bell": {"price": 10}, "lights": {"price": 200}}}}})
        >>> event = validate_event({"event_id": "c1", "type": "configured", "customer_id": "c",
        ...     "channel": "web", "ts": "2026-01-01T10:00:00Z", "catalog": "bike", "complete": True,
        ...     "selections": {"frame": "alu"}, "budget": 600, "total": 500}, tenant="shop")
        >>> sorted(priced_out(CatalogNeedsView(bike), event))
        ['extras.lights', 'frame']
    """
    catalog = view.catalog
    found: set[str] = set()
    for selections, budget, cost in _budgeted(event, catalog.catalog):
        listed = sum(
            (
                catalog.modules[m].options[o].price * q
                for m, chosen in selections.items()
                if m in catalog.modules
                for o, q in chosen.items()
                if q and o in catalog.modules[m].options
            ),
            Decimal(0),
        )
        if cost <= 0 or listed <= 0:
            continue
        headroom = (budget - cost) * listed / cost
        for module_id, module in catalog.modules.items():
            quantities = {o: q for o, q in selections.get(module_id, {}).items() if q and o in module.options}
            if view.is_single(module_id):
                chosen = next(iter(quantities.items()), None)
                base, units = (module.options[chosen[0]].price, chosen[1]) if chosen else (Decimal(0), 0)
                if any(
                    (option.price - base) * (units or option.qty.min) > headroom
                    for option in module.options.values()
                ):
                    found.add(module_id)
                continue
            for option_id, option in module.options.items():
                if option_id not in quantities and option.price * option.qty.min > headroom:
                    found.add(f"{module_id}.{option_id}")
    return frozenset(found)


def ruled_out(view: CatalogNeedsView, event: Event) -> frozenset[str]:
    """The multi-choice options of an event's configurations that the customer's single choices ruled out.

    With every single-choice module of a configuration fixed to the option chosen there, an option of a
    multi-choice module that no valid configuration can add was not open to the customer: its variable
    (``module.option``) is returned. Options chosen are never returned. A configuration whose single choices
    have no valid completion (an older catalog version, a dirty record) rules nothing out; nor does any
    configuration of a catalog that does not compile to a decision diagram (exact domains would take a solver
    query per option, on every request that reads the customer). Effective dates are ignored: the event happened
    when it did.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> from configurator.customers.events import validate_event
        >>> laptop = Catalog.model_validate({"catalog": "laptop", "version": "1", "currency": "EUR",
        ...     "locales": ["en"], "modules": {"os": {"options": {"windows": {}, "ubuntu": {}}},
        ...         "software": {"choose": "any", "options": {"office": {}, "backup": {}}}},
        ...     "rules": [{"id": "office-windows", "if": "software.office", "requires": "os.windows"}]})
        >>> event = validate_event({"event_id": "p1", "type": "configured", "customer_id": "c",
        ...     "channel": "web", "ts": "2026-01-01T10:00:00Z", "catalog": "laptop", "complete": True,
        ...     "selections": {"os": "ubuntu"}}, tenant="shop")
        >>> sorted(ruled_out(CatalogNeedsView(laptop), event))
        ['software.office']
    """
    catalog = view.catalog
    found: set[str] = set()
    for selections, _ in _chosen(event, catalog.catalog):
        if not _compiled(catalog):
            break
        fixed: list[tuple[str, str]] = []
        for module_id, chosen in selections.items():
            if module_id in catalog.modules and view.is_single(module_id):
                options = catalog.modules[module_id].options
                fixed.extend((module_id, o) for o, q in chosen.items() if q and o in options)
        if not fixed:
            continue
        domains = _domains(catalog, tuple(sorted(f"{m}.{o}" for m, o in fixed)))
        if domains is None or any(o not in domains.get(m, ()) for m, o in fixed):
            continue
        for module_id, module in catalog.modules.items():
            if view.is_single(module_id):
                continue
            chosen_here = {o for o, q in selections.get(module_id, {}).items() if q}
            open_here = domains.get(module_id, frozenset())
            found.update(f"{module_id}.{o}" for o in module.options if o not in chosen_here | open_here)
    return frozenset(found)


def _compiled(catalog: Catalog) -> bool:
    """Whether the catalog's kept session has a decision diagram (exact domains at propagation speed)."""
    with kept_session(catalog, None) as session:
        return session.diagram() is not None


def second_choices(view: CatalogNeedsView, events: Iterable[Event]) -> dict[str, frozenset[str]]:
    """The second choices among a customer's events: event id -> the single-choice modules concerned.

    Args:
        view: the catalog's needs view.
        events: the customer's events (any order; read by timestamp, then event id).

    Returns:
        For each purchase or configuration of the catalog whose requirements ruled out, in a module, every
        option the customer had chosen there freely before (and who chose none of them), that module.
    """
    catalog = view.catalog
    free: dict[str, set[str]] = {}
    found: dict[str, frozenset[str]] = {}
    for event in sorted(events, key=lambda e: (e.ts, e.event_id)):
        for selections, required in _chosen(event, catalog.catalog):
            named = {parse_requirement(r).module for r in required if not r.strip().startswith("!")}
            domains = _domains(catalog, required) if required else None
            second: set[str] = set()
            for module in catalog.modules:
                if not view.is_single(module) or module in named:
                    continue
                options = {o for o, q in selections.get(module, {}).items() if q > 0}
                before = free.get(module, set())
                ruled_out = domains is not None and not before & domains.get(module, frozenset())
                if before and ruled_out and not options & before:
                    second.add(module)
                    continue
                if module in selections:
                    free.setdefault(module, set()).update(options)
            if second:
                found[event.event_id] = found.get(event.event_id, frozenset()) | second
    return found


def restricted_choices(view: CatalogNeedsView, event: Event) -> frozenset[str]:
    """The single-choice modules of an event's configurations whose options its requirements narrowed.

    A module a positive requirement names is left out (its option is the required one, see
    :data:`REQUIRED_CHOICE`); so are configurations without requirements, and requirements the catalog no
    longer knows.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> from configurator.customers.events import validate_event
        >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR",
        ...     "locales": ["en"], "modules": {"frame": {"options": {"carbon": {}, "steel": {}}},
        ...         "bell": {"options": {"ding": {}, "dong": {}}},
        ...         "rack": {"choose": "optional", "options": {"cargo": {}}}},
        ...     "rules": [{"id": "cargo-steel", "if": "rack.cargo", "requires": "frame.steel"}]})
        >>> event = validate_event({"event_id": "p1", "type": "configured", "customer_id": "c",
        ...     "channel": "web", "ts": "2026-01-01T10:00:00Z", "catalog": "bike", "complete": True,
        ...     "selections": {"frame": "steel", "bell": "ding", "rack": "cargo"}, "required": ["rack.cargo"]},
        ...     tenant="shop")
        >>> sorted(restricted_choices(CatalogNeedsView(bike), event))
        ['frame']
    """
    catalog = view.catalog
    found: set[str] = set()
    for _, required in _chosen(event, catalog.catalog):
        if not required:
            continue
        narrowed, whole = _domains(catalog, required), _domains(catalog, ())
        if narrowed is None or whole is None:
            continue
        named = {parse_requirement(r).module for r in required if not r.strip().startswith("!")}
        for module, options in whole.items():
            if module not in named and view.is_single(module) and narrowed.get(module, frozenset()) < options:
                found.add(module)
    return frozenset(found)


def customer_evidence(
    view: CatalogNeedsView, events: Sequence[Event], *, strict: bool = False
) -> list[Evidence]:
    """What a customer's events say about their needs in the view's catalog, second choices weighed down.

    Args:
        view: the catalog's needs view.
        events: the customer's events.
        strict: raise on unknown references (see :meth:`CatalogNeedsView.evidence`).

    Returns:
        Every event's evidence in the order given; the ``purchased`` and ``configured`` evidence of a second
        choice (:func:`second_choices`) at :data:`SECOND_CHOICE` of its importance, of an option the
        purchase required at :data:`REQUIRED_CHOICE`, of a restricted choice (:func:`restricted_choices`) at
        :data:`RESTRICTED_CHOICE`; the "not chosen" evidence of an option the budget left out
        (:func:`priced_out`) at :data:`PRICED_OUT`, of one the other choices ruled out (:func:`ruled_out`) at
        :data:`RULED_OUT`.
    """
    second = second_choices(view, events)
    out: list[Evidence] = []
    for event in events:
        found = view.evidence(event, strict=strict)
        modules = second.get(event.event_id, frozenset())
        required = _required_values(view, event)
        restricted = restricted_choices(view, event)
        budget = priced_out(view, event)
        ruled = ruled_out(view, event)
        if modules or required or restricted or budget or ruled:
            found = [
                e
                if (share := _share(e, modules, required, restricted, budget, ruled)) == 1.0
                else dataclasses.replace(e, importance=e.importance * share)
                for e in found
            ]
        out.extend(found)
    return out


def _required_values(view: CatalogNeedsView, event: Event) -> set[tuple[str, int]]:
    """The need variables and values the event's positive requirements named (unknown names left out)."""
    found: set[tuple[str, int]] = set()
    for _, required in _chosen(event, view.catalog.catalog):
        for text in required:
            choice = parse_requirement(text)
            if choice.selected:
                try:
                    found.add(view.variable_of(choice.module, choice.option))
                except ConfigurationError:  # an option the catalog no longer has weighs nothing down
                    continue
    return found


def _share(
    evidence: Evidence,
    second: frozenset[str],
    required: set[tuple[str, int]],
    restricted: frozenset[str],
    budget: frozenset[str],
    ruled: frozenset[str],
) -> float:
    """The share of its importance a purchase's or configuration's evidence keeps (1 for other kinds).

    The requirements' share (second, required, restricted choice) times the budget's: a choice among the
    options the budget left keeps :data:`RESTRICTED_CHOICE` (unless the requirements restricted it already), an
    option the budget left out :data:`PRICED_OUT`; an option the other choices ruled out keeps :data:`RULED_OUT`
    instead (once, whether the budget left it out too or not). Only a multi-choice option's "not chosen" is
    weighed down: an order's other line may have chosen it.
    """
    if evidence.kind not in ("purchased", "configured"):
        return 1.0
    if evidence.variable in second:
        share = SECOND_CHOICE
    elif (evidence.variable, evidence.value) in required:
        share = REQUIRED_CHOICE
    else:
        share = RESTRICTED_CHOICE if evidence.variable in restricted else 1.0
    left_out = evidence.value == 0  # a multi-choice option's "not chosen" (another line may have chosen it)
    if evidence.variable in ruled:
        if left_out:
            share *= RULED_OUT
    elif evidence.variable in budget:
        single = "." not in evidence.variable
        if not single:
            share *= PRICED_OUT if left_out else 1.0
        elif evidence.variable not in restricted:
            share *= RESTRICTED_CHOICE
    return share
