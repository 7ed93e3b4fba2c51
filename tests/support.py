"""Helpers shared by the tests: repository paths, benchmark data, optional packages and small catalog builders."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from configurator.catalog.models import Catalog
from configurator.io.benchdata import BENCHDATA_ENV, benchdata_path

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from configurator.settings import Settings
    from configurator.solver.session import ConfigurationSession
    from configurator.storage import SqlStore

__all__ = [
    "DATA",
    "DEMO_CUSTOMERS",
    "ROOT",
    "Writer",
    "assert_problem",
    "bench_file",
    "demo_api_client",
    "demo_store",
    "example_catalogs",
    "has_module",
    "isort_key",
    "make_catalog",
    "needs_cudd",
    "open_single_choices",
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


def bench_file(*parts: str) -> Path:
    """A file or folder of the public benchmark data, found through :func:`benchdata_path`.

    Call it inside a test or fixture, never at import time. When the path is missing the test is skipped, or,
    when the ``CI`` environment variable is set (non-empty), it fails: a CI run must not pass by skipping.

    Args:
        *parts: The path inside the benchmark data folder, e.g. ``"renault-gimenez-phd", "renault_big"``.

    Returns:
        The existing path.
    """
    path = benchdata_path(*parts)
    if path.exists():
        return path
    message = f"benchmark data not found at {path}; set {BENCHDATA_ENV} to the folder that holds it"
    if os.environ.get("CI", "").strip():
        pytest.fail(f"{message} (CI is set, so missing benchmark data is an error)", pytrace=False)
    pytest.skip(message)


def has_module(name: str) -> bool:
    """Whether the module ``name`` imports (an optional dependency is installed).

    Example:
        >>> has_module("json"), has_module("no_such_module_here")
        (True, False)
    """
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


needs_cudd = pytest.mark.skipif(
    not has_module("dd.cudd"), reason="the 'dd' package with CUDD is not installed"
)
"""Marks a test that compiles decision diagrams (the ``solver`` extra's ``dd`` with CUDD)."""


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


def _one_module_catalog(name: str, module: str, options: dict[str, tuple[int, int]]) -> Catalog:
    """A one-module catalog whose options have a price and a weight (``weight_g``)."""
    return Catalog.model_validate(
        {
            "catalog": name, "version": "1", "currency": "EUR", "locales": ["en"],
            "attributes": {"weight_g": {"type": "int"}},
            "modules": {module: {"options": {
                o: {"price": price, "attrs": {"weight_g": weight}} for o, (price, weight) in options.items()
            }}},
        }
    )  # fmt: skip


def transfer_shop_catalogs() -> tuple[Catalog, Catalog]:
    """The bike (frames ``steel``, ``alu``, ``carbon``, lighter and dearer) and the laptop of :func:`transfer_shop`."""
    bike = _one_module_catalog(
        "bike", "frame", {"steel": (300, 2900), "alu": (400, 2100), "carbon": (1200, 1200)}
    )
    laptop = _one_module_catalog(
        "laptop", "chassis", {"heavy": (600, 1900), "mid": (600, 1500), "light": (600, 1100)}
    )
    return bike, laptop


def transfer_shop(*, profiling: bool = True, url: str = "sqlite://") -> tuple[SqlStore, Catalog, Catalog]:
    """A shop selling a bike and a laptop; ``ann`` bought the lightest frame (others heavier ones), no laptop.

    With ``profiling=False`` ann objected to profiling. Returns the store (tenant ``shop``, in the database at
    ``url``), the bike and the laptop (chassis ``heavy``, ``mid``, ``light`` at one price).
    """
    from configurator.customers.events import validate_event
    from configurator.storage import SqlStore, make_engine, upgrade

    bike, laptop = transfer_shop_catalogs()
    engine = make_engine(url)
    upgrade(engine)
    store = SqlStore(engine, "shop")
    base = {"channel": "web", "ts": "2026-05-01T12:00:00Z"}

    def order(customer: str, frame: str) -> dict[str, Any]:
        line = {"item": "bike", "catalog": "bike", "unit_price": "900", "selections": {"frame": {frame: 1}}}
        return base | {"event_id": f"o-{customer}", "customer_id": customer, "type": "purchased",
                       "order_id": f"O-{customer}", "total": "900", "margin": "200", "lines": [line]}  # fmt: skip

    rows = [order("ann", "carbon"), order("bob", "steel"), order("cy", "alu"), order("di", "steel")]
    if not profiling:
        rows.append(base | {"event_id": "c1", "customer_id": "ann", "type": "consent", "purpose": "profiling",
                            "granted": False})  # fmt: skip
    store.write_events([validate_event(row, tenant="shop") for row in rows])
    return store, bike, laptop


_ONE_MODULE_YAML = """catalog: {name}
version: "1"
currency: EUR
locales: [en]
attributes:
  weight_g: {{type: int}}
modules:
  {module}:
    options:
{options}
"""


def transfer_shop_files(folder: Path) -> tuple[Path, Path]:
    """The catalogs of :func:`transfer_shop` written as YAML files in ``folder``: the bike's and the laptop's."""
    paths = []
    for catalog in transfer_shop_catalogs():
        ((module_id, module),) = catalog.modules.items()
        lines = "\n".join(
            f"      {o}: {{price: {option.price}, attrs: {{weight_g: {option.attrs['weight_g']}}}}}"
            for o, option in module.options.items()
        )
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{catalog.catalog}.yaml"
        path.write_text(
            _ONE_MODULE_YAML.format(name=catalog.catalog, module=module_id, options=lines), encoding="utf-8"
        )
        paths.append(path)
    return paths[0], paths[1]


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


def open_single_choices(session: ConfigurationSession) -> list[tuple[str, str]]:
    """``(module, option)`` still available in the session's modules of at most one option not chosen yet."""
    taken = {c.module for c in session.choices}
    return [
        (m, o)
        for m, options in session.domains().items()
        for o in options
        if session.catalog.modules[m].max_choices <= 1 and m not in taken
    ]


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


def isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then functions, each alphabetical.

    Example:
        >>> sorted(["load", "Catalog", "TAX_RATES", "Budget"], key=isort_key)
        ['TAX_RATES', 'Budget', 'Catalog', 'load']
    """
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


SCOPES_ALL = ("admin",)
"""The scopes of the default test key (``admin`` holds every scope)."""

SECRET = "test-secret-key-of-at-least-32-characters"
"""The server secret of test apps (keys and sign-ins are keyed hashes under it)."""


def api_settings(url: str, **values: Any) -> Settings:
    """Settings of a test app over the database at ``url`` (with the test secret)."""
    from configurator.settings import Settings

    return Settings(database_url=url, secret_key=SECRET, **({"warm_reasons": False} | values))


def api_key(app: Any, tenant: str = "demo", scopes: Sequence[str] = SCOPES_ALL, name: str = "tests") -> str:
    """A new API key of ``tenant`` with ``scopes`` for an app made by ``make_app``."""
    token, _ = app.state.service.keys().create(tenant, name, list(scopes), created_by="tests")
    return str(token)


def auth(key: str) -> dict[str, str]:
    """The header that sends an API key."""
    return {"Authorization": f"Bearer {key}"}


@contextmanager
def demo_api_client(folder: Path, now: dt.datetime, url: str | None = None) -> Iterator[TestClient]:
    """A client of an app over the example catalogs and the demo data (tenant ``demo``).

    The database is ``url`` (empty and migrated, e.g. a PostgreSQL one), else a fresh SQLite file in
    ``folder``. The client sends an API key of tenant ``demo`` with every scope (``admin``); the app's clock is
    fixed at ``now``; server errors come back as responses (never raised into the test).
    """
    from fastapi.testclient import TestClient

    from configurator.api import make_app

    url = url or f"sqlite:///{folder / 'configurator.db'}"
    demo_store(url).engine.dispose()
    app = make_app(api_settings(url), ROOT / "catalogs", clock=lambda: now)
    with TestClient(app, raise_server_exceptions=False, headers=auth(api_key(app))) as client:
        yield client


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    """Check ``response`` is a problem+json of that status and type, with a title and detail and no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:configurator:problem:{slug}"
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    return body


REP_LOGIN = "rep@demo.example"
REP_PASSWORD = "correct horse battery staple"
"""The test rep's login and password (:func:`rep_sign_in`)."""


def rep_sign_in(
    app: Any, tenant: str = "demo", scopes: Sequence[str] = ("read", "events", "quote", "accept")
) -> str:
    """A sign-in token (the page's cookie value) of the test rep of ``tenant``, created on first use."""
    from configurator.access import normal_login

    accounts = app.state.service.accounts()
    login = REP_LOGIN if tenant == "demo" else f"rep@{tenant}.example"
    if accounts.credentials.account(normal_login(login)) is None:
        accounts.create(login, tenant, "Rita Rep", list(scopes), REP_PASSWORD)
    token, _, _ = accounts.sign_in(login, REP_PASSWORD)
    return str(token)
