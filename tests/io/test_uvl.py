"""UVL import/export: tiny models checked by brute force, errors with locations, real files, round trip."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.errors import ModelFormatError
from configurator.io.featuremodel import (
    AttributeValue,
    CrossTreeConstraint,
    Feature,
    FeatureModel,
    Group,
    GroupKind,
    selected,
)
from configurator.io.uvl import dump_uvl, load_uvl, parse_uvl
from configurator.solver.problem import And, BoolExpr, Const, Iff, Implies, Linear, Lit, Not, Or, Problem
from support import bench_file

CAR = """\
namespace Cars

features
    Car {abstract}
        mandatory
            Engine
                alternative
                    Petrol
                    Electric
        optional
            Turbo
constraints
    Turbo => Petrol
"""


def solutions(problem: Problem) -> set[tuple[int, ...]]:
    """The valid assignments of a tiny problem, as value tuples in variable order."""
    return {tuple(a[n] for n in problem.names) for a in problem.assignments() if problem.check(a)}


def count(text: str, **kwargs: Any) -> int:
    """The number of valid configurations of a UVL text, by brute force."""
    return len(solutions(parse_uvl(text, **kwargs).to_problem()))


def group_model(group: str) -> str:
    """A root with one group of three children."""
    return f"features\n  R\n    {group}\n      A\n      B\n      C\n"


# --- tiny models, brute force ---------------------------------------------------------------------------
def test_car_model_has_three_configurations() -> None:
    """A 5-feature model with an alternative group and a constraint has exactly its 3 configurations."""
    model = parse_uvl(CAR, "car.uvl")
    problem = model.to_problem()
    assert problem.names == ("Car", "Engine", "Petrol", "Electric", "Turbo")
    assert solutions(problem) == {(1, 1, 1, 0, 0), (1, 1, 1, 0, 1), (1, 1, 0, 1, 0)}
    assert model.name == "Cars" and model.root.abstract
    assert [c.id for c in problem.constraints][-2:] == ["tree:Engine:alternative", "ctc:1"]


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("mandatory", 1),
        ("optional", 8),
        ("or", 7),
        ("alternative", 3),
        ("[2..3]", 4),
        ("[2]", 3),
        ("[0..1]", 4),
        ("[1..*]", 7),
        ("[0..*]", 8),
        ("[4..5]", 0),
    ],
)
def test_group_kinds_count_by_brute_force(group: str, expected: int) -> None:
    """Each group kind over three children admits the number of child sets its semantics says."""
    assert count(group_model(group)) == expected


def test_several_groups_under_one_feature() -> None:
    """A feature may have several groups; their constraints get distinct ids."""
    text = "features\n  R\n    or\n      A\n      B\n    or\n      C\n      D\n    optional\n      E\n"
    problem = parse_uvl(text).to_problem()
    assert len(solutions(problem)) == 3 * 3 * 2
    assert {"tree:R:or", "tree:R:or#2"} <= {c.id for c in problem.constraints}


def test_deep_tree_child_implies_parent() -> None:
    """Optional children need their parent; mandatory ones follow it."""
    text = "features\n  R\n    optional\n      A\n        mandatory\n          B\n        optional\n          C\n"
    assert solutions(parse_uvl(text).to_problem()) == {(1, 0, 0, 0), (1, 1, 1, 0), (1, 1, 1, 1)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A | B & C", Or((selected("A"), And((selected("B"), selected("C")))))),
        ("!A & B", And((Not(selected("A")), selected("B")))),
        ("A => B => C", Implies(Implies(selected("A"), selected("B")), selected("C"))),
        ("A <=> B => C", Iff(selected("A"), Implies(selected("B"), selected("C")))),
        ("A & B & C", And((selected("A"), selected("B"), selected("C")))),
        ("A | (B | C)", Or((selected("A"), Or((selected("B"), selected("C")))))),
        ("!(A | B)", Not(Or((selected("A"), selected("B"))))),
        ("!!A", Not(Not(selected("A")))),
    ],
)
def test_constraint_precedence(text: str, expected: BoolExpr) -> None:
    """! binds tighter than &, then |, =>, <=>; binary operators associate to the left."""
    model = parse_uvl(group_model("optional") + f"constraints\n  {text}\n")
    assert model.constraints[0].formula == expected


def test_long_chains_are_flat_and_deep_nesting_is_refused() -> None:
    """A 5,000-operand chain parses into one And; nesting deeper than 200 levels is an error, not a crash."""
    base = group_model("optional") + "constraints\n  "
    chain = parse_uvl(base + " & ".join(["A", "B", "C"] * 1667) + "\n").constraints[0].formula
    assert isinstance(chain, And) and len(chain.args) == 5001
    for deep in ("!" * 300 + "A", "(" * 300 + "A" + ")" * 300):
        with pytest.raises(ModelFormatError, match=r"m\.uvl:8:\d+: constraint nested too deeply"):
            parse_uvl(base + deep + "\n", "m.uvl")


def test_quoted_names_attributes_and_comments() -> None:
    """Quoted names, nested attribute values, multi-line attribute blocks and comments are read."""
    text = """\
