"""Tests of configurator.solver.compile: a catalog on a date becomes a Problem the checker agrees with."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from configurator.catalog.check import find_violations
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.errors import SolverError
from configurator.solver.backend import get_backend
from configurator.solver.compile import CatalogProblem, compile_catalog_problem
from configurator.solver.problem import Const, Iff, Linear, Lit, Problem, Table, Variable
from strategies import catalogs
from support import make_catalog

DAY = dt.date(2026, 11, 23)


def configurations_of(cp: CatalogProblem) -> list[Configuration]:
    """The configurations of every solution (exhaustive enumeration)."""
    return [cp.to_configuration(s) for s in get_backend("exhaustive").solutions(cp.problem)]


def checker_count(cp: CatalogProblem, on: dt.date | None) -> int:
    """The number of distinct configurations the checker accepts among the images of every assignment."""
    seen = set()
    for assignment in cp.problem.assignments():
        configuration = cp.to_configuration(assignment)
        if not find_violations(cp.catalog, configuration, on=on):
            seen.add(tuple(configuration.items()))
    return len(seen)


def test_single_choice_modules_are_one_variable() -> None:
    """A module choosing at most one option is one variable: 0 for none (when optional), 1..n for its options."""
    cat = make_catalog(
        {
            "frame": {"options": {"alu": {}, "carbon": {}}},
            "motor": {"choose": "optional", "options": {"hub": {}, "mid": {}}},
        }
    )
    cp = compile_catalog_problem(cat)
    assert cp.problem.variables == (
        Variable("frame", (1, 2), ("alu", "carbon")),
        Variable("motor", (0, 1, 2), ("-", "hub", "mid")),
    )
    assert cp.single == {"frame": ("alu", "carbon"), "motor": ("hub", "mid")}
    assert cp.selected("motor", "mid") == Lit("motor", frozenset({2}))
    assert cp.selected("motor", "nope") == Const(False)
    assert cp.problem.meta == {"catalog": "test", "on": None}
    assert cp.problem.name == "test"


def test_multi_choice_modules_have_one_variable_per_option() -> None:
    """A module allowing several options has one quantity variable per option and a cardinality constraint."""
    cat = make_catalog(
        {
            "extras": {
                "choose": {"min": 1, "max": 2},
                "options": {"bell": {}, "rack": {}, "cage": {"qty": {"max": 3}}},
            }
        }
    )
    cp = compile_catalog_problem(cat)
    assert [(v.name, v.domain) for v in cp.problem.variables] == [
        ("extras.bell", (0, 1)),
        ("extras.rack", (0, 1)),
        ("extras.cage", (0, 1, 2, 3)),
    ]
    assert cp.multi == {"extras": {"bell": "extras.bell", "rack": "extras.rack", "cage": "extras.cage"}}
    assert [c.id for c in cp.problem.constraints] == ["module:extras:choose"]
    # 1 or 2 distinct options, the cage in quantity 1..3: 2 + 3 singles, 1 + 3 + 3 pairs
    assert get_backend("exhaustive").count(cp.problem) == 5 + 7 == checker_count(cp, None)
    assert cp.to_configuration({"extras.bell": 0, "extras.rack": 1, "extras.cage": 3}).selections == {
        "extras": {"rack": 1, "cage": 3}
    }


def test_free_multi_choice_module_has_no_cardinality_constraint() -> None:
    """choose: any needs no constraint: every subset is allowed."""
    cp = compile_catalog_problem(make_catalog({"extras": {"choose": "any", "options": {"a": {}, "b": {}}}}))
    assert [c.expr for c in cp.problem.constraints] == [Const(True)]
    assert get_backend("exhaustive").count(cp.problem) == 4


def test_quantity_variables_of_single_choice_options() -> None:
    """An option ordered in quantities gets a ``module.option#qty`` variable tied to the module's choice."""
    cat = make_catalog(
        {"battery": {"choose": "optional", "options": {"small": {}, "big": {"qty": {"min": 2, "max": 3}}}}}
    )
    cp = compile_catalog_problem(cat)
    assert cp.qty_vars == {("battery", "big"): "battery.big#qty"}
    assert cp.problem.var("battery.big#qty").domain == (0, 2, 3)
    (tie,) = [c for c in cp.problem.constraints if c.kind == "quantity"]
    assert tie.id == "option:battery.big:qty" and isinstance(tie.expr, Iff)
    configurations = configurations_of(cp)
    assert sorted(c.selections.get("battery", {}).get("big", 0) for c in configurations) == [0, 0, 2, 3]
    assert cp.to_assignment(Configuration({"battery": {"big": 3}})) == {"battery": 2, "battery.big#qty": 3}
    assert cp.quantity_term("battery", "big") == ((1, "battery.big#qty"),)
    assert cp.quantity_term("battery", "small") == ((1, Lit("battery", frozenset({1}))),)


