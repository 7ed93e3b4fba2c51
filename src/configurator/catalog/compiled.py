"""A catalog's expressions parsed, resolved and type-checked once: what checkers and solvers consume.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"m": {"choose": "any", "options": {"a": {}, "b": {}}}},
    ...     "rules": [{"id": "r", "excludes": ["m.a", "m.b"]}]})
    >>> [r.rule.id for r in compile_catalog(cat).rules]
    ['r']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from configurator.catalog.models import Catalog, Rule, Table
from configurator.errors import CatalogError, Location, Problem, RuleSyntaxError
from configurator.rules.ast import Expr
from configurator.rules.types import STRING, TIERS, Symbols, ValueType, compile_expression

__all__ = ["CONTEXT", "CompiledCatalog", "CompiledRule", "compile_catalog", "compiled", "symbols_of"]

CONTEXT: dict[str, ValueType] = {"tier": ValueType("enum", frozenset(TIERS)), "country": STRING}
"""Context variables allowed in service eligibility and pricing expressions."""

Locator = Callable[[tuple[str | int, ...]], Location]


@dataclass(frozen=True)
class CompiledRule:
    """A rule with its expressions resolved: ``body`` holds one expression, or several for an excludes list."""

    rule: Rule
    index: int
    guard: Expr | None
    body: tuple[Expr, ...]
    table: Table | None = None


@dataclass(frozen=True)
class CompiledCatalog:
    """Resolved expressions of a catalog, by rule, service and bundle."""

    symbols: Symbols
    rules: tuple[CompiledRule, ...]
    service_eligible: dict[str, Expr] = field(default_factory=dict)
    service_requires: dict[str, Expr] = field(default_factory=dict)
    bundles: dict[str, Expr] = field(default_factory=dict)


def symbols_of(catalog: Catalog) -> Symbols:
    """The modules (with option ids) and attributes expressions of ``catalog`` may refer to."""
    attributes = {
        name: ValueType(attr.type, frozenset(attr.values or ())) for name, attr in catalog.attributes.items()
    }
    modules = {name: frozenset(module.options) for name, module in catalog.modules.items()}
    return Symbols(modules=modules, attributes=attributes)


def _default_locator(path: tuple[str | int, ...]) -> Location:
    from configurator.catalog.yamlsource import format_path

    return Location("<catalog>", 0, 0, format_path(path))


def compile_catalog(catalog: Catalog, locate: Locator | None = None) -> CompiledCatalog:
    """Resolve and type-check every expression of ``catalog``.

    Args:
        catalog: the catalog.
        locate: maps a key path (``("rules", 3, "requires")``) to a file location for messages.

    Raises:
        CatalogError: listing every expression that does not parse, resolve or type-check.
    """
    where = locate or _default_locator
    symbols = symbols_of(catalog)
    with_context = Symbols(symbols.modules, symbols.attributes, CONTEXT)
    problems: list[Problem] = []

    def compile_at(text: str, path: tuple[str | int, ...], syms: Symbols) -> Expr | None:
        try:
            return compile_expression(text, syms)
        except RuleSyntaxError as exc:
            problems.append(
                Problem(where(path), f"{exc.reason} at column {exc.offset + 1} of {text!r}", exc.hint)
            )
            return None

    rules: list[CompiledRule] = []
    for index, rule in enumerate(catalog.rules):
        base: tuple[str | int, ...] = ("rules", index)
        guard = compile_at(rule.if_, (*base, "if"), symbols) if rule.if_ is not None else None
        body: list[Expr | None] = []
        if rule.requires is not None:
            body.append(compile_at(rule.requires, (*base, "requires"), symbols))
        elif rule.constraint is not None:
            body.append(compile_at(rule.constraint, (*base, "constraint"), symbols))
        elif isinstance(rule.excludes, str):
            body.append(compile_at(rule.excludes, (*base, "excludes"), symbols))
        elif rule.excludes is not None:
            body.extend(compile_at(t, (*base, "excludes", i), symbols) for i, t in enumerate(rule.excludes))
        if all(b is not None for b in body) and (rule.if_ is None or guard is not None):
            rules.append(
                CompiledRule(rule, index, guard, tuple(b for b in body if b is not None), rule.table)
            )
    eligible: dict[str, Expr] = {}
    requires: dict[str, Expr] = {}
    for sid, service in catalog.services.items():
        if service.eligible is not None:
            expr = compile_at(service.eligible, ("services", sid, "eligible"), with_context)
            if expr is not None:
                eligible[sid] = expr
        if service.requires is not None:
            expr = compile_at(service.requires, ("services", sid, "requires"), symbols)
            if expr is not None:
                requires[sid] = expr
    bundles: dict[str, Expr] = {}
    for index, bundle in enumerate(catalog.pricing.bundles):
        expr = compile_at(bundle.when, ("pricing", "bundles", index, "when"), with_context)
        if expr is not None:
            bundles[bundle.id] = expr
    if problems:
        raise CatalogError(problems)
    return CompiledCatalog(symbols, tuple(rules), eligible, requires, bundles)


def compiled(catalog: Catalog) -> CompiledCatalog:
    """The compiled expressions of ``catalog``, computed once and cached on it.

    Raises:
        CatalogError: when an expression does not compile (only possible for catalogs built in code;
            :func:`configurator.load_catalog` has already checked them).
    """
    cached = catalog._compiled
    if not isinstance(cached, CompiledCatalog):
        cached = compile_catalog(catalog)
        catalog._compiled = cached
    return cached