// a comment line
features
    "My Car" {abstract, Price 1.5, Tags ['a', 'b'], Nested {value -3, ok true}}
        optional /* an inline comment */
            "Seat Heater" {
                Price 120,
                Vendor 'ACME Ltd.'
            }
            Radio
constraints
    "Seat Heater" => Radio // trailing comment
"""
    model = parse_uvl(text)
    assert [f.name for f in model.features()] == ["My Car", "Seat Heater", "Radio"]
    assert model.root.attributes == {"Price": 1.5, "Tags": ["a", "b"], "Nested": {"value": -3, "ok": True}}
    assert model.feature("Seat Heater").attributes == {"Price": 120, "Vendor": "ACME Ltd."}
    assert model.attribute_values("Price") == {"My Car": 1.5, "Seat Heater": 120}
    assert count(text) == 3


def test_constraint_attributes_become_cross_tree_constraints() -> None:
    """``constraint`` and ``constraints [...]`` attributes are constraints, not data."""
    text = "features\n  R\n    optional\n      A {constraint A => B}\n      B {constraints [!C, B | C]}\n      C\n"
    model = parse_uvl(text)
    assert len(model.constraints) == 3
    assert model.feature("A").attributes == {}
    assert solutions(model.to_problem()) == {(1, 0, 1, 0), (1, 1, 1, 0)}


def test_quoted_names_may_hold_dots_and_a_bom_is_ignored() -> None:
    """A quoted name with a dot is one name (not an import reference); a UTF-8 BOM is skipped."""
    text = '\ufefffeatures\n  R\n    optional\n      "M.2 SSD"\nconstraints\n  "M.2 SSD" => R\n'
    model = parse_uvl(text)
    assert [f.name for f in model.features()] == ["R", "M.2 SSD"]
    assert model.constraints[0].formula == Implies(selected("M.2 SSD"), selected("R"))


def test_windows_line_endings_and_multiline_comments_keep_line_numbers() -> None:
    """CRLF files parse, and line numbers after a multi-line block comment stay right."""
    text = "features\r\n\tR\r\n\t\toptional\r\n\t\t\tA\r\nconstraints\r\n\tA /* x\r\n y */ => R\r\n\tZ\r\n"
    with pytest.raises(ModelFormatError, match=r"m\.uvl:8:2: unknown feature 'Z'"):
        parse_uvl(text, "m.uvl")
    assert count(text.replace("\tZ\r\n", "")) == 2


def test_include_and_boolean_type_are_accepted() -> None:
    """Language levels are kept as data and ``Boolean`` features are plain features."""
    text = "include\n  Boolean.*\n  Arithmetic.feature-cardinality\nfeatures\n  R\n    optional\n      Boolean B\n"
    model = parse_uvl(text)
    assert model.meta["include"] == ("Boolean.*", "Arithmetic.feature-cardinality")
    assert count(text) == 2


def test_imports_graft_the_submodel(tmp_path: Path) -> None:
    """An imported model's root placed in the tree brings its features (``Alias.Name``) and constraints."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Sauces.uvl").write_text(
        "features\n  Type\n    alternative\n      Ketchup\n      Mustard\nconstraints\n  Mustard => Mustard\n"
    )
    main = tmp_path / "main.uvl"
    main.write_text(
        "imports\n  sub.Sauces as Sauce\nfeatures\n  Sandwich\n    optional\n      Sauce.Type\n      Cheese\n"
        "constraints\n  Sauce.Ketchup => Cheese\n"
    )
    model = load_uvl(main)
    problem = model.to_problem()
    assert problem.names == ("Sandwich", "Sauce.Type", "Sauce.Ketchup", "Sauce.Mustard", "Cheese")
    # no sauce (cheese or not), ketchup with cheese, mustard (cheese or not)
    assert solutions(problem) == {
        (1, 0, 0, 0, 0),
        (1, 0, 0, 0, 1),
        (1, 1, 1, 0, 1),
        (1, 1, 0, 1, 0),
        (1, 1, 0, 1, 1),
    }
    assert [c.id for c in problem.constraints if c.kind == "cross-tree"] == ["ctc:1", "ctc:Sauce.1"]
    assert model.meta["imports"] == {"Sauce": "sub.Sauces"}


