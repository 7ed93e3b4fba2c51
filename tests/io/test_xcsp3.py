"""XCSP3 import: each supported constraint on tiny documents, refused constructs with file:line, RenaultMod."""

from __future__ import annotations

import itertools
import lzma
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from configurator.cli import main
from configurator.errors import ModelFormatError
from configurator.io import load_model
from configurator.io.xcsp3 import CONSTRAINTS, load_xcsp3, parse_xcsp3
from configurator.solver import operations
from configurator.solver.backend import get_backend
from configurator.solver.counting import count_portfolio, ganak_count
from configurator.solver.problem import Lit, Problem, Table
from support import bench_file, has_module

needs_ganak = pytest.mark.skipif(not has_module("pyganak"), reason="the 'pyganak' package is not installed")

RENAULT_MOD_00 = 212_573_703_712_768
"""Solutions of RenaultMod-00: the decision diagram and independent table elimination agree on this count."""


def _doc(variables: str, constraints: str) -> str:
    return (
        '<instance format="XCSP3" type="CSP">\n'
        f"<variables>\n{variables}\n</variables>\n<constraints>\n{constraints}\n</constraints>\n</instance>"
    )


def _brute(problem: Problem) -> int:
    return sum(1 for a in problem.assignments() if problem.check(a))


def _exhaustive(problem: Problem) -> int:
    return get_backend("exhaustive").count(problem)


ARRAY = '<array id="x" size="[3]"> 0..2 </array>'
GRID = '<array id="g" size="[2][2]"> 0 1 </array>'
BOOLS = '<array id="x" size="[3]"> 0 1 </array>'
DOMAINS = {ARRAY: range(3), BOOLS: range(2)}
"""The values of each of x[0], x[1], x[2] in the variables of the test documents."""


