"""Tests of sub-assemblies (options with ``product:``) in the solver: compiled into the bundle's Problem.

Every configuration the session returns must carry a sub-configuration the independent checker accepts; counts
must equal an exhaustive enumeration of configurations judged by the checker alone.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from configurator.catalog.check import find_violations
from configurator.catalog.configuration import Configuration
from configurator.catalog.loader import load_catalog
from configurator.catalog.models import Catalog
from configurator.errors import ConfigurationError
from configurator.solver.backend import get_backend
from configurator.solver.compile import CatalogCompiler, compile_catalog_problem
from configurator.solver.operations import count
from configurator.solver.problem import Lit, Problem
from configurator.solver.session import ConfigurationSession, Weights, list_price
from support import ROOT

DAY = dt.date(2026, 11, 23)
EXAMPLES = sorted((ROOT / "catalogs").glob("*.yaml"))

HEAD = 'version: "1"\ncurrency: EUR\nlocales: [en]\n'

BIKE = (
    "catalog: bike\n"
    + HEAD
    + """\
modules:
  frame:
    options:
      alu: {price: 400}
      carbon: {price: 1200}
  dock:
    choose: optional
    options:
      rack: {price: 20, qty: {max: 2}, product: parts/rack.yaml}
      basket: {price: 15}
  extras:
    choose: any
    options:
      lamp: {price: 5, product: parts/lamp.yaml}
      bell: {price: 3}
rules:
  - id: carbon-no-basket
    excludes: [frame.carbon, dock.basket]
"""
)

RACK = (
    "catalog: rack\n"
    + HEAD
    + """\
modules:
  size:
    default: small
    options:
      small: {price: 30}
      large: {price: 45}
      legacy: {price: 1, valid_to: 2020-01-01}
  bolts:
    choose: {min: 0, max: 2}
    options:
      steel: {price: 2, qty: {max: 2}}
      titanium: {price: 9}
  mount:
    choose: optional
    options:
      clamp: {price: 4, product: clamp.yaml}
rules:
  - id: large-needs-steel
    if: "size.large"
    requires: "bolts.steel"
  - id: size-bolts
    table:
      columns: [size, mount]
      rows: [[small, "*"], [large, "-"], [legacy, "*"]]
"""
)

CLAMP = (
    "catalog: clamp\n"
    + HEAD
    + """\
modules:
  screw:
    options:
      hex: {price: 1}
      torx: {price: 2}
"""
)

LAMP = (
    "catalog: lamp\n"
    + HEAD
    + """\
modules:
  light:
    choose: {min: 1, max: 2}
    options:
      led: {price: 10, qty: {max: 2}}
      halogen: {price: 6}
rules:
  - id: one-halogen
    requires: "count(light) <= 2"
"""
)


@pytest.fixture(scope="module")
def bike(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """A tiny catalog with sub-assemblies in a single-choice (quantity 2, nested) and a multi-choice module."""
    root = tmp_path_factory.mktemp("bike")
    (root / "parts").mkdir()
    for name, text in {
        "bike.yaml": BIKE,
        "parts/rack.yaml": RACK,
        "parts/clamp.yaml": CLAMP,
        "parts/lamp.yaml": LAMP,
    }.items():
        (root / name).write_text(text, encoding="utf-8")
    return load_catalog(root / "bike.yaml")


def configurations(catalog: Catalog) -> Iterator[Configuration]:
    """Every configuration within the catalog's cardinalities and quantities, sub-assemblies included."""
    per_module: list[list[dict[str, int]]] = []
    for module in catalog.modules.values():
        choices: list[dict[str, int]] = []
        ranges = [range(0, o.qty.max + 1) for o in module.options.values()]
        for quantities in itertools.product(*ranges):
            chosen = {o: q for o, q in zip(module.options, quantities, strict=True) if q > 0}
            if module.choose.min <= len(chosen) <= module.max_choices:  # others fail the cardinality anyway
                choices.append(chosen)
        per_module.append(choices)
    for picked in itertools.product(*per_module):
        selections = {m: s for m, s in zip(catalog.modules, picked, strict=True) if s}
        held = [key for key, _ in catalog.products.items() if selections.get(key[0], {}).get(key[1], 0) > 0]
        subs = [list(configurations(catalog.products[key])) for key in held]
        for inner in itertools.product(*subs):
            yield Configuration(selections, dict(zip(held, inner, strict=True)), catalog.catalog)


@cache
def example(path: Path) -> Catalog:
    """An example catalog, loaded once."""
    return load_catalog(path)