def test_import_errors(tmp_path: Path) -> None:
    """Missing, cyclic and unresolvable imports are reported with their location."""
    a = tmp_path / "a.uvl"
    a.write_text("imports\n  b as B\nfeatures\n  A\n    optional\n      B.Root\n")
    with pytest.raises(ModelFormatError, match=r"a\.uvl:6:7: imported model 'b' not found"):
        load_uvl(a)
    (tmp_path / "b.uvl").write_text("imports\n  a as A\nfeatures\n  Root\n    optional\n      A.A\n")
    with pytest.raises(ModelFormatError, match="import cycle"):
        load_uvl(a)
    with pytest.raises(ModelFormatError, match="without a file location"):
        parse_uvl(a.read_text(), "a.uvl")
    (tmp_path / "c.uvl").write_text('imports\n  "/etc/x" as X\nfeatures\n  C\n    optional\n      X.R\n')
    with pytest.raises(ModelFormatError, match=r"c\.uvl:6:7: import '/etc/x' must be a dotted path"):
        load_uvl(tmp_path / "c.uvl")
    with pytest.raises(ModelFormatError, match=r"must start with an imported model's alias"):
        parse_uvl("features\n  R\n    optional\n      x.Y\n")


# --- malformed input ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "features\n  R\n    optional\n      A\nconstraints\n  A => Bee\n",
            r"m\.uvl:6:8: unknown feature 'Bee'",
        ),
        ("features\n  R\n    optional\n      Apple\nconstraints\n  Aple\n", r"6:3: .*did you mean 'Apple'"),
        ("features\n  R\n    optional\n      A\n     B\n", r"m\.uvl:5:6: indentation does not match"),
        ("features\n  R\n    A\n", r"3:5: feature 'A' must be in a group"),
        ("features\n  or\n    A\n", r"2:3: group 'or' must be indented under a feature"),
        ("features\n  R\n    optional\n      A\n  S\n", r"5:3: second root feature 'S'"),
        ("features\n  R\n    optional\n      A\n      A\n", r"m\.uvl:5: duplicate feature name 'A'"),
        ("features\n  R\n    [3..1]\n      A\n", r"3:5: cardinality \[3\.\.1\] has its bounds out of order"),
        ("features\n  R\n    [1..x]\n      A\n", r"3:9: expected a whole number"),
        ("features\n  R\n    optional\n      A\nconstraints\n  (A | R\n", r"6:3: '\(' is never closed"),
        ("features\n  R\n    optional\n      A\nconstraints\n  A | R)\n", r"6:8: unbalanced '\)'"),
        ("features\n  R\n    optional\n      A\nconstraints\n  A R\n", r"6:5: expected '&', '\|'"),
        (
            "features\n  R\n    optional\n      A\nconstraints\n  A &\n",
            r"6:6: expected a feature, '!' or '\('",
        ),
        ('features\n  "R\n', r"2:3: unterminated quoted name"),
        ("features\n  R $\n", r"2:5: unexpected character '\$'"),
        ("features\n  R\n/* never closed\n", r"3:1: unterminated comment"),
        ("features\n  R {Price}}\n", r"2:12: unbalanced '}'"),
        ("features\n  R {Price &}\n", r"2:12: expected an attribute value, found '&'"),
        ("features\n  R {1 2}\n", r"2:6: expected an attribute name, found '1'"),
        ("features\n  R {a 1 2}\n", r"2:10: expected ',' or '}' after attribute 'a'"),
        ("features\n  R {abstract 3}\n", r"2:6: 'abstract' takes no value"),
        ("feature\n  R\n", r"1:1: expected 'namespace', 'include', 'imports', 'features' or 'constraints'"),
        ("features\nR\n", r"1:1: the 'features' section has no root feature \(indent it"),
        ("features\n  R\nS\n", r"3:1: expected .* found 'S' \(indent the lines of a section\)"),
        ("features\n  R\nfeatures\n  S\n", r"3:1: second 'features' section"),
        ("namespace\n", r"1:10: expected a namespace name"),
        ("constraints\n  A\n", r"m\.uvl: no 'features' section"),
        ("", r"no 'features' section"),
    ],
)
def test_malformed_uvl_names_file_line_and_column(text: str, message: str) -> None:
    """Malformed UVL raises ModelFormatError naming file:line(:column) and what is wrong."""
    with pytest.raises(ModelFormatError, match=message):
        parse_uvl(text, "m.uvl")