NEW_CONSTRAINTS: list[tuple[str, str, Callable[[tuple[int, ...]], bool]]] = [
    (BOOLS, "<clause> x[0] not(x[1]) x[2] </clause>", lambda x: x[0] == 1 or x[1] == 0 or x[2] == 1),
    (BOOLS, "<clause><list> not(x[0]) not( x[2] ) </list></clause>", lambda x: x[0] == 0 or x[2] == 0),
    (
        ARRAY,
        "<instantiation><list> x[0] x[2] </list><values> 1 2 </values></instantiation>",
        lambda x: x[0] == 1 and x[2] == 2,
    ),
    (
        ARRAY,
        "<instantiation><list> x[1..2] </list><values> 2x2 </values></instantiation>",
        lambda x: x[1] == x[2] == 2,
    ),
    (ARRAY, "<allEqual> x[] </allEqual>", lambda x: x[0] == x[1] == x[2]),
    (ARRAY, "<allEqual><list> x[0] x[2] </list></allEqual>", lambda x: x[0] == x[2]),
    (
        ARRAY,
        "<allDifferent><list> x[] </list><except> 0 </except></allDifferent>",
        lambda x: len([v for v in x if v != 0]) == len({v for v in x if v != 0}),
    ),
    (ARRAY, "<ordered><list> x[] </list><operator> lt </operator></ordered>", lambda x: x[0] < x[1] < x[2]),
    (ARRAY, "<ordered><list> x[] </list><operator> ge </operator></ordered>", lambda x: x[0] >= x[1] >= x[2]),
    (
        ARRAY,
        '<ordered case="strictlyDecreasing"><list> x[0] x[2] </list></ordered>',
        lambda x: x[0] > x[2],
    ),
    (ARRAY, '<ordered case="increasing"> x[] </ordered>', lambda x: x[0] <= x[1] <= x[2]),
    (
        ARRAY,
        "<ordered><list> x[] </list><lengths> 1 0 </lengths><operator> le </operator></ordered>",
        lambda x: x[0] + 1 <= x[1] and x[1] <= x[2],
    ),
    (
        ARRAY,
        "<count><list> x[] </list><values> 0 2 </values><condition> (ge,2) </condition></count>",
        lambda x: sum(1 for v in x if v in (0, 2)) >= 2,
    ),
    (
        ARRAY,
        "<count><list> x[0] x[1] </list><values> 1 </values><condition> (eq,x[2]) </condition></count>",
        lambda x: (x[0] == 1) + (x[1] == 1) == x[2],
    ),
    (
        ARRAY,
        "<count><list> x[] </list><values> 1 </values><condition> (in,1..2) </condition></count>",
        lambda x: 1 <= x.count(1) <= 2,
    ),
    (
        ARRAY,
        "<count><list> x[] </list><values> 2 </values><condition> (notin,1..2) </condition></count>",
        lambda x: x.count(2) not in (1, 2),
    ),
    (
        ARRAY,
        "<count><list> x[0] x[1] </list><values> x[2] </values><condition> (eq,1) </condition></count>",
        lambda x: (x[0] == x[2]) + (x[1] == x[2]) == 1,
    ),
    (
        ARRAY,
        "<nValues><list> x[] </list><condition> (eq,2) </condition></nValues>",
        lambda x: len(set(x)) == 2,
    ),
    (
        ARRAY,
        "<nValues><list> x[] </list><except> 0 </except><condition> (le,1) </condition></nValues>",
        lambda x: len(set(x) - {0}) <= 1,
    ),
    (
        ARRAY,
        "<nValues><list> x[0] x[1] </list><condition> (gt,x[2]) </condition></nValues>",
        lambda x: len({x[0], x[1]}) > x[2],
    ),
    (
        ARRAY,
        "<cardinality><list> x[] </list><values> 0 1 </values><occurs> 1 1 </occurs></cardinality>",
        lambda x: x.count(0) == 1 and x.count(1) == 1,
    ),
    (
        ARRAY,
        '<cardinality><list> x[] </list><values closed="true"> 0 2 </values><occurs> 0..1 1..3 </occurs>'
        "</cardinality>",
        lambda x: x.count(0) <= 1 and x.count(2) >= 1 and 1 not in x,
    ),
    (
        ARRAY,
        "<cardinality><list> x[0] x[1] </list><values> 2 </values><occurs> x[2] </occurs></cardinality>",
        lambda x: (x[0] == 2) + (x[1] == 2) == x[2],
    ),
    (ARRAY, "<minimum><list> x[] </list><condition> (eq,1) </condition></minimum>", lambda x: min(x) == 1),
    (ARRAY, "<minimum><list> x[] </list><condition> (gt,0) </condition></minimum>", lambda x: min(x) > 0),
    (
        ARRAY,
        "<minimum><list> x[0] x[1] </list><condition> (eq,x[2]) </condition></minimum>",
        lambda x: min(x[0], x[1]) == x[2],
    ),
    (
        ARRAY,
        "<minimum><list> x[0] x[1] </list><condition> (notin,1..2) </condition></minimum>",
        lambda x: min(x[0], x[1]) not in (1, 2),
    ),
    (ARRAY, "<maximum><list> x[] </list><condition> (lt,2) </condition></maximum>", lambda x: max(x) < 2),
    (
        ARRAY,
        "<maximum><list> x[0] x[1] </list><condition> (ne,x[2]) </condition></maximum>",
        lambda x: max(x[0], x[1]) != x[2],
    ),
    (
        ARRAY,
        "<maximum><list> x[] </list><condition> (in,1..1) </condition></maximum>",
        lambda x: max(x) == 1,
    ),
    (
        ARRAY,
        "<element><list> x[0] x[1] </list><value> x[2] </value></element>",
        lambda x: x[2] in (x[0], x[1]),
    ),
    (
        ARRAY,
        "<element><list> x[1] x[2] </list><index> x[0] </index><value> 1 </value></element>",
        lambda x: x[0] < 2 and (x[1], x[2])[x[0]] == 1,
    ),
    (
        ARRAY,
        '<element><list startIndex="1"> x[1] x[2] </list><index> x[0] </index><value> 2 </value></element>',
        lambda x: x[0] >= 1 and (x[1], x[2])[x[0] - 1] == 2,
    ),
    (
        ARRAY,
        "<element><list> 2 0 1 </list><index> x[0] </index><value> x[1] </value></element>",
        lambda x: (2, 0, 1)[x[0]] == x[1],
    ),
    (
        ARRAY,
        "<element><list> x[0] x[1] </list><index> x[2] </index><condition> (gt,0) </condition></element>",
        lambda x: x[2] < 2 and (x[0], x[1])[x[2]] > 0,
    ),
    (
        ARRAY,
        "<group><count><list> %... </list><values> 1 </values><condition> (le,%0) </condition></count>"
        "<args> 1 x[0] x[1] </args><args> 0 x[2] </args></group>",
        lambda x: (x[0] == 1) + (x[1] == 1) <= 1 and x[2] != 1,
    ),
    (
        ARRAY,
        "<group><element><list> %1 %2 </list><index> %0 </index><value> 0 </value></element>"
        "<args> x[0] x[1] x[2] </args></group>",
        lambda x: x[0] < 2 and (x[1], x[2])[x[0]] == 0,
    ),
    (
        ARRAY,
        "<group><instantiation><list> %0 </list><values> 1 </values></instantiation>"
        "<args> x[0] </args><args> x[2] </args></group>",
        lambda x: x[0] == x[2] == 1,
    ),
    (
        ARRAY,
        "<group><allEqual> %... </allEqual><args> x[0] x[1] </args></group>",
        lambda x: x[0] == x[1],
    ),
    (
        ARRAY,
        "<group><ordered><list> %... </list><operator> le </operator></ordered>"
        "<args> x[0] x[1] </args><args> x[2] x[1] </args></group>",
        lambda x: x[0] <= x[1] and x[2] <= x[1],
    ),
    (
        BOOLS,
        "<group><clause> %0 not(%1) </clause><args> x[0] x[1] </args><args> x[1] x[2] </args></group>",
        lambda x: (x[0] == 1 or x[1] == 0) and (x[1] == 1 or x[2] == 0),
    ),
    (
        ARRAY,
        "<block><nValues><list> x[] </list><condition> (ge,2) </condition></nValues>"
        "<group><maximum><list> %... </list><condition> (ge,%0) </condition></maximum>"
        "<args> 2 x[0] x[1] </args></group></block>",
        lambda x: len(set(x)) >= 2 and max(x[0], x[1]) >= 2,
    ),
]
"""The global constraints beyond sum and allDifferent, their variants, and as group templates."""