_VALID: dict[tuple[int, dt.date | None], list[Configuration]] = {}


def valid_configurations(catalog: Catalog, on: dt.date | None) -> list[Configuration]:
    """The configurations the checker accepts on ``on`` (enumerated once per catalog and date)."""
    key = (id(catalog), on)
    if key not in _VALID:
        _VALID[key] = [c for c in configurations(catalog) if not find_violations(catalog, c, on=on)]
    return _VALID[key]


def held_options(catalog: Catalog) -> list[tuple[str, str] | None]:
    """None (no choice) and every sub-assembly option of the catalog."""
    return [None, *catalog.products]


def test_tiny_count_equals_exhaustive_enumeration(bike: Catalog) -> None:
    """The count (decision diagram and exhaustive backend) equals the checker-valid configurations enumerated."""
    for on in (None, DAY):
        valid = valid_configurations(bike, on)
        assert valid
        assert any(c.sub for c in valid) and any(sub.sub for c in valid for sub in c.sub.values())
        assert ConfigurationSession(bike, on=on).count() == len(valid)
        assert ConfigurationSession(bike, on=on, backend="exhaustive").count() == len(valid)
        cp = compile_catalog_problem(bike, on)
        solutions = get_backend("exhaustive").solutions(cp.problem)
        assert len({repr(cp.to_configuration(a)) for a in solutions}) == len(valid)


def test_tiny_count_with_a_sub_assembly_choice(bike: Catalog) -> None:
    """Selecting a sub-assembly's option by its module path counts the configurations that contain it."""
    valid = valid_configurations(bike, DAY)
    s = ConfigurationSession(bike, on=DAY)
    s.select("dock.rack/size", "large")
    expected = [c for c in valid if c.sub.get(("dock", "rack"), Configuration()).quantity("size", "large")]
    assert s.count() == len(expected) > 0
    configuration = s.complete()
    assert configuration is not None and find_violations(bike, configuration, on=DAY) == []
    assert configuration.sub[("dock", "rack")].quantity("size", "large") == 1
    s.clear()
    s.deselect("dock.rack/mount", "clamp")
    assert s.count() == sum(
        1 for c in valid if not c.sub.get(("dock", "rack"), Configuration()).quantity("mount", "clamp")
    )


def test_round_trip_of_every_solution(bike: Catalog) -> None:
    """to_assignment(to_configuration(a)) == a for every solution, and sub-configurations are filled."""
    cp = compile_catalog_problem(bike, DAY)
    names = {v.name for v in cp.problem.variables}
    assert {"dock.rack/size", "dock.rack/mount.clamp/screw", "extras.lamp/light.led"} <= names
    for assignment in get_backend("exhaustive").solutions(cp.problem):
        configuration = cp.to_configuration(assignment)
        assert cp.to_assignment(configuration) == dict(assignment)
        assert set(configuration.sub) == {key for key in bike.products if configuration.quantity(*key)}
        assert find_violations(bike, configuration, on=DAY) == []


def test_unselected_sub_assemblies_are_fixed_to_none(bike: Catalog) -> None:
    """With no sub-assembly option selected, every sub-assembly variable is 0."""
    cp = compile_catalog_problem(bike, DAY)
    s = ConfigurationSession(bike, on=DAY)
    s.deselect("dock", "rack")
    s.deselect("extras", "lamp")
    configuration = s.complete()
    assert configuration is not None and configuration.sub == {}
    assignment = cp.to_assignment(configuration)
    assert all(value == 0 for name, value in assignment.items() if "/" in name)


def test_cheapest_price_counts_sub_assemblies_per_unit(bike: Catalog) -> None:
    """The price objective, Bundle.price and list_price agree with a brute-force minimum over valid bundles."""
    valid = valid_configurations(bike, DAY)
    s = ConfigurationSession(bike, on=DAY)
    for qty in (1, 2):
        s.select("dock", "rack", qty)
        s.select("dock.rack/size", "large")
        bundle = s.optimize(Weights(price=-1.0, scale=100))
        assert bundle is not None and find_violations(bike, bundle.configuration, on=DAY) == []
        wanted = [
            c
            for c in valid
            if c.quantity("dock", "rack") == qty and c.sub[("dock", "rack")].quantity("size", "large")
        ]
        assert bundle.price == min(list_price(bike, c) for c in wanted)
        assert bundle.price == list_price(bike, bundle.configuration)
        assert -bundle.utility == float(bundle.price)
    assert bundle is not None
    rack = bundle.configuration.sub[("dock", "rack")]
    assert list_price(bike, bundle.configuration) == Decimal(400) + 2 * (
        20 + list_price(bike.products[("dock", "rack")], rack)
    )


