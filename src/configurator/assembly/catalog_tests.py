"""Catalog tests: what a product team states about its own catalog, checked with the product's own engines.

A side file next to the catalog (``ebike.yaml`` -> ``ebike.tests.yaml`` or ``ebike.tests.yml``) lists named tests; the catalog itself
stays as it is. Each test is one of:

- ``valid: CONFIGURATION``: the independent checker finds no violation;
- ``invalid: CONFIGURATION`` with an optional ``rule: ID``: the checker finds a violation (of that rule);
- ``count: N`` with optional ``given: [module.option, "!module.option"]``: the exact number of valid
  configurations (under those choices), counted by the engine of ``configurator count``;
- ``price: CONFIGURATION`` with ``list: AMOUNT`` (the list price) and/or ``total: AMOUNT`` (the payable total,
  with optional ``country``, ``tier`` and ``quantity``), priced as ``POST /catalogs/{id}/price`` prices.

A configuration maps each module to an option id, a list of ids, or ``{option: quantity}``. The file is read
with the catalog's safe YAML reader, so every mistake in it names file:line:col.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.catalog.yamlsource import parse_yaml
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {"price": 400}, "carbon": {"price": 1200}}}}})
    >>> suite = parse_tests(parse_yaml(
    ...     "tests:\\n- {name: two frames, count: 2}\\n- {name: alu, price: {frame: alu}, list: 400}\\n",
    ...     "bike.tests.yaml"))
    >>> [(r.name, r.passed, r.got) for r in run_tests(bike, suite)]
    [('two frames', True, '2'), ('alu', True, 'list 400')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.catalog.yamlsource import YamlDocument, read_yaml
from configurator.errors import CatalogError, ConfiguratorError, Problem
from configurator.offer.pricing import TIERS

__all__ = [
    "KINDS",
    "CaseResult",
    "CatalogCase",
    "CatalogSuite",
    "parse_tests",
    "read_tests",
    "run_tests",
    "side_file",
]

KINDS = ("valid", "invalid", "count", "price")
"""The kinds of catalog test, by the key that states them."""

_KEYS = {
    "valid": {"name", "valid"},
    "invalid": {"name", "invalid", "rule"},
    "count": {"name", "count", "given"},
    "price": {"name", "price", "list", "total", "country", "tier", "quantity"},
}


@dataclass(frozen=True)
class CatalogCase:
    """One stated test: its name, kind, where it is written and what it expects."""

    name: str
    kind: str
    where: str
    configuration: Configuration | None = None
    rule: str | None = None
    given: tuple[str, ...] = ()
    count: int | None = None
    list_price: Decimal | None = None
    total: Decimal | None = None
    country: str | None = None
    tier: str = "standard"
    quantity: int = 1


@dataclass(frozen=True)
class CatalogSuite:
    """The tests of one side file: the catalog id they are for (when stated), the date, and the tests."""

    file: str
    catalog: str | None = None
    on: dt.date | None = None
    cases: tuple[CatalogCase, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one test: passed or not, what was expected and what the product gave."""

    name: str
    kind: str
    where: str
    passed: bool
    expected: str
    got: str

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "name": self.name,
            "kind": self.kind,
            "where": self.where,
            "passed": self.passed,
            "expected": self.expected,
            "got": self.got,
        }


def side_file(catalog: str | Path) -> Path:
    """The side file of a catalog: ``ebike.yaml`` -> ``ebike.tests.yaml``, or ``ebike.tests.yml`` when only it exists.

    The shipped catalogs use ``.tests.yml``, so that tools reading every ``*.yaml`` of a catalog folder as a
    catalog pass them by.

    Example:
        >>> side_file("catalogs/ebike.yaml").as_posix()
        'catalogs/ebike.tests.yml'
    """
    p = Path(catalog)
    first = p.with_name(f"{p.stem}.tests.yaml")
    second = p.with_name(f"{p.stem}.tests.yml")
    return second if second.is_file() and not first.is_file() else first


def read_tests(path: str | Path) -> CatalogSuite:
    """Read a catalog test file with the safe YAML reader.

    Raises:
        CatalogError: the file cannot be read or is not a test file (every problem with file:line:col).
    """
    return parse_tests(read_yaml(path))


