"""Imported models exported as catalogs: the YAML loads, and compiles back to the same number of configurations."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import configurator
from configurator.errors import ModelFormatError
from configurator.io import load_model, parse_sxfm, parse_uvl
from configurator.io.to_catalog import dump_problem_catalog, module_ids, problem_to_catalog
from configurator.solver import operations
from configurator.solver.compile import compile_catalog_problem
from configurator.solver.problem import (
    And,
    Const,
    Constraint,
    Iff,
    Implies,
    Linear,
    Lit,
    Not,
    Or,
    Problem,
    Table,
    Variable,
)
from support import DATA, bench_file, needs_cudd


def _on(name: str) -> Lit:
    return Lit(name, frozenset({1}))


def round_trip_count(problem: Problem, tmp_path: Path, catalog_id: str = "model") -> int:
    """Write the catalog YAML, load it with configurator.load_catalog, compile it and count."""
    path = tmp_path / f"{catalog_id}.yaml"
    path.write_text(dump_problem_catalog(problem, catalog_id=catalog_id), encoding="utf-8")
    catalog = configurator.load_catalog(path)
    return operations.count(compile_catalog_problem(catalog).problem)


UVL_TEXT = """features
    Car
        mandatory
            Engine
                alternative
                    Petrol
                    Electric
                    "Hybrid 2.0"
        optional
            Turbo
            "not"
            Not
        or
            "4x4"
            Sunroof
constraints
    Turbo => Petrol
    Sunroof <=> !"4x4" | Electric
    "not" => Not