def test_defaults_inside_a_sub_assembly(bike: Catalog) -> None:
    """complete('defaults') prefers a sub-assembly's defaults without selecting the sub-assembly for them."""
    s = ConfigurationSession(bike, on=DAY)
    assert s.complete() is not None
    s.select("dock", "rack")
    configuration = s.complete()
    assert configuration is not None
    assert configuration.sub[("dock", "rack")].quantity("size", "small") == 1


def test_sub_assembly_paths_are_checked(bike: Catalog) -> None:
    """Unknown sub-assembly paths, modules and options are refused with the path in the message."""
    s = ConfigurationSession(bike, on=DAY)
    with pytest.raises(ConfigurationError, match="sub-assembly"):
        s.select("dock.basket/size", "small")
    with pytest.raises(ConfigurationError, match="unknown module"):
        s.select("dock.rack/colour", "red")
    with pytest.raises(ConfigurationError, match="unknown option"):
        s.select("dock.rack/size", "huge")
    assert s.why("dock.rack/size", "legacy") is not None


def test_diagram_and_solver_domains_agree_with_sub_assemblies(bike: Catalog) -> None:
    """Domains from the decision diagram equal the solver's, with and without a sub-assembly choice."""
    by_diagram = ConfigurationSession(bike, on=DAY, propagation="diagram")
    by_solver = ConfigurationSession(bike, on=DAY, propagation="solver")
    assert by_diagram.domains() == by_solver.domains()
    for s in (by_diagram, by_solver):
        s.select("dock.rack/mount", "clamp")
    assert by_diagram.domains() == by_solver.domains()
    assert by_diagram.domains()["dock"] == ("rack",)


@pytest.mark.parametrize(
    ("path", "held"),
    [(path, held) for path in EXAMPLES for held in held_options(example(path))],
    ids=lambda v: v.stem if isinstance(v, Path) else str(v),
)
def test_example_bundles_pass_the_checker(path: Path, held: tuple[str, str] | None) -> None:
    """Every example catalog's completions, optima, top-k and reconfigurations (each sub-assembly on/off) pass."""
    catalog = example(path)
    s = ConfigurationSession(catalog, on=DAY)
    if held is not None:
        s.select(*held)
    found: list[Configuration] = []
    for strategy in ("defaults", "recommended", "cheapest"):
        configuration = s.complete(strategy)
        assert configuration is not None, strategy
        found.append(configuration)
    bundle = s.optimize(Weights(price=1.0, scale=100), time_limit=5)
    assert bundle is not None
    found.append(bundle.configuration)
    found.extend(b.configuration for b in s.top_k(Weights(price=-1.0, scale=100), 2))
    for configuration in found:
        assert find_violations(catalog, configuration, on=DAY) == []
        assert s.cp.to_configuration(s.cp.to_assignment(configuration)) == configuration
        if held is not None:
            assert configuration.quantity(*held) > 0 and held in configuration.sub
    assert bundle.price == list_price(catalog, bundle.configuration)
    if held is not None:
        s.clear()
        changed = s.reconfigure(found[0], [f"!{held[0]}.{held[1]}"])
        assert changed is not None and find_violations(catalog, changed, on=DAY) == []
        assert changed.quantity(*held) == 0 and changed.sub == {}


def test_valve_count_multiplies_by_the_manifold() -> None:
    """The valve count is its count without the manifold plus its top-level count with it times the manifold's."""
    catalog = example(ROOT / "catalogs" / "valve.yaml")
    top = CatalogCompiler(catalog, DAY)  # the catalog's own modules and rules, without the sub-assembly
    top.structure()
    top.rules()
    literal = compile_catalog_problem(catalog, DAY).selected("mounting", "manifold")
    assert isinstance(literal, Lit)
    alone = Problem(tuple(top.variables), tuple(top.constraints))
    domain = alone.var(literal.var).domain
    top_with = count(alone, fixed={literal.var: literal.values})
    top_without = count(alone, fixed={literal.var: frozenset(domain) - literal.values})
    manifold = ConfigurationSession(catalog.products[("mounting", "manifold")], on=DAY).count()
    assert manifold > 1 and top_with > 0
    assert ConfigurationSession(catalog, on=DAY).count() == top_without + top_with * manifold