# --- constructs outside the Boolean core ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("declaration", "construct"),
    [
        ("Integer Size", r"4:7: unsupported construct: typed feature 'Integer Size'"),
        ("Real Ratio", r"typed feature 'Real Ratio'"),
        ('String "Vendor Name"', r"typed feature 'String Vendor Name'"),
        (
            "Wheel cardinality [1..4]",
            r"4:13: unsupported construct: feature cardinality \[1\.\.4\] on 'Wheel'",
        ),
        ("Wheel cardinality [2..*]", r"feature cardinality \[2\.\.\*\] on 'Wheel'"),
    ],
)
def test_typed_and_cardinality_features_are_strict_errors(declaration: str, construct: str) -> None:
    """Typed features and feature cardinality are outside the Boolean core: strict mode names them."""
    text = f"features\n  R\n    optional\n      {declaration}\n"
    with pytest.raises(ModelFormatError, match=construct):
        parse_uvl(text, "m.uvl")
    model = parse_uvl(text, "m.uvl", lenient=True)
    assert len(model.unsupported) == 1 and model.unsupported[0].location.startswith("m.uvl:4:")
    assert count(text, lenient=True) == 2


@pytest.mark.parametrize(
    ("constraint", "construct"),
    [
        ("sum(Price) < 10", r"m\.uvl:8:3: unsupported construct: aggregate function sum\(\.\.\.\)"),
        ("avg(Price) > 1 => A", r"aggregate function avg"),
        ("len(A) => B", r"aggregate function len"),
        ("A.Price > 3", r"8:3: unsupported construct: attribute reference 'A.Price'"),
        ("A => B == C", r"8:10: unsupported construct: arithmetic comparison '=='"),
        ("A => (B != C)", r"arithmetic comparison '!='"),
        ("A + B", r"arithmetic operator '\+'"),
        ("A.Price / 2 > 1", r"attribute reference 'A.Price'"),
        ("A / B", r"arithmetic operator '/'"),
        ("A.Price", r"attribute reference 'A.Price'"),
        ("A => 'x'", r"string 'x'"),
    ],
)
def test_arithmetic_constraints_strict_and_lenient(constraint: str, construct: str) -> None:
    """Arithmetic constraints raise in strict mode; lenient mode skips and lists them."""
    text = f"features\n  R\n    optional\n      A {{Price 3}}\n      B\n      C\nconstraints\n  {constraint}\n  A => B\n"
    with pytest.raises(ModelFormatError, match=construct):
        parse_uvl(text, "m.uvl")
    model = parse_uvl(text, "m.uvl", lenient=True)
    assert [u.action for u in model.unsupported] == ["skips the constraint"]
    assert model.unsupported[0].location.startswith("m.uvl:8:")
    assert len(model.constraints) == 1
    assert count(text, lenient=True) == 6


