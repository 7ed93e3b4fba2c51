"""How close a configuration stays to one a customer owns, for reconfiguration (upgrades, repairs of an order).

:func:`closeness` is the objective a reconfiguration maximises: every option kept as it is (selected or not) at
its cost, then, among the closest, every quantity kept, in one objective whose option weights outweigh all the
quantities together. :func:`plain_change` is the change that needs no solver: the owned configuration with the
required options put in and nothing else changed; when it is valid, nothing valid changes less.
:func:`configuration_key` is a configuration's hashable form (for memos).

Example:
    >>> from configurator.catalog.models import Catalog
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}},
    ...                 "extras": {"choose": "any", "options": {"bell": {}, "rack": {}}}}})
    >>> owned = Configuration({"frame": {"alu": 1}, "extras": {"bell": 1}})
    >>> plain_change(bike, owned, ["frame.carbon", "extras.rack"]).selections
    {'frame': {'carbon': 1}, 'extras': {'bell': 1, 'rack': 1}}
    >>> plain_change(bike, owned, ["frame.carbon or extras.rack"]) is None  # not a plain option
    True
    >>> configuration_key(owned) == configuration_key(Configuration({"extras": {"bell": 1}, "frame": {"alu": 1}}))
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.solver.compile import CatalogProblem
from configurator.solver.problem import Lit, Not, Objective, Term

__all__ = ["closeness", "configuration_key", "plain_change", "quantity_at"]


def configuration_key(configuration: Configuration) -> tuple[object, ...]:
    """A hashable form of a configuration: its selected quantities and sub-assemblies, sorted."""
    return (
        tuple(sorted(configuration.items())),
        tuple(sorted((held, configuration_key(sub)) for held, sub in configuration.sub.items())),
    )


def quantity_at(configuration: Configuration, module: str, option: str) -> int:
    """The quantity of ``module.option`` where ``module`` may be a sub-assembly path (``m.o/sub``)."""
    head, slash, rest = module.partition("/")
    if not slash:
        return configuration.quantity(module, option)
    parent, _, held = head.partition(".")
    if configuration.quantity(parent, held) == 0:
        return 0
    return quantity_at(configuration.sub.get((parent, held), Configuration()), rest, option)


def _quantity_variable(cp: CatalogProblem, module: str, option: str) -> str | None:
    """The integer variable holding the quantity of a top-level option, when it can be more than 1."""
    terms = cp.quantity_term(module, option)
    if len(terms) != 1 or terms[0][0] != 1 or not isinstance(terms[0][1], str):
        return None
    name = terms[0][1]
    return name if max(cp.problem.var(name).domain) > 1 else None


def closeness(
    cp: CatalogProblem, installed: Configuration, weights: Mapping[str, int] | None = None
) -> Objective:
    """The objective of a reconfiguration: options kept (at their ``weights``, default 1), then quantities kept."""
    keep: list[tuple[int, Term]] = []
    for (module, option), literal in cp.all_option_literals().items():
        cost = (weights or {}).get(f"{module}.{option}", 1)
        keep.append((cost, literal if quantity_at(installed, module, option) > 0 else Not(literal)))
    modules = cp.catalog.modules
    quantities = tuple(
        (1, Lit(name, frozenset({qty})))
        for module, option, qty in installed.items()
        if module in modules and option in modules[module].options
        and (name := _quantity_variable(cp, module, option)) is not None
    )  # fmt: skip
    scale = len(quantities) + 1  # every option kept outweighs all the quantities together
    return Objective((*((scale * c, t) for c, t in keep), *quantities), 0, "max")


def plain_change(
    catalog: Catalog, installed: Configuration, requirements: Sequence[str]
) -> Configuration | None:
    """``installed`` with each required ``module.option`` put in and nothing else changed (not checked).

    In a module that takes one option the new option replaces the owned one. None when a requirement is not a
    plain option of the catalog, names a sub-assembly option, or ``installed`` has sub-assemblies: those need the
    solver.
    """
    if installed.sub:
        return None
    selections = {module: dict(options) for module, options in installed.selections.items()}
    for text in requirements:
        module_id, dot, option_id = text.strip().partition(".")
        module = catalog.modules.get(module_id)
        if not dot or module is None or option_id not in module.options:
            return None
        if (module_id, option_id) in catalog.products:
            return None
        chosen = selections.setdefault(module_id, {})
        if chosen.get(option_id, 0) > 0:
            continue
        if module.max_choices <= 1:
            chosen.clear()
        chosen[option_id] = max(1, module.options[option_id].qty.min)
    return Configuration(selections, {}, installed.catalog)
