"""The independent checker: every rule a full configuration violates, in plain Python over the rule AST.

It is the oracle solver backends are tested against, so it is written to be obviously right rather than fast:
for each module it checks the cardinality, for each selected option its quantity and effective dates, for each
rule in force on the date its guard and body, and it recurses into sub-assemblies.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}},
    ...                 "motor": {"choose": "optional", "options": {"hub": {}}}},
    ...     "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"],
    ...                "message": {"en": "Carbon frames cannot carry a hub motor"}}]})
    >>> [v.rule_id for v in find_violations(cat, {"frame": "carbon", "motor": "hub"})]
    ['no-hub']
    >>> find_violations(cat, {"frame": "carbon", "motor": "hub"})[0].choices
    ('frame.carbon', 'motor.hub')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from configurator.catalog.compiled import CompiledRule, compiled
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.rules.ast import Expr, SumAttr
from configurator.rules.evaluate import evaluate, references, walk

__all__ = ["CatalogEnvironment", "Violation", "find_violations"]

_BUILTIN: dict[str, dict[str, str]] = {
    "cardinality": {
        "en": "{module}: choose between {min} and {max} options, {n} chosen",
        "pt": "{module}: escolha entre {min} e {max} opções, {n} escolhidas",
        "es": "{module}: elija entre {min} y {max} opciones, {n} elegidas",
        "sv": "{module}: välj mellan {min} och {max} alternativ, {n} valda",
    },
    "quantity": {
        "en": "{option}: quantity must be between {min} and {max}, got {n}",
        "pt": "{option}: a quantidade deve estar entre {min} e {max}, recebido {n}",
        "es": "{option}: la cantidad debe estar entre {min} y {max}, recibido {n}",
        "sv": "{option}: antalet måste vara mellan {min} och {max}, fick {n}",
    },
    "effective": {
        "en": "{option} is not available on {date}",
        "pt": "{option} não está disponível em {date}",
        "es": "{option} no está disponible el {date}",
        "sv": "{option} är inte tillgänglig den {date}",
    },
    "rule": {
        "en": "rule {rule} is violated",
        "pt": "a regra {rule} não é cumprida",
        "es": "la regla {rule} no se cumple",
        "sv": "regeln {rule} är inte uppfylld",
    },
}


@dataclass(frozen=True)
class Violation:
    """A violated rule (or cardinality, quantity or effective-date condition) of a configuration.

    Attributes:
        rule_id: the rule id; built-in checks use ``module:ID:choose``, ``option:M.O:qty`` and
            ``option:M.O:effective``.
        kind: ``requires``, ``excludes``, ``constraint``, ``table``, ``cardinality``, ``quantity`` or
            ``effective``.
        message: the rule's message in the chosen locale.
        choices: the selected options involved, as ``module.option``.
        path: for a sub-assembly, ``module.option`` of the option it configures (nested with ``/``).
    """

    rule_id: str
    kind: str
    message: str
    choices: tuple[str, ...] = ()
    path: str = ""


class CatalogEnvironment:
    """Evaluation environment over a catalog and a configuration (see :mod:`configurator.rules.evaluate`)."""

    def __init__(
        self, catalog: Catalog, configuration: Configuration, context: Mapping[str, str] | None = None
    ):
        self.catalog = catalog
        self.chosen = [
            (m, o, q)
            for m, o, q in configuration.items()
            if m in catalog.modules and o in catalog.modules[m].options
        ]
        self.values = dict(context or {})

    def quantity(self, module: str, option: str) -> int:
        """Selected quantity of an option."""
        return sum(q for m, o, q in self.chosen if m == module and o == option)

    def selected(self, module: str | None = None) -> Iterable[tuple[str, str, int]]:
        """Selected options (of one module or all) with quantities."""
        return [(m, o, q) for m, o, q in self.chosen if module is None or m == module]

    def attribute(self, module: str, option: str, attr: str) -> bool | int | Decimal | str | None:
        """An option's attribute value."""
        return self.catalog.modules[module].options[option].attrs.get(attr)

    def context(self, name: str) -> str | None:
        """A context value (tier, country)."""
        return self.values.get(name)


def _message(kind: str, locale: str, **values: Any) -> str:
    table = _BUILTIN[kind]
    template = table.get(locale) or table.get(locale.split("_")[0]) or table["en"]
    return template.format(**values)


def _involved(exprs: Iterable[Expr | None], env: CatalogEnvironment) -> tuple[str, ...]:
    names: set[str] = set()
    sums: set[str] = set()
    for expr in exprs:
        if expr is None:
            continue
        for module, option in references(expr):
            names.update(f"{m}.{o}" for m, o, _ in env.selected(module) if option in (None, o))
        sums.update(node.attr for node in walk(expr) if isinstance(node, SumAttr))
    for attr in sums:
        names.update(f"{m}.{o}" for m, o, _ in env.selected() if env.attribute(m, o, attr) is not None)
    return tuple(sorted(names))


