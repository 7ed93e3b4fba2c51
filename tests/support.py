"""Helpers shared by the tests: repository paths and small catalog builders."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from configurator.catalog.models import Catalog

if TYPE_CHECKING:
    from configurator.storage import SqlStore

__all__ = [
    "DATA",
    "DEMO_CUSTOMERS",
    "ROOT",
    "Writer",
    "demo_store",
    "example_catalogs",
    "make_catalog",
    "strip",
]

ROOT = Path(__file__).resolve().parent.parent
"""The repository root."""
DATA = Path(__file__).resolve().parent / "data"
"""Test data files."""

Writer = Callable[[str, str], Path]
"""The ``write`` fixture: ``write(name, text) -> path``."""

DEMO_CUSTOMERS = {
    "ebike-urban": "c-1019",
    "kitchen-modular": "c-1004",
    "laptop-pro14": "c-1011",
    "valve-pn5": "c-1005",
}
"""A demo customer with history in each example catalog (examples/data/events.jsonl)."""


def example_catalogs() -> dict[str, Catalog]:
    """The example catalogs (catalogs/*.yaml) by catalog id."""
    from configurator.catalog.loader import load_catalog

    loaded = (load_catalog(path) for path in sorted((ROOT / "catalogs").glob("*.yaml")))
    return {catalog.catalog: catalog for catalog in loaded}


def demo_store(url: str = "sqlite://") -> SqlStore:
    """The demo event log (examples/data/events.jsonl) ingested into a migrated database, tenant ``demo``."""
    from configurator.customers.ingest import ingest_file
    from configurator.storage import SqlStore, make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    store = SqlStore(engine, "demo")
    ingest_file(ROOT / "examples" / "data" / "events.jsonl", store, tenant="demo")
    return store


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