def test_effective_dates_remove_options_and_skip_rules() -> None:
    """On a date, options and modules not on sale disappear and rules not in force are skipped."""
    cat = make_catalog(
        {
            "frame": {
                "options": {
                    "alu": {},
                    "old": {"valid_to": "2025-12-31"},
                    "new": {"valid_from": "2027-01-01"},
                }
            },
            "motor": {"choose": "optional", "valid_to": "2026-01-31", "options": {"hub": {}}},
            "gone": {"valid_to": "2026-01-31", "options": {"x": {}}},
        },
        [
            {"id": "future", "valid_from": "2027-01-01", "requires": "frame.new"},
            {"id": "now", "valid_from": "2026-01-01", "excludes": "motor.hub"},
        ],
    )
    cp = compile_catalog_problem(cat, DAY)
    assert cp.problem.var("frame") == Variable("frame", (1,), ("alu",))
    assert cp.problem.var("motor") == Variable("motor", (0,), ("-",))
    assert cp.problem.var("gone").domain == ()
    ids = [c.id for c in cp.problem.constraints]
    assert "future" not in ids and "now" in ids and "module:gone:choose" in ids
    assert get_backend("exhaustive").count(cp.problem) == 0  # the mandatory module 'gone' is off sale
    timeless = compile_catalog_problem(cat, None)
    assert timeless.problem.var("frame").domain == (1, 2, 3)
    assert {"future", "now"} <= {c.id for c in timeless.problem.constraints}
    assert get_backend("exhaustive").count(timeless.problem) == 1  # frame.new, no motor, gone.x


def test_effective_dates_agree_with_the_checker() -> None:
    """For a date inside and outside the validity windows, the solutions are the configurations the checker accepts."""
    cat = make_catalog(
        {
            "frame": {"options": {"alu": {}, "carbon": {"valid_from": "2026-06-01"}}},
            "motor": {"choose": "optional", "options": {"hub": {"valid_to": "2026-12-31"}, "mid": {}}},
        },
        [{"id": "carbon-mid", "valid_from": "2027-01-01", "if": "frame.carbon", "requires": "motor.mid"}],
    )
    for on in (None, dt.date(2026, 1, 1), DAY, dt.date(2027, 6, 1)):
        cp = compile_catalog_problem(cat, on)
        assert get_backend("exhaustive").count(cp.problem) == checker_count(cp, on), on
        for configuration in configurations_of(cp):
            assert find_violations(cat, configuration, on=on) == []


