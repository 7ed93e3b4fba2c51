"""Cross-reference checks of a structurally valid catalog, collected in one pass like a compiler.

Checks defaults and recommendations, attribute values on options, cardinalities that can never be met, rule,
service and bundle expressions (via :func:`~configurator.catalog.compiled.compile_catalog`), table columns and
cells, duplicate ids; missing translations are warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from configurator.catalog.compiled import CONTEXT, CompiledCatalog, compile_catalog
from configurator.catalog.models import Attribute, Catalog
from configurator.errors import CatalogError, Location, Problem, suggest

__all__ = ["analyse"]

Locator = Callable[[tuple[str | int, ...]], Location]


def _value_problem(attr: Attribute, value: Any) -> str:
    """Why ``value`` does not fit ``attr``, or ``""``."""
    if attr.type == "bool":
        ok = isinstance(value, bool)
    elif attr.type == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif attr.type == "decimal":
        ok = isinstance(value, int | Decimal) and not isinstance(value, bool)
    else:
        ok = isinstance(value, str) and value in (attr.values or ())
        if isinstance(value, str) and not ok:
            return f"expected one of {', '.join(attr.values or ())}, got {value!r}"
    if ok:
        return ""
    shown = (
        str(value).lower()
        if isinstance(value, bool)
        else repr(value)
        if isinstance(value, str)
        else str(value)
    )
    return f"expected {'a' if attr.type != 'int' else 'an'} {attr.type} value, got {shown}"


class _Analysis:
    def __init__(self, catalog: Catalog, where: Locator) -> None:
        self.catalog = catalog
        self.where = where
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.errors.append(Problem(self.where(path), message, hint))

    def warn(self, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.warnings.append(Problem(self.where(path), message, hint, severity="warning"))

    def text(self, path: tuple[str | int, ...], value: dict[str, str] | None) -> None:
        if value is None:
            return
        declared = self.catalog.locales
        missing = [loc for loc in declared if loc not in value]
        if missing:
            self.warn(
                path,
                f"missing translation for {', '.join(missing)}",
                f"falls back to {self.catalog.default_locale}",
            )
        for loc in value:
            if loc not in declared:
                self.warn(
                    (*path, loc),
                    f"text in undeclared locale {loc!r}",
                    suggest(loc, declared) or f"declared: {', '.join(declared)}",
                )

    def run(self) -> CompiledCatalog | None:
        cat = self.catalog
        self.text(("name",), cat.name)
        self.text(("description",), cat.description)
        for name in cat.modules:
            if name in cat.attributes:
                self.error(
                    ("modules", name),
                    f"module {name!r} has the same id as an attribute",
                    "rename one of them: references like sum(x) and x.* would be ambiguous",
                )
            if name in CONTEXT:
                self.error(
                    ("modules", name), f"{name!r} is reserved for the quoting context; rename the module"
                )
        for name, attr in cat.attributes.items():
            self.text(("attributes", name, "label"), attr.label)
        for name in cat.modules:
            self.module(name)
        self.rules()
        for sid, service in cat.services.items():
            self.text(("services", sid, "label"), service.label)
            self.text(("services", sid, "description"), service.description)
        for index, bundle in enumerate(cat.pricing.bundles):
            self.text(("pricing", "bundles", index, "label"), bundle.label)
        ids = [b.id for b in cat.pricing.bundles]
        for index, bid in enumerate(ids):
            if bid in ids[:index]:
                self.error(("pricing", "bundles", index, "id"), f"bundle id {bid!r} is used twice")
        try:
            compiled = compile_catalog(cat, self.where)
        except CatalogError as exc:
            self.errors.extend(exc.problems)
            return None
        return compiled

    def module(self, name: str) -> None:
        cat = self.catalog
        module = cat.modules[name]
        base: tuple[str | int, ...] = ("modules", name)
        self.text((*base, "label"), module.label)
        self.text((*base, "description"), module.description)
        if module.choose.min > len(module.options):
            self.error(
                (*base, "choose"),
                f"choose needs at least {module.choose.min} options but the module "
                f"offers {len(module.options)}",
                "the catalog could never be configured",
            )
        for key in ("default", "recommended"):
            for index, option in enumerate(getattr(module, key)):
                if option not in module.options:
                    self.error(
                        (*base, key, index) if len(getattr(module, key)) > 1 else (*base, key),
                        f"unknown option {option!r} in module {name!r}",
                        suggest(option, module.options),
                    )
        if module.default and len(module.default) > module.max_choices:
            self.error(
                (*base, "default"),
                f"{len(module.default)} defaults but the module allows at most {module.max_choices} options",
            )
        for oid, option in module.options.items():
            obase = (*base, "options", oid)
            self.text((*obase, "label"), option.label)
            self.text((*obase, "description"), option.description)
            for attr_name, value in option.attrs.items():
                attr = cat.attributes.get(attr_name)
                if attr is None:
                    self.error(
                        (*obase, "attrs", attr_name),
                        f"unknown attribute {attr_name!r}",
                        suggest(attr_name, cat.attributes) or "declare it under 'attributes:'",
                    )
                    continue
                problem = _value_problem(attr, value)
                if problem:
                    self.error((*obase, "attrs", attr_name), f"attribute {attr_name!r}: {problem}")

    def rules(self) -> None:
        cat = self.catalog
        seen: dict[str, int] = {}
        for index, rule in enumerate(cat.rules):
            base: tuple[str | int, ...] = ("rules", index)
            if rule.id in seen:
                first = self.where(("rules", seen[rule.id], "id"))
                self.error((*base, "id"), f"rule id {rule.id!r} is used twice (first at line {first.line})")
            seen.setdefault(rule.id, index)
            self.text((*base, "message"), rule.message)
            if rule.table is None:
                continue
            for col_index, column in enumerate(rule.table.columns):
                cpath = (*base, "table", "columns", col_index)
                module = cat.modules.get(column)
                if module is None:
                    self.error(cpath, f"unknown module {column!r}", suggest(column, cat.modules))
                    continue
                if module.max_choices > 1:
                    self.error(
                        cpath,
                        f"table column {column!r} allows {module.max_choices} options; "
                        "tables need modules with choose exactly_one or optional",
                    )
                for row_index, row in enumerate(rule.table.rows):
                    cell = row[col_index]
                    if cell not in ("*", "-") and cell not in module.options:
                        known = [*module.options, "*", "-"]
                        self.error(
                            (*base, "table", "rows", row_index, col_index),
                            f"unknown option {cell!r} of module {column!r} in table cell",
                            suggest(cell, known) or "cells are option ids, '*' (any) or '-' (none)",
                        )


def analyse(catalog: Catalog, where: Locator) -> tuple[CompiledCatalog | None, list[Problem], list[Problem]]:
    """Check every cross reference of ``catalog``.

    Returns:
        The compiled expressions (None when some do not compile), the errors and the warnings.
    """
    analysis = _Analysis(catalog, where)
    compiled = analysis.run()
    return compiled, analysis.errors, analysis.warnings
