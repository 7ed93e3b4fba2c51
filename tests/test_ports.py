"""Assembly and quoting reach the store through Protocols that the SQL store satisfies structurally."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from configurator.assembly.ports import CustomerStore, NeedsStore
from configurator.customers.consent import PrivacyStore
from configurator.customers.identity import IdentityStore
from configurator.quoting.ports import QuoteHead, QuoteStore, QuoteVersion
from configurator.storage import SqlStore, make_engine, upgrade
from support import ROOT

SERVICES = ("assembly", "quoting")
"""Packages that use a store only through Protocols."""


def test_sql_store_satisfies_every_protocol() -> None:
    """A ``SqlStore`` is each Protocol: checked by mypy on these assignments, and at run time."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    store = SqlStore(engine, "shop")
    needs: NeedsStore = store
    customer: CustomerStore = store
    quotes: QuoteStore = store
    identity: IdentityStore = store
    privacy: PrivacyStore = store
    assert {id(p) for p in (needs, customer, quotes, identity, privacy)} == {id(store)}
    for protocol in (NeedsStore, CustomerStore, QuoteStore):
        assert isinstance(store, protocol), protocol.__name__
        assert not isinstance(object(), protocol), protocol.__name__


def test_stored_quote_rows_satisfy_the_row_protocols() -> None:
    """A quote head and its version rows as the store returns them are ``QuoteHead`` and ``QuoteVersion``."""
    engine = make_engine("sqlite://")
    upgrade(engine)
    store = SqlStore(engine, "shop")
    assert store.add_quote(quote_id="q1", customer_id="c1", configuration={}, total=None, currency="EUR")
    head: QuoteHead | None = store.quote_head("q1")
    versions: list[QuoteVersion] = list(store.quote_version_rows("q1"))
    assert head is not None and head.version == versions[0].version == 1


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", SERVICES)
def test_services_import_no_storage_and_no_sqlalchemy(package: str) -> None:
    """No module of assembly or quoting imports ``configurator.storage`` or ``sqlalchemy`` (typing included)."""
    root = ROOT / "src" / "configurator" / package
    offenders = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(("configurator", *path.relative_to(root.parent).with_suffix("").parts))
        module = module.removesuffix(".__init__")
        bad = {
            name
            for name in _imports(path)
            if name.split(".")[0] == "sqlalchemy" or name.startswith("configurator.storage")
        }
        if bad:
            offenders.append(f"{module}: {sorted(bad)}")
    assert offenders == []