class _Problems:
    """Problems found while reading, each at the position of the value it is about."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc
        self.found: list[Problem] = []

    def add(self, path: Sequence[str | int], message: str, *, key: bool = False) -> None:
        self.found.append(Problem(self.doc.where(path, key=key), message))


def parse_tests(doc: YamlDocument) -> CatalogSuite:
    """The test suite of a parsed test file.

    Raises:
        CatalogError: every problem of the file, each with file:line:col, what was expected and what was found.
    """
    problems = _Problems(doc)
    data = doc.data
    if not isinstance(data, Mapping) or not isinstance(data.get("tests"), list):
        problems.add(("tests",), "expected a mapping with 'tests:', a list of tests")
        raise CatalogError(problems.found)
    for key in sorted(set(data) - {"catalog", "on", "tests"}):
        problems.add((key,), f"unknown key {key!r} (expected catalog, on, tests)", key=True)
    on = data.get("on")
    if on is not None and not isinstance(on, dt.date):
        problems.add(("on",), f"expected a date YYYY-MM-DD, got {on!r}")
    catalog = data.get("catalog")
    cases = [_case(problems, i, raw) for i, raw in enumerate(data["tests"])]
    names = [c.name for c in cases if c is not None]
    for i, case in enumerate(cases):
        if case is not None and names.count(case.name) > 1:
            problems.add(("tests", i, "name"), f"duplicate test name {case.name!r}")
    if problems.found:
        raise CatalogError(problems.found)
    return CatalogSuite(
        doc.file,
        str(catalog) if catalog is not None else None,
        on if isinstance(on, dt.date) else None,
        tuple(c for c in cases if c is not None),
    )


def _case(problems: _Problems, i: int, raw: Any) -> CatalogCase | None:
    here: tuple[str | int, ...] = ("tests", i)
    if not isinstance(raw, Mapping):
        problems.add(here, f"expected a test (a mapping with name: and one of {', '.join(KINDS)})")
        return None
    kinds = [k for k in KINDS if k in raw]
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.add((*here, "name"), f"expected a test name (text), got {name!r}")
        return None
    if len(kinds) != 1:
        problems.add(here, f"test {name!r}: expected exactly one of {', '.join(KINDS)}, got {len(kinds)}")
        return None
    kind = kinds[0]
    for key in sorted(set(raw) - _KEYS[kind]):
        problems.add((*here, key), f"test {name!r}: unknown key {key!r} for a {kind} test", key=True)
    where = str(problems.doc.where(here))
    before = len(problems.found)
    if kind in ("valid", "invalid"):
        rule = raw.get("rule")
        if rule is not None and not isinstance(rule, str):
            problems.add((*here, "rule"), f"expected a rule id, got {rule!r}")
        config = _configuration(problems, (*here, kind), raw[kind])
        return (
            CatalogCase(name, kind, where, configuration=config, rule=rule)
            if len(problems.found) == before
            else None
        )
    if kind == "count":
        count, given = raw["count"], raw.get("given") or []
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            problems.add((*here, "count"), f"expected a whole number of configurations, got {count!r}")
        if not isinstance(given, list) or not all(isinstance(g, str) and "." in g for g in given):
            problems.add(
                (*here, "given"), f"expected a list of module.option (or !module.option), got {given!r}"
            )
        if len(problems.found) > before:
            return None
        return CatalogCase(name, kind, where, count=count, given=tuple(given))
    config = _configuration(problems, (*here, "price"), raw["price"])
    amounts = {k: _amount(problems, (*here, k), raw[k]) for k in ("list", "total") if k in raw}
    if not amounts:
        problems.add(here, f"test {name!r}: a price test states list: or total:")
    quantity = raw.get("quantity", 1)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        problems.add((*here, "quantity"), f"expected a quantity of at least 1, got {quantity!r}")
    tier = raw.get("tier", "standard")
    if tier not in TIERS:
        problems.add((*here, "tier"), f"expected a tier ({', '.join(TIERS)}), got {tier!r}")
    if len(problems.found) > before:
        return None
    country = raw.get("country")
    return CatalogCase(
        name,
        kind,
        where,
        configuration=config,
        list_price=amounts.get("list"),
        total=amounts.get("total"),
        country=str(country) if country is not None else None,
        tier=str(tier),
        quantity=quantity,
    )


def _configuration(problems: _Problems, path: tuple[str | int, ...], raw: Any) -> Configuration | None:
    try:
        return Configuration.from_data({"selections": raw}, where="configuration")
    except ConfiguratorError as exc:
        problems.add(path, f"expected a configuration (module: option, [options] or {{option: qty}}): {exc}")
        return None


def _amount(problems: _Problems, path: tuple[str | int, ...], raw: Any) -> Decimal | None:
    try:
        if isinstance(raw, bool):
            raise InvalidOperation
        return Decimal(str(raw))
    except InvalidOperation:
        problems.add(path, f"expected an amount such as 1234.50, got {raw!r}")
        return None


def run_tests(catalog: Catalog, suite: CatalogSuite, *, on: dt.date | None = None) -> list[CaseResult]:
    """Run every test of ``suite`` against ``catalog``; a test that cannot run fails with the reason.

    Args:
        catalog: the loaded catalog.
        suite: its tests.
        on: the date for effective dates (default: the suite's ``on:``, else today).
    """
    day = on or suite.on or dt.date.today()
    results = []
    for case in suite.cases:
        try:
            passed, expected, got = _RUNNERS[case.kind](catalog, case, day)
        except ConfiguratorError as exc:
            passed, expected, got = False, _expected(case), f"error: {exc}"
        results.append(CaseResult(case.name, case.kind, case.where, passed, expected, got))
    return results


def _expected(case: CatalogCase) -> str:
    if case.kind == "valid":
        return "valid"
    if case.kind == "invalid":
        return f"invalid by rule {case.rule}" if case.rule else "invalid"
    if case.kind == "count":
        return str(case.count)
    parts = [f"list {case.list_price}"] if case.list_price is not None else []
    if case.total is not None:
        parts.append(f"total {case.total} ({case.country or 'no country'}, {case.tier}, x{case.quantity})")
    return "; ".join(parts)


def _validity(catalog: Catalog, case: CatalogCase, on: dt.date) -> tuple[bool, str, str]:
    from configurator.catalog.check import find_violations

    assert case.configuration is not None  # parse_tests gives every validity test a configuration
    found = find_violations(catalog, case.configuration, on=on)
    fired = sorted({v.rule_id for v in found})
    got = f"invalid by rule {', '.join(fired)}" if fired else "valid"
    if case.kind == "valid":
        return not fired, "valid", got
    return (bool(fired) if case.rule is None else case.rule in fired), _expected(case), got


def _count(catalog: Catalog, case: CatalogCase, on: dt.date) -> tuple[bool, str, str]:
    from configurator.solver import operations
    from configurator.solver.compile import compile_catalog_problem
    from configurator.solver.problem import Constraint, Not

    cp = compile_catalog_problem(catalog, on)
    literals = cp.all_option_literals()
    extra = []
    for choice in case.given:
        negated = choice.startswith("!")
        module, _, option = choice.lstrip("!").partition(".")
        if (module, option) not in literals:
            raise ConfiguratorError(
                f"given: unknown option {choice.lstrip('!')!r} of catalog {catalog.catalog!r}"
            )
        literal = literals[(module, option)]
        extra.append(Constraint(f"given:{choice}", Not(literal) if negated else literal, "given"))
    problem = operations.with_constraints(cp.problem, *extra)
    got = operations.count_detail(problem).count
    return got == case.count, _expected(case), str(got)


def _price(catalog: Catalog, case: CatalogCase, on: dt.date) -> tuple[bool, str, str]:
    from configurator.catalog.check import find_violations
    from configurator.offer.lines import price_lines
    from configurator.offer.payable import payable

    assert case.configuration is not None  # parse_tests gives every price test a configuration
    found = find_violations(catalog, case.configuration, on=on)
    if found:  # as the price endpoint: an invalid configuration is never priced
        return False, _expected(case), f"invalid by rule {', '.join(sorted({v.rule_id for v in found}))}"
    lines = price_lines(catalog, case.configuration)
    listed = sum((line.amount for line in lines), Decimal(0))
    parts, passed = [], True
    if case.list_price is not None:
        parts.append(f"list {listed}")
        passed = listed == case.list_price
    if case.total is not None:
        total = payable(
            catalog, case.configuration, country=case.country, tier=case.tier, quantity=case.quantity
        ).total
        parts.append(f"total {total} ({case.country or 'no country'}, {case.tier}, x{case.quantity})")
        passed = passed and total == case.total
    return passed, _expected(case), "; ".join(parts)


_RUNNERS = {"valid": _validity, "invalid": _validity, "count": _count, "price": _price}