def test_decimals_are_scaled_exactly() -> None:
    """``sum(capacity_wh) <= 2.5`` over decimal attributes becomes an exact integer constraint."""
    cat = make_catalog(
        {
            "pack": {
                "choose": "any",
                "options": {
                    "a": {"attrs": {"capacity_wh": Decimal("1.25")}},
                    "b": {"attrs": {"capacity_wh": Decimal("1.25")}},
                    "c": {"attrs": {"capacity_wh": Decimal("0.01")}},
                    "d": {"attrs": {"capacity_wh": 1}},
                },
            }
        },
        [{"id": "cap", "constraint": "sum(capacity_wh) <= 2.5"}],
        attributes={"capacity_wh": {"type": "decimal", "unit": "Wh"}},
    )
    cp = compile_catalog_problem(cat)
    (rule,) = [c for c in cp.problem.constraints if c.id == "cap"]
    assert isinstance(rule.expr, Linear)
    assert all(isinstance(coef, int) for coef, _ in rule.expr.terms)
    assert sorted(coef for coef, _ in rule.expr.terms) == [1, 100, 125, 125]
    assert rule.expr.rhs == 250 and rule.expr.op == "<="
    full = {"pack.a": 1, "pack.b": 1, "pack.c": 0, "pack.d": 0}
    assert cp.problem.check(full)  # exactly 2.50 is allowed
    assert not cp.problem.check({**full, "pack.c": 1})  # 2.51 is not
    assert get_backend("exhaustive").count(cp.problem) == checker_count(cp, None)


def test_decimal_coefficients_on_both_sides() -> None:
    """Decimals on both sides (``x * 1.5 >= y``) keep their exact ratio after scaling."""
    cat = make_catalog(
        {
            "battery": {
                "options": {"s": {"attrs": {"wh": Decimal("0.5")}}, "l": {"attrs": {"wh": Decimal("1.1")}}}
            },
            "motor": {"options": {"p": {"attrs": {"w": Decimal("0.75")}}, "q": {"attrs": {"w": 1}}}},
        },
        [{"id": "power", "constraint": "battery.wh * 1.5 >= motor.w"}],
        attributes={"wh": {"type": "decimal"}, "w": {"type": "decimal"}},
    )
    cp = compile_catalog_problem(cat)
    configurations = {tuple(c.items()) for c in configurations_of(cp)}
    assert configurations == {
        (("battery", "s", 1), ("motor", "p", 1)),
        (("battery", "l", 1), ("motor", "p", 1)),
        (("battery", "l", 1), ("motor", "q", 1)),
    }


def test_non_linear_rules_are_refused() -> None:
    """``x * y`` of two variable quantities is a SolverError that quotes the expression."""
    cat = make_catalog(
        {"m": {"choose": "any", "options": {"a": {"attrs": {"w": 2}}, "b": {"attrs": {"w": 3}}}}},
        [{"id": "square", "constraint": "sum(w) * count(m) <= 4"}],
        attributes={"w": {"type": "int"}},
    )
    with pytest.raises(SolverError, match=r"not linear: .*multiplies two variable quantities"):
        compile_catalog_problem(cat)
    linear = make_catalog(
        {"m": {"choose": "any", "options": {"a": {"attrs": {"w": 2}}, "b": {"attrs": {"w": 3}}}}},
        [{"id": "scaled", "constraint": "2 * sum(w) - -count(m) * 3 <= 12"}],
        attributes={"w": {"type": "int"}},
    )
    cp = compile_catalog_problem(linear)
    assert get_backend("exhaustive").count(cp.problem) == checker_count(cp, None) == 3


def test_tables_encode_wildcards_and_none() -> None:
    """Table cells: an option is its value, ``-`` is 0 (nothing), ``*`` is a wildcard (None)."""
    cat = make_catalog(
        {
            "frame": {"options": {"alu": {}, "carbon": {}}},
            "wheels": {"choose": "optional", "options": {"w26": {}, "w28": {}}},
        },
        [
            {
                "id": "fit",
                "table": {
                    "columns": ["frame", "wheels"],
                    "rows": [["alu", "w28"], ["carbon", "*"], ["alu", "-"]],
                },
            }
        ],
    )
    cp = compile_catalog_problem(cat)
    (rule,) = [c for c in cp.problem.constraints if c.id == "fit"]
    assert rule.expr == Table(("frame", "wheels"), ((1, 2), (2, None), (1, 0)), True)
    assert get_backend("exhaustive").count(cp.problem) == checker_count(cp, None) == 5


