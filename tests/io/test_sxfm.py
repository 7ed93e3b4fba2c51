"""SPLOT SXFM import: tiny models checked by brute force, errors with locations, the DELL model."""

from __future__ import annotations

import time

import pytest

from configurator.errors import ModelFormatError
from configurator.io.featuremodel import selected
from configurator.io.sxfm import load_sxfm, parse_sxfm
from configurator.io.uvl import dump_uvl, parse_uvl
from configurator.solver.problem import Not, Or, Problem
from support import bench_file

DELL = ("splot-dell", "DELL.splx")
"""The SPLOT Dell laptop model inside the benchmark data folder."""


def solutions(problem: Problem) -> set[tuple[int, ...]]:
    """The valid assignments of a tiny problem, as value tuples in variable order."""
    return {tuple(a[n] for n in problem.names) for a in problem.assignments() if problem.check(a)}


def sxfm(tree: str, constraints: str = "") -> str:
    """An SXFM document around a feature tree and a constraints block."""
    return (
        '<?xml version="1.0"?>\n<feature_model name="Tiny">\n'
        f"<feature_tree>\n{tree}</feature_tree>\n<constraints>\n{constraints}</constraints>\n</feature_model>\n"
    )


LAPTOP = sxfm(
    ":r Laptop(laptop)\n"
    "\t:m Screen(screen)\n"
    "\t\t:g (g1) [1,1]\n"
    "\t\t\t: Small(small)\n"
    "\t\t\t: Large(large)\n"
    "\t:o Dock(dock)\n"
    "\t:o Ports(ports)\n"
    "\t\t:g [1,*]\n"
    "\t\t\t: USB(usb)\n"
    "\t\t\t: HDMI(hdmi)\n",
    "c1: ~dock or large\nc2:~hdmi or ~small\n",
)


def test_laptop_counts_by_brute_force() -> None:
    """Alternative and or groups, optional and mandatory children and clauses give the expected count."""
    model = parse_sxfm(LAPTOP, "laptop.splx")
    problem = model.to_problem()
    assert problem.names == ("laptop", "screen", "small", "large", "dock", "ports", "usb", "hdmi")
    # small: no dock, ports none or usb only -> 2; large: dock 0/1 x ports (none + 3 subsets) -> 8
    assert len(solutions(problem)) == 10
    assert [c.id for c in problem.constraints if c.kind == "cross-tree"] == ["ctc:c1", "ctc:c2"]
    assert model.constraints[1].formula == Or((Not(selected("hdmi")), Not(selected("small"))))
    assert model.feature("small").label == "Small" and model.name == "Tiny"


def test_cardinality_groups_and_nodes_without_ids() -> None:
    """``[m,n]`` groups other than [1,1] and [1,*] are cardinality groups; a node without (id) uses its name."""
    tree = ":r root\n\t:g [2,2]\n\t\t: a\n\t\t: b\n\t\t: c\n\t:g [0,1]\n\t\t: d\n\t\t: e\n"
    problem = parse_sxfm(sxfm(tree)).to_problem()
    assert problem.names == ("root", "a", "b", "c", "d", "e")
    assert len(solutions(problem)) == 3 * 3
    assert {"tree:root:group[2..2]", "tree:root:group[0..1]"} <= {c.id for c in problem.constraints}


def test_single_literal_clause_and_meta() -> None:
    """A one-literal clause is kept as that literal; ``<meta>`` data are kept."""
    doc = sxfm(":r r(r)\n\t:o a(a)\n", "k: ~a\n").replace(
        "<feature_tree>", '<meta><data name="creator">me</data></meta><feature_tree>'
    )
    model = parse_sxfm(doc)
    assert model.constraints[0].formula == Not(selected("a")) and model.constraints[0].id == "k"
    assert len(solutions(model.to_problem())) == 1
    assert model.meta["sxfm_meta"] == {"creator": "me"}