@pytest.mark.parametrize(
    ("variables", "constraints", "predicate"),
    [
        (ARRAY, "<intension> eq(x[0],add(x[1],1)) </intension>", lambda x: x[0] == x[1] + 1),
        (ARRAY, "<intension> le(x[0],1) </intension>", lambda x: x[0] <= 1),
        (ARRAY, "<intension> ne(sub(x[0],x[1]),mul(2,x[2])) </intension>", lambda x: x[0] - x[1] != 2 * x[2]),
        (
            ARRAY,
            "<intension> or(and(gt(x[0],x[1]),not(eq(x[2],0))),imp(ge(x[1],2),lt(x[2],1))) </intension>",
            lambda x: (x[0] > x[1] and x[2] != 0) or (not x[1] >= 2 or x[2] < 1),
        ),
        (ARRAY, "<intension> iff(eq(x[0],1),eq(x[1],2)) </intension>", lambda x: (x[0] == 1) == (x[1] == 2)),
        (
            ARRAY,
            "<intension> xor(eq(x[0],1),eq(x[1],2),eq(x[2],0)) </intension>",
            lambda x: ((x[0] == 1) + (x[1] == 2) + (x[2] == 0)) % 2 == 1,
        ),
        (ARRAY, "<intension> in(x[0],set(0,2)) </intension>", lambda x: x[0] in (0, 2)),
        (
            ARRAY,
            "<intension> notin(add(x[0],x[1]),set(1,3)) </intension>",
            lambda x: x[0] + x[1] not in (1, 3),
        ),
        (ARRAY, "<intension> eq(x[0],x[1],x[2]) </intension>", lambda x: x[0] == x[1] == x[2]),
        (
            ARRAY,
            "<intension> eq(add(eq(x[0],1),eq(x[1],1)),x[2]) </intension>",
            lambda x: (x[0] == 1) + (x[1] == 1) == x[2],
        ),
        (ARRAY, "<intension> eq(mul(x[0],x[1]),x[2]) </intension>", lambda x: x[0] * x[1] == x[2]),
        (ARRAY, "<intension> eq(dist(x[0],x[1]),1) </intension>", lambda x: abs(x[0] - x[1]) == 1),
        (
            ARRAY,
            "<intension> eq(if(eq(x[0],0),max(x[1],x[2]),min(x[1],x[2])),1) </intension>",
            lambda x: (max(x[1], x[2]) if x[0] == 0 else min(x[1], x[2])) == 1,
        ),
        (ARRAY, "<intension> eq(mod(x[0],2),div(x[1],2)) </intension>", lambda x: x[0] % 2 == x[1] // 2),
        (ARRAY, "<intension> ge(abs(neg(x[0])),x[1]) </intension>", lambda x: x[0] >= x[1]),
        (
            ARRAY,
            "<extension><list> x[0] x[2] </list><supports> (0,1)(2,*) </supports></extension>",
            lambda x: (x[0], x[2]) == (0, 1) or x[0] == 2,
        ),
        (
            ARRAY,
            "<extension><list> x[1..2] </list><conflicts> (1,1)(*,0) </conflicts></extension>",
            lambda x: (x[1], x[2]) != (1, 1) and x[2] != 0,
        ),
        (
            ARRAY,
            "<extension><list> x[1] </list><supports> 0 2..2 </supports></extension>",
            lambda x: x[1] != 1,
        ),
        (
            ARRAY,
            "<sum><list> x[] </list><coeffs> 1 2 -1 </coeffs><condition> (ge,2) </condition></sum>",
            lambda x: x[0] + 2 * x[1] - x[2] >= 2,
        ),
        (
            ARRAY,
            "<sum><list> x[0..1] </list><condition> (eq,x[2]) </condition></sum>",
            lambda x: x[0] + x[1] == x[2],
        ),
        (
            ARRAY,
            "<sum><list> x[] </list><condition> (in,2..3) </condition></sum>",
            lambda x: 2 <= sum(x) <= 3,
        ),
        (ARRAY, "<allDifferent> x[] </allDifferent>", lambda x: len(set(x)) == 3),
        (ARRAY, "<allDifferent><list> x[0] x[2] </list></allDifferent>", lambda x: x[0] != x[2]),
        (
            ARRAY,
            "<group><intension> lt(%0,%1) </intension><args> x[0] x[1] </args><args> x[1] 2 </args></group>",
            lambda x: x[0] < x[1] < 2,
        ),
        (
            ARRAY,
            "<block><group><extension><list> %0 %1 </list><supports> (0,1)(1,2) </supports></extension>"
            "<args> x[0] x[1] </args><args> x[1] x[2] </args></group></block>",
            lambda x: x in ((0, 1, 2),),
        ),
        (
            ARRAY,
            "<group><sum><list> %... </list><condition> (le,%0) </condition></sum><args> 1 x[0] x[1] </args></group>",
            lambda x: x[0] + x[1] <= 1,
        ),
        (
            ARRAY,
            "<group><intension> ge(add(%...),%0) </intension><args> x[2] x[0] x[1] </args></group>",
            lambda x: x[0] + x[1] >= x[2],
        ),
        *NEW_CONSTRAINTS,
    ],
)
def test_each_supported_constraint_counts_like_its_meaning(
    variables: str, constraints: str, predicate: Callable[[tuple[int, ...]], bool]
) -> None:
    """One supported constraint has the solutions of its meaning: exhaustive backend, enumeration, diagram."""
    problem = parse_xcsp3(_doc(variables, constraints))
    expected = sum(1 for x in itertools.product(DOMAINS[variables], repeat=3) if predicate(x))
    assert _exhaustive(problem) == _brute(problem) == operations.count(problem) == expected


@needs_ganak
@pytest.mark.parametrize(("variables", "constraints", "predicate"), NEW_CONSTRAINTS)
def test_global_constraints_count_alike_through_cnf_and_portfolio(
    variables: str, constraints: str, predicate: Callable[[tuple[int, ...]], bool]
) -> None:
    """Ganak's #SAT count of the CNF and the portfolio agree with the meaning of the global constraint."""
    problem = parse_xcsp3(_doc(variables, constraints))
    expected = sum(1 for x in itertools.product(DOMAINS[variables], repeat=3) if predicate(x))
    assert ganak_count(problem) == count_portfolio(problem).count == expected


def _holds(op: str, value: int, operand: int) -> bool:
    return {
        "lt": value < operand,
        "le": value <= operand,
        "ge": value >= operand,
        "gt": value > operand,
        "eq": value == operand,
        "ne": value != operand,
    }[op]


@given(
    st.lists(st.integers(0, 2), min_size=1, max_size=4),
    st.lists(st.integers(-1, 3), min_size=1, max_size=3),
    st.sampled_from(["lt", "le", "ge", "gt", "eq", "ne", "in", "notin", "var"]),
    st.integers(-1, 4),
    st.integers(0, 3),
)
def test_count_agrees_with_brute_force_on_random_lists(
    cells: list[int], values: list[int], op: str, k: int, width: int
) -> None:
    """A count over random lists, values and conditions has the solutions of a direct Python count."""
    condition = {"in": f"(in,{k}..{k + width})", "notin": f"(notin,{k}..{k + width})", "var": "(ne,x[2])"}
    text = condition.get(op, f"({op},{k})")
    listed = " ".join(f"x[{i}]" for i in cells)
    wanted = " ".join(map(str, values))
    problem = parse_xcsp3(
        _doc(
            ARRAY,
            f"<count><list> {listed} </list><values> {wanted} </values><condition> {text} </condition></count>",
        )
    )

    def meaning(x: tuple[int, ...]) -> bool:
        n = sum(1 for i in cells if x[i] in values)
        if op == "in":
            return k <= n <= k + width
        if op == "notin":
            return not k <= n <= k + width
        return n != x[2] if op == "var" else _holds(op, n, k)

    assert _brute(problem) == sum(1 for x in itertools.product(range(3), repeat=3) if meaning(x))


def test_variables_arrays_and_domains() -> None:
    """Single variables, as=, 2-D arrays row-major, <domain for> per cell, ranges and lists map onto Variables."""
    variables = (
        '<var id="a"> -1 3..4 </var><var id="b" as="a"/>' + GRID + '<array id="h" size="[3]">'
        '<domain for="h[0] h[2]"> 5 </domain><domain for="others"> 0..1 </domain></array>'
    )
    problem = parse_xcsp3(_doc(variables, "<allDifferent> g[0][] </allDifferent>"))
    assert [(v.name, v.domain) for v in problem.variables] == [
        ("a", (-1, 3, 4)),
        ("b", (-1, 3, 4)),
        ("g[0][0]", (0, 1)),
        ("g[0][1]", (0, 1)),
        ("g[1][0]", (0, 1)),
        ("g[1][1]", (0, 1)),
        ("h[0]", (5,)),
        ("h[1]", (0, 1)),
        ("h[2]", (5,)),
    ]
    assert _exhaustive(problem) == 9 * 2 * 4 * 2
    column = parse_xcsp3(_doc(GRID, "<allDifferent> g[][1] </allDifferent>"))
    assert column.constraints[0].expr.args[0].terms == ((1, "g[0][1]"), (-1, "g[1][1]"))  # type: ignore[union-attr]


def test_ids_kinds_and_meta() -> None:
    """Constraints keep their id or are numbered; group members are id[i]; tables are kind 'table'."""
    text = _doc(
        ARRAY,
        '<intension id="first"> le(x[0],1) </intension><group><intension> ne(%0,%1) </intension>'
        "<args> x[0] x[1] </args><args> x[1] x[2] </args></group>"
        "<extension><list> x[0] </list><supports> 0 </supports></extension>",
    )
    problem = parse_xcsp3(text, source="m.xml", name="m")
    assert [(c.id, c.kind) for c in problem.constraints] == [
        ("first", "intension"),
        ("c2[0]", "intension"),
        ("c2[1]", "intension"),
        ("c3", "table"),
    ]
    assert problem.constraints[0].expr == Lit("x[0]", frozenset({0, 1}))
    assert problem.constraints[3].expr == Table(("x[0]",), ((0,),))
    assert problem.name == "m" and problem.meta["format"] == "XCSP3" and problem.meta["source"] == "m.xml"


def test_numbered_ids_skip_the_ids_the_file_names() -> None:
    """An unnamed constraint never takes a number another constraint of the file is named by, even later."""
    text = _doc(
        ARRAY,
        "<intension> le(x[0],1) </intension>"
        '<intension id="c4"> le(x[1],1) </intension>'
        "<intension> le(x[2],1) </intension>"
        "<intension> ne(x[0],x[1]) </intension>"
        '<intension id="c2"> ne(x[1],x[2]) </intension>',
    )
    assert [c.id for c in parse_xcsp3(text).constraints] == ["c1", "c4", "c3", "c5", "c2"]


@pytest.mark.parametrize(
    ("constraints", "message"),
    [
        (
            "\n<circuit> x[] </circuit>",
            r"m\.xml:7: <circuit>: expected one of <intension>, .*\(not supported\)",
        ),
        (
            "<intension> eq(x[0],pow(x[1],2)) </intension>",
            r"m\.xml:6: <intension>: expected an operator among",
        ),
        (
            "<intension> eq(x[0],y) </intension>",
            r"m\.xml:6: <intension>: expected a declared variable, found 'y'",
        ),
        ("<intension> eq(x[0] x[1]) </intension>", r"m\.xml:6: <intension>: expected ','"),
        (
            "<extension><list> x[0] x[1] </list><supports> (0,1)(2) </supports></extension>",
            r"m\.xml:6: <supports>",
        ),
        (
            "<extension><list> x[0] x[5] </list><supports/></extension>",
            r"m\.xml:6: .*within 0\.\.2 of array 'x'",
        ),
        (
            "<sum><list> x[] </list><condition> (in,{1,2}) </condition></sum>",
            r"m\.xml:6: <condition>: expected",
        ),
        (
            "<allDifferent><list> x[] </list><except> x[1] </except></allDifferent>",
            r"m\.xml:6: <except>: expected an integer in the excepted values, found 'x\[1\]'",
        ),
        (
            "<count><list> x[] </list><values> 1 </values></count>",
            r"m\.xml:6: <count>: expected one <condition>, found 0",
        ),
        (
            "<nValues><list> x[] </list></nValues>",
            r"m\.xml:6: <nValues>: expected one <condition>, found 0",
        ),
        (
            "<count><list> x[] </list><values> 1 </values>\n<condition> (foo,1) </condition></count>",
            r"m\.xml:7: <condition>: expected \(op,operand\) with op among eq, ne, lt, le, gt, ge, in, notin",
        ),
        (
            "<maximum><list> x[] </list><condition> (in,2..1) </condition></maximum>",
            r"m\.xml:6: <condition>: expected a range low\.\.high with low <= high",
        ),
        (
            "<minimum><list> x[] </list><condition> (eq,x[]) </condition></minimum>",
            r"m\.xml:6: <condition>: expected one integer or variable as the operand",
        ),
        (
            "<instantiation><list> x[] </list><values> 1 2 </values></instantiation>",
            r"m\.xml:6: <instantiation>: expected 3 values in <values>, one per variable of <list>; found 2",
        ),
        (
            "<cardinality><list> x[] </list><values> 0 1 </values><occurs> 1 </occurs></cardinality>",
            r"m\.xml:6: <cardinality>: expected 2 entries in <occurs>, one per value of <values>; found 1",
        ),
        (
            '<cardinality><list> x[] </list><values closed="yes"> 0 </values><occurs> 1 </occurs></cardinality>',
            r"m\.xml:6: <values>: expected closed='true' or 'false', found 'yes'",
        ),
        (
            "<ordered><list> x[] </list><operator> eq </operator></ordered>",
            r"m\.xml:6: <operator>: expected an operator among lt, le, ge, gt; found 'eq' \(not supported\)",
        ),
        (
            '<ordered case="monotone"> x[] </ordered>',
            r"m\.xml:6: <ordered>: expected case among increasing, .*found 'monotone' \(not supported\)",
        ),
        (
            "<ordered><list> x[] </list><lengths> 1 </lengths><operator> le </operator></ordered>",
            r"m\.xml:6: <ordered>: expected 2 or 3 lengths in <lengths>, found 1",
        ),
        (
            "<minimum><list> x[] </list><index> x[0] </index><condition> (eq,1) </condition></minimum>",
            r"m\.xml:6: <minimum>: expected <list> and <condition>, found <index> .*not supported",
        ),
        ("<clause> x[0] not(x[1]) </clause>", r"m\.xml:6: <clause>: expected 0/1 variables in a clause"),
        (
            "<element><list> x[0] x[1] </list><index> x[2] </index></element>",
            r"m\.xml:6: <element>: expected one",
        ),
        (
            '<element><list> x[0] x[1] </list><index rank="first"> x[2] </index><value> 1 </value></element>',
            r"m\.xml:6: <index>: expected rank='any', found 'first' \(not supported\)",
        ),
        (
            "<element><list> x[0] x[1] </list><index> 2 </index><value> 1 </value></element>",
            r"m\.xml:6: <index>: expected an index within 0\.\.1, found 2",
        ),
        (
            "<element><matrix> (x[0],x[1]) </matrix><index> x[2] </index><value> 1 </value></element>",
            r"m\.xml:6: <matrix>: expected only <list>, <index>, <value>, <condition> in <element>",
        ),
        ("<group><intension> lt(%0,%2) </intension>\n<args> x[0] x[1] </args></group>", r"m\.xml:7: <args>"),
        (
            "<group><circuit/></group>",
            r"m\.xml:6: <group>: expected a template <intension>, .*<element> first, then <args>; found <circuit>",
        ),
    ],
)
def test_unsupported_or_malformed_constraints_name_file_line_element(constraints: str, message: str) -> None:
    """Each refused construct raises ModelFormatError naming file:line, the element and what is expected."""
    with pytest.raises(ModelFormatError, match=message):
        parse_xcsp3(_doc(ARRAY, constraints), source="m.xml")


@pytest.mark.parametrize(
    "tag", ["regular", "mdd", "channel", "noOverlap", "cumulative", "circuit", "lex", "stretch"]
)
def test_still_unsupported_constraints_are_refused_with_the_supported_list(tag: str) -> None:
    """A constraint outside the subset is refused with file:line, its name and every supported element."""
    supported = ", ".join(f"<{t}>" for t in CONSTRAINTS)
    with pytest.raises(ModelFormatError) as refused:
        parse_xcsp3(_doc(ARRAY, f"\n<{tag}><list> x[] </list></{tag}>"), source="m.xml")
    assert (
        str(refused.value) == f"m.xml:7: <{tag}>: expected one of {supported}; found <{tag}> (not supported)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _doc('<var id="s" type="symbolic"> a b </var>', ""),
            r"m\.xml:3: <var> 's': expected integer variables",
        ),
        (_doc(ARRAY, "").replace('type="CSP"', 'type="COP"'), r"m\.xml:1: <instance>: expected type='CSP'"),
        (_doc(ARRAY, "").replace("</instance>", "<objectives/></instance>"), r"m\.xml:8: <objectives>"),
        ('<instance><presentation format="XCSP 2.1"/></instance>', r"expected format='XCSP3', found None"),
        (_doc('<array id="x" size="[0]"> 1 </array>', ""), r"m\.xml:3: <array> 'x': expected positive"),
        (
            _doc(ARRAY, "<intension> eq(mul(x[0],x[1],x[2]),1) </intension>").replace("0..2", "0..99"),
            r"m\.xml:6: <intension>: expected linear arithmetic, or a scope of at most 100000 tuples",
        ),
    ],
)
def test_unsupported_documents_name_file_line(text: str, message: str) -> None:
    """Non-integer variables, optimisation, unknown sections and huge non-linear scopes are refused."""
    with pytest.raises(ModelFormatError, match=message):
        parse_xcsp3(text, source="m.xml")