def test_enum_comparisons_in_both_orders() -> None:
    """``m.colour == "red"`` and ``"red" == m.colour`` compile alike; ``!=`` means no selected option is red."""
    modules = {
        "m": {
            "choose": "any",
            "options": {"a": {"attrs": {"colour": "red"}}, "b": {"attrs": {"colour": "sand"}}},
        }
    }
    attributes = {"colour": {"type": "enum", "values": ["red", "sand"]}}
    counts = []
    for text in ('m.colour == "red"', '"red" == m.colour', 'm.colour != "red"', 'm.colour in ["sand"]'):
        cat = make_catalog(modules, [{"id": "r", "constraint": text}], attributes=attributes)
        cp = compile_catalog_problem(cat)
        counts.append(get_backend("exhaustive").count(cp.problem))
        assert counts[-1] == checker_count(cp, None), text
    assert counts == [2, 2, 2, 2]


def test_price_objective_in_cents() -> None:
    """``price_objective`` sums prices in cents times quantities."""
    cat = make_catalog(
        {
            "frame": {"options": {"alu": {"price": "420.50"}, "carbon": {"price": 1190}}},
            "cage": {"choose": "any", "options": {"c": {"price": "12.25", "qty": {"max": 3}}}},
        }
    )
    cp = compile_catalog_problem(cat)
    objective = cp.price_objective()
    assert objective.sense == "min" and cp.price_objective("max").sense == "max"
    result = get_backend("cpsat").solve(cp.problem, objectives=[cp.price_objective("max")])
    assert result.objectives == (119000 + 3 * 1225,)


def test_to_configuration_and_back() -> None:
    """``to_assignment`` inverts to_configuration on every solution."""
    cat = make_catalog(
        {
            "frame": {"options": {"alu": {}, "carbon": {}}},
            "motor": {"choose": "optional", "options": {"hub": {"qty": {"max": 2}}}},
            "extras": {"choose": "any", "options": {"bell": {}, "cage": {"qty": {"max": 2}}}},
        }
    )
    cp = compile_catalog_problem(cat)
    solutions = list(get_backend("exhaustive").solutions(cp.problem))
    assert len(solutions) == 2 * 3 * 6
    for solution in solutions:
        configuration = cp.to_configuration(solution)
        assert cp.to_assignment(configuration) == solution
        assert list(configuration.selections) == [m for m in cat.modules if m in configuration.selections]
        assert configuration.catalog == "test"


@st.composite
def compiled_catalogs(draw: st.DrawFn) -> tuple[Catalog, dt.date | None, CatalogProblem]:
    """A random catalog with linear rules, a date or None, and its compiled problem (small)."""
    catalog = draw(catalogs(max_modules=3, max_options=3))
    on = draw(st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))))
    try:
        cp = compile_catalog_problem(catalog, on)
    except SolverError:
        assume(False)
        raise
    assume(cp.problem.size() <= 3_000)
    return catalog, on, cp


@settings(max_examples=100, deadline=None)
@given(compiled_catalogs())
def test_random_catalogs_compile_to_what_the_checker_accepts(
    drawn: tuple[Catalog, dt.date | None, CatalogProblem],
) -> None:
    """For random catalogs and dates, the solutions are exactly the configurations the checker accepts."""
    catalog, on, cp = drawn
    problem: Problem = cp.problem
    accepted = set()
    solutions = set()
    for assignment in problem.assignments():
        configuration = cp.to_configuration(assignment)
        valid = not find_violations(catalog, configuration, on=on)
        if problem.check(assignment):
            assert valid, (assignment, problem.violated(assignment))
            assert cp.to_assignment(configuration) == assignment
            solutions.add(tuple(configuration.items()))
        if valid:
            accepted.add(tuple(configuration.items()))
    assert solutions == accepted