def test_bike_strict_error_names_the_construct() -> None:
    """bike.uvl uses typed features: strict import fails at the first with file:line:column."""
    path = bench_file("uvl-models", "bike.uvl")
    with pytest.raises(
        ModelFormatError, match=r"bike\.uvl:5:13: unsupported construct: typed feature 'String Manufacturer'"
    ):
        load_uvl(path)


def test_bike_lenient_lists_every_unsupported_construct() -> None:
    """Lenient import of bike.uvl keeps 11 features and 1 of 6 constraints, listing the 8 skipped constructs."""
    model = load_uvl(bench_file("uvl-models", "bike.uvl"), lenient=True)
    assert [(u.location.split(":", 1)[1], u.construct.split(" in ")[0]) for u in model.unsupported] == [
        ("5:13", "typed feature 'String Manufacturer'"),
        ("6:13", "typed feature 'Integer Inch'"),
        ("9:31", "feature cardinality [1..5] on 'Training Wheels'"),
        ("19:5", "aggregate function sum(...)"),
        ("20:10", "arithmetic comparison '>'"),
        ("21:5", "aggregate function sum(...)"),
        ("23:40", "arithmetic comparison '=='"),
        ("24:10", "arithmetic comparison '=='"),
    ]
    problem = model.to_problem()
    assert len(problem.variables) == 11 and len(model.constraints) == 1
    assert len(problem.meta["unsupported"]) == 8  # type: ignore[arg-type]
    assert model.feature("Training Wheels").attributes == {"Manufacturer": "Wheelio", "Price": 5}


# --- real files -----------------------------------------------------------------------------------------
REAL = [
    ("uvl-models/automotive2_4.uvl", 18616, 1369),
    ("uvl-models/linux-2.6.33.3.uvl", 6467, 3545),
    ("uvl-models/automotive01.uvl", 2513, 2833),
    ("uvl-models/aaed2000.uvl", 1298, 904),
    ("uvl-models/busybox_2010-05-02_14-17-07.uvl", 631, 681),
    ("uvl-models/berkeleydb.uvl", 76, 20),
    ("uvl-models/dm_DOPLERTools.csv.uvl", 50, 15),
    ("uvl-models/ovm_RFW.ovm.uvl", 37, 11),
    ("feature-model-benchmark/business/erp_system/Pereira2016.uvl", 1920, 59044),
    ("feature-model-benchmark/e_commerce/e_shop/Lau2006.uvl", 173, 0),
    ("featureide-examples/FeatureModels/UVLAttributedSandwich/model.uvl", 19, 0),
]