def _rule_holds(compiled_rule: CompiledRule, env: CatalogEnvironment) -> bool:
    rule = compiled_rule.rule
    if compiled_rule.table is not None:
        table = compiled_rule.table
        current = []
        for column in table.columns:
            chosen = [o for _, o, _ in env.selected(column)]
            current.append(chosen[0] if chosen else "-")
        matches = any(
            all(cell == "*" or cell == value for cell, value in zip(row, current, strict=True))
            for row in table.rows
        )
        return matches if table.mode == "allowed" else not matches
    if compiled_rule.guard is not None and not evaluate(compiled_rule.guard, env):
        return True
    if rule.excludes is not None and isinstance(rule.excludes, tuple):
        return sum(1 for expr in compiled_rule.body if evaluate(expr, env)) <= 1
    value = bool(evaluate(compiled_rule.body[0], env))
    return not value if rule.excludes is not None else value


def find_violations(
    catalog: Catalog,
    configuration: Configuration | Mapping[str, Any],
    *,
    on: dt.date | None = None,
    locale: str | None = None,
) -> list[Violation]:
    """Every rule, cardinality, quantity and effective date a full configuration violates.

    Args:
        catalog: the catalog.
        configuration: a :class:`Configuration`, or a mapping ``module -> option | [options] | {option: qty}``.
        on: the date for effective dates; options and rules not in force are judged on that day. None ignores
            effective dates.
        locale: the language of the messages (default: the catalog's default locale).

    Returns:
        The violations, in catalog order (modules, then rules), sub-assemblies last; empty when valid.

    Raises:
        ConfigurationError: when the configuration names unknown modules or options.
    """
    if not isinstance(configuration, Configuration):
        configuration = Configuration.from_data({"selections": configuration})
    configuration.check_references(catalog)
    return _check(catalog, configuration, on, locale or catalog.default_locale, "")


def _check(
    catalog: Catalog, config: Configuration, on: dt.date | None, locale: str, path: str
) -> list[Violation]:
    env = CatalogEnvironment(catalog, config)
    found: list[Violation] = []
    for mid, module in catalog.modules.items():
        chosen = [(o, q) for m, o, q in env.selected(mid)]
        label = catalog.text(module.label, locale, mid)
        if not module.choose.min <= len(chosen) <= module.max_choices:
            found.append(
                Violation(
                    f"module:{mid}:choose",
                    "cardinality",
                    _message(
                        "cardinality",
                        locale,
                        module=label,
                        min=module.choose.min,
                        max=module.max_choices,
                        n=len(chosen),
                    ),
                    tuple(f"{mid}.{o}" for o, _ in chosen),
                    path,
                )
            )
        for oid, qty in chosen:
            option = module.options[oid]
            name = f"{mid}.{oid}"
            if not option.qty.min <= qty <= option.qty.max:
                found.append(
                    Violation(
                        f"option:{name}:qty",
                        "quantity",
                        _message(
                            "quantity",
                            locale,
                            option=catalog.text(option.label, locale, name),
                            min=option.qty.min,
                            max=option.qty.max,
                            n=qty,
                        ),
                        (name,),
                        path,
                    )
                )
            if not (option.effective(on) and module.effective(on)):
                found.append(
                    Violation(
                        f"option:{name}:effective",
                        "effective",
                        _message(
                            "effective", locale, option=catalog.text(option.label, locale, name), date=on
                        ),
                        (name,),
                        path,
                    )
                )
    for compiled_rule in compiled(catalog).rules:
        rule = compiled_rule.rule
        if not rule.effective(on) or _rule_holds(compiled_rule, env):
            continue
        if compiled_rule.table is not None:
            choices = tuple(
                sorted(
                    f"{m}.{o}" for column in compiled_rule.table.columns for m, o, _ in env.selected(column)
                )
            )
        else:
            choices = _involved((compiled_rule.guard, *compiled_rule.body), env)
        message = catalog.text(rule.message, locale, "") or _message("rule", locale, rule=rule.id)
        found.append(Violation(rule.id, rule.kind, message, choices, path))
    for (mid, oid), product in catalog.products.items():
        if config.quantity(mid, oid) > 0:
            sub = config.sub.get((mid, oid), Configuration())
            found.extend(_check(product, sub, on, locale, f"{path}/{mid}.{oid}" if path else f"{mid}.{oid}"))
    return found