"""

SXFM_TEXT = (
    '<?xml version="1.0"?>\n<feature_model name="Tiny">\n<feature_tree>\n'
    ":r Laptop(laptop)\n\t:m Screen(screen)\n\t\t:g (g1) [1,1]\n\t\t\t: Small(small)\n\t\t\t: Large(large)\n"
    "\t:o Dock(dock)\n\t:o Ports(ports)\n\t\t:g [1,*]\n\t\t\t: USB(usb)\n\t\t\t: HDMI(hdmi)\n"
    "</feature_tree>\n<constraints>\nc1: ~dock or large\nc2:~hdmi or ~small\n</constraints>\n</feature_model>\n"
)

XCSP_TEXT = (DATA / "models" / "tiny-xcsp.xml").read_text(encoding="utf-8")

MIXED = Problem(
    variables=(
        Variable("Frame Size", (1, 2, 3), ("S", "M", "1e5")),
        Variable("frame-size", (0, 1)),
        Variable("temp", (-2, -1, 0, 4)),
        Variable("2nd", (0, 1), ("-", "yes")),
        Variable("only", (7,)),
    ),
    constraints=(
        Constraint("tab:allowed", Table(("Frame Size", "temp"), ((1, None), (2, -2), (3, 4), (9, 0)))),
        Constraint("tab:forbidden", Table(("frame-size", "2nd"), ((1, 1), (0, 0)), allowed=False)),
        Constraint("TAB forbidden", Table(("temp", "temp"), ((-1, -1),), allowed=False)),
        Constraint(
            "9 lives",
            Implies(
                _on("2nd"),
                Or((Lit("temp", frozenset({-1, 4})), Lit("Frame Size", frozenset({2})), Const(False))),
            ),
        ),
        Constraint(
            "sum", Linear(((2, "temp"), (-1, "Frame Size"), (3, Lit("2nd", frozenset({0})))), "<=", 4)
        ),
        Constraint("card", Iff(_on("frame-size"), Linear(((1, _on("2nd")), (1, Const(True))), "!=", 2))),
        Constraint("neq", Not(And((Lit("Frame Size", frozenset({3})), Lit("only", frozenset({7})))))),
        Constraint("empty", Table(("only",), (), allowed=False)),
        Constraint("sum", Linear(((1, "only"), (1, Lit("temp", frozenset({0, 4})))), ">", 6)),
    ),
    name="mixed",
)


@needs_cudd
def test_mixed_problem_round_trips_with_the_same_count(tmp_path: Path) -> None:
    """Tables, formulas, linear sums over values and indicators and odd names keep the count."""
    expected = operations.count(MIXED)
    assert expected > 0
    assert round_trip_count(MIXED, tmp_path, "mixed") == expected


def test_ids_are_sanitised_and_unique() -> None:
    """Module and rule ids follow the id grammar, avoid keywords and stay unique."""
    data = problem_to_catalog(MIXED, catalog_id="mixed")
    assert list(data["modules"]) == ["frame_size", "frame_size_2", "temp", "m_2nd", "only"]
    assert [r["id"] for r in data["rules"]] == [
        "tab-allowed",
        "tab-forbidden",
        "tab-forbidden-2",
        "r-9-lives",
        "sum",
        "card",
        "neq",
        "empty",
        "sum-2",
    ]
    assert module_ids(MIXED)["Frame Size"] == "frame_size"
    assert data["modules"]["temp"]["options"]["vm2"] == {"label": "-2"}
    assert data["modules"]["frame_size"]["label"] == "Frame Size"
    assert data["modules"]["m_2nd"] == {
        "label": "2nd",
        "choose": "optional",
        "options": {"selected": {"label": "yes"}},
    }


def test_tables_become_table_rules() -> None:
    """Wildcards become '*', feature value 0 becomes '-', impossible rows are dropped, forbidden keeps its mode."""
    rules = {r["id"]: r for r in problem_to_catalog(MIXED, catalog_id="mixed")["rules"]}
    assert rules["tab-allowed"]["table"] == {
        "columns": ["frame_size", "temp"],
        "rows": [["v1", "*"], ["v2", "vm2"], ["v3", "v4"]],
    }
    assert rules["tab-forbidden"]["table"]["mode"] == "forbidden"
    assert rules["tab-forbidden"]["table"]["rows"] == [["selected", "selected"], ["-", "-"]]
    assert rules["tab-forbidden-2"] == {"id": "tab-forbidden-2", "constraint": "!(temp.vm1 & temp.vm1)"}
    assert rules["empty"] == {"id": "empty", "constraint": "true"}


def test_dumped_yaml_quotes_number_like_labels() -> None:
    """A label such as 1e5 stays a string for the YAML 1.2 reader."""
    text = dump_problem_catalog(MIXED, catalog_id="mixed")
    assert "label: '1e5'" in text
    assert yaml.safe_load(text)["modules"]["frame_size"]["options"]["v3"]["label"] == "1e5"


def test_unexpressible_linear_term_names_the_constraint() -> None:
    """A linear term over a compound formula raises ModelFormatError naming the constraint."""
    bad = Problem(
        (Variable("a", (0, 1)), Variable("b", (0, 1))),
        (Constraint("ctc:odd", Linear(((1, And((_on("a"), _on("b")))),), "<=", 0)),),
    )
    with pytest.raises(
        ModelFormatError, match=r"constraint 'ctc:odd': a linear term is the indicator of a And"
    ):
        problem_to_catalog(bad, catalog_id="bad")


def test_bad_catalog_id_and_empty_problem_raise() -> None:
    """An invalid catalog id or a model without variables is a ModelFormatError."""
    with pytest.raises(ModelFormatError, match="catalog id 'Bad Id'"):
        problem_to_catalog(MIXED, catalog_id="Bad Id")
    with pytest.raises(ModelFormatError, match="at least one module"):
        problem_to_catalog(Problem(()), catalog_id="empty")


@needs_cudd
def test_unsatisfiable_problem_round_trips_to_zero(tmp_path: Path) -> None:
    """An empty domain and a false constant both give a catalog with no configuration."""
    empty = Problem(
        (Variable("x", ()), Variable("y", (0, 1))), (Constraint("c", Or((_on("y"), Const(False)))),)
    )
    assert round_trip_count(empty, tmp_path, "empty") == 0 == operations.count(empty)


@needs_cudd
@pytest.mark.parametrize(
    ("fmt", "problem"),
    [
        ("uvl", parse_uvl(UVL_TEXT, "car.uvl").to_problem()),
        ("sxfm", parse_sxfm(SXFM_TEXT, "laptop.splx").to_problem()),
    ],
    ids=["uvl", "sxfm"],
)
def test_tiny_feature_models_round_trip(fmt: str, problem: Problem, tmp_path: Path) -> None:
    """Tiny UVL and SXFM models keep their counts through the catalog."""
    assert round_trip_count(problem, tmp_path, fmt) == operations.count(problem) > 0


@needs_cudd
def test_tiny_xcsp_round_trips(tmp_path: Path) -> None:
    """A tiny XCSP model with supports and conflicts tables keeps its count through the catalog."""
    from configurator.io.xcsp import parse_xcsp

    problem = parse_xcsp(XCSP_TEXT, source="tiny.xml")
    assert round_trip_count(problem, tmp_path, "xcsp") == operations.count(problem) > 0


REAL = [
    ("dell", "splot-dell/DELL.splx"),
    ("ovm-rfw", "uvl-models/ovm_RFW.ovm.uvl"),
    ("renault-small", "renault-gimenez-phd/renault_small/contraintes.xml"),
]
"""Real models by catalog id, as paths inside the benchmark data folder."""


@needs_cudd
@pytest.mark.parametrize(("catalog_id", "path"), REAL, ids=[r[0] for r in REAL])
def test_real_models_round_trip(catalog_id: str, path: str, tmp_path: Path) -> None:
    """DELL, ovm_RFW and Renault small export to catalogs with the same exact counts."""
    problem = load_model(bench_file(path))
    assert round_trip_count(problem, tmp_path, catalog_id) == operations.count(problem) > 0