@pytest.mark.parametrize(("name", "features", "constraints"), REAL, ids=[Path(r[0]).name for r in REAL])
def test_real_uvl_files_parse_with_the_documented_counts(name: str, features: int, constraints: int) -> None:
    """Every real UVL file parses strictly, fast, with the feature/constraint counts of SOURCES.md."""
    path = bench_file(name)
    start = time.perf_counter()
    model = load_uvl(path)
    elapsed = time.perf_counter() - start
    problem = model.to_problem()
    assert len(problem.variables) == features
    assert len(model.constraints) == constraints
    assert model.unsupported == []
    assert elapsed < 15, f"{name} took {elapsed:.1f} s"


def test_sandwich_attributes_are_kept() -> None:
    """The attributed Sandwich keeps its nested attribute maps; prices come out per feature."""
    model = load_uvl(bench_file("featureide-examples/FeatureModels/UVLAttributedSandwich/model.uvl"))
    prices = model.attribute_values("Price")
    assert prices["Full Grain "] == 1.99 and prices["Chicken Breast"] == 1.39
    assert model.root.attributes["extended__"] is None
    assert model.feature("Bread").attributes["Price"] == {"type": "double", "recursive": True}


@pytest.mark.parametrize(
    "name",
    [
        "uvl-models/berkeleydb.uvl",
        "uvl-models/busybox_2010-05-02_14-17-07.uvl",
        "uvl-models/dm_DOPLERTools.csv.uvl",
        "uvl-models/ovm_RFW.ovm.uvl",
        "uvl-models/aaed2000.uvl",
        "feature-model-benchmark/e_commerce/e_shop/Lau2006.uvl",
        "featureide-examples/FeatureModels/UVLAttributedSandwich/model.uvl",
    ],
)
def test_real_files_survive_a_uvl_round_trip(name: str) -> None:
    """Exporting a real model and parsing it again gives an identical Problem."""
    model = load_uvl(bench_file(name))
    again = parse_uvl(dump_uvl(model), name)
    assert again.to_problem() == model.to_problem()
    assert [f.attributes for f in again.features()] == [f.attributes for f in model.features()]


# --- export ---------------------------------------------------------------------------------------------
def test_dump_quotes_names_and_writes_values() -> None:
    """Names that are not plain identifiers or are keywords are quoted; values keep their types."""
    root = Feature(
        "or",
        [Group("cardinality", [Feature("a b"), Feature("type")], 1, None)],
        attributes={"type": "x", "w": 1e-7, "n": -2, "ok": False, "l": [1, "z"], "m": {"v": 2.5}, "k": None},
    )
    text = dump_uvl(FeatureModel(root, [CrossTreeConstraint(Iff(selected("a b"), Not(selected("type"))))]))
    assert text == (
        "features\n"
        "    \"or\" {\"type\" 'x', w 0.0000001, n -2, ok false, l [1, 'z'], m {v 2.5}, k}\n"
        "        [1..*]\n"
        '            "a b"\n'
        '            "type"\n'
        "\n"
        "constraints\n"
        '    "a b" <=> !"type"\n'
    )
    assert parse_uvl(text).root.attributes == root.attributes


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (FeatureModel(Feature("R", attributes={"s": "it's"})), "cannot write the string"),
        (FeatureModel(Feature("R", attributes={"f": float("nan")})), "cannot write the number"),
        (FeatureModel(Feature('say "hi"')), "cannot write the name"),
        (FeatureModel(Feature("R"), [CrossTreeConstraint(Linear(((1, "R"),), "<=", 1))]), "cannot write"),
    ],
)
def test_dump_refuses_what_uvl_cannot_express(model: FeatureModel, message: str) -> None:
    """Strings with quotes, NaN, names with double quotes and linear constraints are refused."""
    with pytest.raises(ModelFormatError, match=message):
        dump_uvl(model)


def test_dump_writes_constants_through_the_root() -> None:
    """True and False (and empty And/Or) are written with the always-selected root."""
    model = FeatureModel(
        Feature("R", [Group("optional", [Feature("A")])]),
        [
            CrossTreeConstraint(Or((Const(True), selected("A")))),
            CrossTreeConstraint(Implies(selected("A"), Or(()))),
        ],
    )
    text = dump_uvl(model)
    assert "    R | A\n    A => !R\n" in text
    assert solutions(parse_uvl(text).to_problem()) == solutions(model.to_problem()) == {(1, 0)}