@pytest.mark.parametrize(
    "prolog",
    ['<!DOCTYPE instance [<!ENTITY e "1">]>\n', '<!DOCTYPE instance SYSTEM "http://example.com/x.dtd">\n'],
)
def test_doctype_and_entities_are_refused(tmp_path: Path, prolog: str) -> None:
    """A DOCTYPE (with or without entities) is refused with file:line, also through load_model."""
    file = tmp_path / "m.xml"
    file.write_text(prolog + _doc(ARRAY, ""), encoding="utf-8")
    with pytest.raises(ModelFormatError, match=r"m\.xml:1: XML document type declarations"):
        load_xcsp3(file)
    with pytest.raises(ModelFormatError, match=r"m\.xml:1: XML document type declarations"):
        load_model(file)


def test_load_model_tells_xcsp3_from_xcsp21_plain_and_compressed(tmp_path: Path) -> None:
    """load_model reads XCSP3 by its root element, .xml and .xml.xz alike; XCSP 2.1 .xml.xz goes to that reader."""
    text = _doc(ARRAY, "<allDifferent> x[] </allDifferent>")
    plain, packed = tmp_path / "m.xml", tmp_path / "m.xml.xz"
    plain.write_text(text, encoding="utf-8")
    packed.write_bytes(lzma.compress(text.encode()))
    for file in (plain, packed):
        problem = load_model(file)
        assert (problem.name, problem.meta["format"], _exhaustive(problem)) == ("m", "XCSP3", 6)
    old = tmp_path / "old.xml.xz"
    old.write_bytes(
        lzma.compress(
            b'<instance><presentation format="XCSP 2.1" name="old"/><domains><domain name="D">0..2</domain>'
            b'</domains><variables><variable name="v" domain="D"/></variables><constraints/></instance>'
        )
    )
    assert (load_model(old).meta["format"], load_model(old).size()) == ("XCSP 2.1", 3)