@pytest.mark.parametrize(
    ("tree", "constraints", "message"),
    [
        (":r r(r)\n\t:x a(a)\n", "", r"t\.splx:5: expected a node"),
        (":r r(r)\n\t: a(a)\n", "", r"t\.splx:5: a group member ':' must be indented under ':g'"),
        (
            ":r r(r)\n\t:g [1,1]\n\t\t:m a(a)\n",
            "",
            r"t\.splx:6: ':m' must be indented under a feature, not a group",
        ),
        (":r r(r)\n\t:g [1 1]\n", "", r"t\.splx:5: expected ':g \(id\) \[m,n\]'"),
        (":r r(r)\n\t:g [2,1]\n", "", r"t\.splx:5: .*bounds out of order"),
        (":r r(r)\n:r s(s)\n", "", r"t\.splx:5: ':r' must be the first node"),
        ("\t:m a(a)\n", "", r"t\.splx:4: ':m' must be indented under a feature \(the tree starts"),
        ("", "", r"t\.splx:3: the feature tree has no ':r' root"),
        (
            ":r r(r)\n\t:o a(a)\n\t:o b(a)\n",
            "",
            r"t\.splx:6: duplicate feature name 'a' \(first declared at line 5\)",
        ),
        (":r r(r)\n\t:o a(a)\n", "c1: ~a or bb\n", r"t\.splx:8: unknown feature id 'bb'"),
        (":r r(r)\n\t:o abc(abc)\n", "c1: ~abd\n", r"did you mean 'abc'"),
        (":r r(r)\n\t:o a(a)\n", "no colon here\n", r"t\.splx:8: expected 'id: literal or literal"),
        (":r r(r)\n\t:o a(a)\n", "c1: a or ~\n", r"t\.splx:8: expected a literal"),
    ],
)
def test_malformed_sxfm_names_file_and_line(tree: str, constraints: str, message: str) -> None:
    """Malformed tree lines and clauses raise ModelFormatError with file:line."""
    with pytest.raises(ModelFormatError, match=message):
        parse_sxfm(sxfm(tree, constraints), "t.splx")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("<feature_model><feature_tree>:r a</feature_tree>", r"x:1:\d+: malformed XML"),
        ("<other/>", r"x:1: expected a <feature_model> root element"),
        ("<feature_model/>", r"x:1: <feature_model> has no <feature_tree>"),
        ('<!DOCTYPE f [<!ENTITY e "x">]><feature_model/>', r"x:1: XML document type declarations"),
    ],
)
def test_malformed_xml_is_refused(doc: str, message: str) -> None:
    """Broken XML, a wrong root, a missing tree and any DOCTYPE are refused."""
    with pytest.raises(ModelFormatError, match=message):
        parse_sxfm(doc, "x")


def test_dell_parses_with_the_documented_counts() -> None:
    """DELL.splx: 47 features, 8 alternative groups, 105 binary exclusion clauses."""
    path = bench_file(*DELL)
    start = time.perf_counter()
    model = load_sxfm(path)
    elapsed = time.perf_counter() - start
    problem = model.to_problem()
    assert len(problem.variables) == 47
    assert len(model.constraints) == 105
    groups = [g for f in model.features() for g in f.groups if g.kind not in ("mandatory", "optional")]
    assert len(groups) == 8 and {g.kind for g in groups} == {"alternative"}
    assert model.name == "DELL Laptop/Notebook Computers"
    assert model.feature("us400us800").label == "F$400 - $800"
    assert all(isinstance(c.formula, Or) and len(c.formula.args) == 2 for c in model.constraints)
    assert elapsed < 2


def test_dell_survives_export_to_uvl() -> None:
    """DELL exported to UVL re-imports with the same variables and constraint formulas."""
    model = load_sxfm(bench_file(*DELL))
    original, reparsed = model.to_problem(), parse_uvl(dump_uvl(model)).to_problem()
    assert reparsed.variables == original.variables
    assert [c.expr for c in reparsed.constraints] == [c.expr for c in original.constraints]