# --- round trip property --------------------------------------------------------------------------------
NAME_POOL = ["A", "B", "C", "Dx", "or", "x y", "Ä1", "_u", "type", "a-b", "Feature#2"]
KEY_POOL = ["Price", "Weight", "type", "x y", "note"]
scalars = (
    st.booleans()
    | st.integers(-1000, 1000)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(
        st.characters(codec="utf-8", exclude_characters="'\r\n\x85\u2028\u2029"), min_size=1, max_size=5
    )
)
values: st.SearchStrategy[AttributeValue] = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEY_POOL), inner | st.none(), max_size=2)
    ),
    max_leaves=5,
)
attributes = st.dictionaries(st.sampled_from(KEY_POOL), values | st.none(), max_size=2)


@st.composite
def formulas(draw: st.DrawFn, names: list[str], depth: int = 3) -> BoolExpr:
    """Random cross-tree formulas over ``names``: literals, constants and every connective."""
    kind = draw(
        st.sampled_from(["lit", "lit", "const"] + (["not", "and", "or", "imp", "iff"] if depth else []))
    )
    if kind == "lit":
        return Lit(draw(st.sampled_from(names)), frozenset({draw(st.integers(0, 1))}))
    if kind == "const":
        return Const(draw(st.booleans()))
    if kind == "not":
        return Not(draw(formulas(names, depth - 1)))
    if kind in ("and", "or"):
        args = tuple(draw(st.lists(formulas(names, depth - 1), max_size=3)))
        return And(args) if kind == "and" else Or(args)
    a, b = draw(formulas(names, depth - 1)), draw(formulas(names, depth - 1))
    return Implies(a, b) if kind == "imp" else Iff(a, b)


@st.composite
def feature_models(draw: st.DrawFn) -> FeatureModel:
    """Small random feature models: every group kind, attributes, abstract flags and formulas."""
    names = draw(st.lists(st.sampled_from(NAME_POOL), min_size=1, max_size=6, unique=True))
    root = Feature(names[0], abstract=draw(st.booleans()), attributes=draw(attributes))
    nodes = [root]
    kinds: list[GroupKind] = ["mandatory", "optional", "or", "alternative", "cardinality"]
    for name in names[1:]:
        parent = draw(st.sampled_from(nodes))
        reuse: bool = draw(st.booleans())
        if parent.groups and reuse:
            group = draw(st.sampled_from(parent.groups))
        else:
            group = Group(draw(st.sampled_from(kinds)))
            parent.groups.append(group)
        child = Feature(name, abstract=draw(st.booleans()), attributes=draw(attributes))
        group.children.append(child)
        nodes.append(child)
    for node in nodes:
        for group in node.groups:
            if group.kind == "cardinality":
                group.lower = draw(st.integers(0, len(group.children) + 1))
                group.upper = draw(st.none() | st.integers(group.lower, len(group.children) + 1))
    ctcs = draw(st.lists(formulas(names).map(CrossTreeConstraint), max_size=3))
    return FeatureModel(root, ctcs)


@settings(max_examples=150, deadline=None)
@given(feature_models())
def test_uvl_round_trip_keeps_problem_semantics(model: FeatureModel) -> None:
    """parse(dump(m)) has the same variables, the same solutions, attributes and abstract flags."""
    text = dump_uvl(model)
    again = parse_uvl(text)
    original, reparsed = model.to_problem(), again.to_problem()
    assert reparsed.names == original.names
    assert solutions(reparsed) == solutions(original)
    assert [(f.attributes, f.abstract) for f in again.features()] == [
        (f.attributes, f.abstract) for f in model.features()
    ]
    assert dump_uvl(again) == text
