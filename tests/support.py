"""Helpers shared by the tests: repository paths and small catalog builders."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from configurator.catalog.models import Catalog

__all__ = ["DATA", "ROOT", "Writer", "make_catalog", "strip"]

ROOT = Path(__file__).resolve().parent.parent
"""The repository root."""
DATA = Path(__file__).resolve().parent / "data"
"""Test data files."""

Writer = Callable[[str, str], Path]
"""The ``write`` fixture: ``write(name, text) -> path``."""


def make_catalog(
    modules: dict[str, Any],
    rules: list[dict[str, Any]] | None = None,
    attributes: dict[str, Any] | None = None,
    **extra: Any,
) -> Catalog:
    """A catalog built in code (expressions are compiled on first use).

    Example:
        >>> make_catalog({"m": {"options": {"a": {}}}}).modules["m"].choose.min
        1
    """
    data: dict[str, Any] = {
        "catalog": "test",
        "version": "1",
        "currency": "EUR",
        "locales": ["en", "pt", "es", "sv"],
        "modules": modules,
        "rules": rules or [],
        "attributes": attributes or {},
        **extra,
    }
    return Catalog.model_validate(data, context={"default_locale": data["locales"][0]})


def strip(expr: Any) -> Any:
    """An expression tree with every offset set to 0, to compare trees regardless of where nodes were written.

    Example:
        >>> from configurator.rules.parser import parse_expression
        >>> strip(parse_expression("a & b")) == strip(parse_expression("a  &  b"))
        True
    """
    if not dataclasses.is_dataclass(expr) or isinstance(expr, type):
        return expr
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(expr):
        value = getattr(expr, f.name)
        if f.name == "offset":
            changes[f.name] = 0
        elif dataclasses.is_dataclass(value):
            changes[f.name] = strip(value)
    return dataclasses.replace(expr, **changes)