def test_count_and_convert_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The count command reads XCSP3; convert writes a catalog, named without .xml.xz, that counts the same."""
    model = tmp_path / "m.xml.xz"
    text = _doc(
        ARRAY,
        "<intension> lt(x[0],x[1]) </intension><sum><list> x[] </list><condition> (le,3) </condition></sum>",
    )
    model.write_bytes(lzma.compress(text.encode()))
    out = tmp_path / "m.yaml"
    assert main(["convert", str(model), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("catalog: m\n")  # the id drops .xml.xz
    capsys.readouterr()
    assert main(["count", str(model)]) == 0
    original = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["count", str(out)]) == 0
    expected = sum(1 for x in itertools.product(range(3), repeat=3) if x[0] < x[1] and sum(x) <= 3)
    assert capsys.readouterr().out.strip().splitlines()[-1] == original == str(expected)


def test_renault_mod_00_matches_the_documented_sizes() -> None:
    """RenaultMod-00 loads with the SOURCES.md sizes: 111 variables, 111 unary bounds, 147 tables of 199,057 tuples."""
    problem = load_model(bench_file("renault-xcsp3-concrete", "RenaultMod-00.xml.xz"))
    assert problem.meta["format"] == "XCSP3" and problem.name == "RenaultMod-00"
    assert len(problem.variables) == 111 and {v.domain for v in problem.variables} == {tuple(range(42))}
    tables = [c.expr for c in problem.constraints if isinstance(c.expr, Table)]
    bounds = [c.expr for c in problem.constraints if isinstance(c.expr, Lit)]
    assert (len(tables), len(bounds), len(problem.constraints)) == (147, 111, 258)
    assert sum(len(t.rows) for t in tables) == 199_057 and all(t.allowed for t in tables)


@pytest.mark.slow
def test_renault_mod_00_count() -> None:
    """The decision diagram counts RenaultMod-00 as independent table elimination did."""
    problem = load_xcsp3(bench_file("renault-xcsp3-concrete", "RenaultMod-00.xml.xz"))
    assert operations.count(problem, time_limit=600) == RENAULT_MOD_00


def test_converted_catalog_opens_a_session_that_counts_the_same(tmp_path: Path) -> None:
    """An XCSP3 model converted to a catalog gives a configuration session with the same solutions."""
    from configurator.catalog.loader import load_catalog
    from configurator.io import dump_problem_catalog
    from configurator.solver.session import ConfigurationSession

    text = _doc(
        ARRAY,
        "<allDifferent> x[] </allDifferent><extension><list> x[0] x[1] </list>"
        "<supports> (0,1)(1,2)(2,0)(1,0) </supports></extension><intension> ne(x[2],2) </intension>",
    )
    problem = parse_xcsp3(text, name="tiny")
    out = tmp_path / "tiny.yaml"
    out.write_text(dump_problem_catalog(problem, catalog_id="tiny"), encoding="utf-8")
    session = ConfigurationSession(load_catalog(out))
    solutions = [
        x for x in itertools.permutations(range(3)) if x[:2] in ((0, 1), (1, 2), (2, 0), (1, 0)) and x[2] != 2
    ]
    assert session.count() == operations.count(problem) == len(solutions) == 2
    session.select("x_0", "v1")
    assert session.count() == sum(1 for x in solutions if x[0] == 1) == 1


@pytest.mark.slow
def test_renault_mod_00_converts_to_a_catalog_within_the_loader_limits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`convert` writes RenaultMod-00 as a catalog under the 8 MiB limit that loads and counts the same."""
    from configurator.catalog.yamlsource import MAX_BYTES

    out = tmp_path / "renault-mod-00.yaml"
    model = bench_file("renault-xcsp3-concrete", "RenaultMod-00.xml.xz")
    assert main(["convert", str(model), "-o", str(out)]) == 0
    assert out.stat().st_size < MAX_BYTES
    capsys.readouterr()
    assert main(["count", str(out)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(RENAULT_MOD_00)
