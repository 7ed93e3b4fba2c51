"""FeatureIDE XML import: tiny models checked by brute force, errors with locations, the extended examples."""

from __future__ import annotations

import time

import pytest

from configurator.errors import ModelFormatError
from configurator.io.featureide import load_featureide, parse_featureide
from configurator.io.featuremodel import selected
from configurator.io.uvl import dump_uvl, parse_uvl
from configurator.solver.problem import And, Iff, Implies, Not, Or, Problem
from support import bench_file

EXAMPLES = "featureide-examples/ExtendedFeatureModeling"
"""The FeatureIDE extended examples inside the benchmark data folder."""


def solutions(problem: Problem) -> set[tuple[int, ...]]:
    """The valid assignments of a tiny problem, as value tuples in variable order."""
    return {tuple(a[n] for n in problem.names) for a in problem.assignments() if problem.check(a)}


def document(struct: str, rules: str = "", root: str = "featureModel") -> str:
    """A FeatureIDE document around a struct body and rules."""
    return f"<{root}>\n<struct>\n{struct}\n</struct>\n<constraints>\n{rules}\n</constraints>\n</{root}>\n"


PHONE = document(
    """<and abstract="true" mandatory="true" name="Phone">
  <description>A phone</description>
  <alt mandatory="true" name="Screen"><feature name="Basic"/><feature name="HD"/></alt>
  <or name="Media"><feature name="Camera"/><feature name="MP3"/></or>
  <feature mandatory="true" name="Calls" hidden="true"/>
</and>""",
    """<rule><imp><var>Camera</var><var>HD</var></imp></rule>
<rule><description>no mp3 on basic</description><not><conj><var>MP3</var><var>Basic</var></conj></not></rule>""",
)


def test_phone_counts_by_brute_force() -> None:
    """and/alt/or structure, a mandatory leaf and two rules give the expected configurations."""
    model = parse_featureide(PHONE, "phone.xml")
    problem = model.to_problem()
    assert problem.names == ("Phone", "Screen", "Basic", "HD", "Media", "Camera", "MP3", "Calls")
    # Basic: no media (Camera needs HD, MP3 excluded) -> 1; HD: media absent or any non-empty subset -> 4
    assert len(solutions(problem)) == 5
    assert model.root.abstract and model.meta["hidden"] == ("Calls",)
    assert model.meta["descriptions"] == {"Phone": "A phone"}
    assert [g.kind for g in model.root.groups] == ["mandatory", "optional", "mandatory"]
    assert [c.id for c in problem.constraints if c.kind == "cross-tree"] == ["ctc:1", "ctc:2"]


@pytest.mark.parametrize(
    ("rule", "expected", "count"),
    [
        ("<var>A</var>", selected("A"), 4),
        ("<not><var>A</var></not>", Not(selected("A")), 4),
        ("<imp><var>A</var><var>B</var></imp>", Implies(selected("A"), selected("B")), 6),
        ("<eq><var>A</var><var>B</var></eq>", Iff(selected("A"), selected("B")), 4),
        ("<conj><var>A</var><var>B</var></conj>", And((selected("A"), selected("B"))), 2),
        (
            "<disj><var>A</var><var>B</var><var>C</var></disj>",
            Or((selected("A"), selected("B"), selected("C"))),
            7,
        ),
        ("<atmost1><var>A</var><var>B</var><var>C</var></atmost1>", None, 4),
    ],
)
def test_rule_elements(rule: str, expected: object, count: int) -> None:
    """Each rule element maps to its formula and keeps the right share of the 8 combinations of A, B, C."""
    struct = '<and name="R"><feature name="A"/><feature name="B"/><feature name="C"/></and>'
    model = parse_featureide(document(struct, f"<rule>{rule}</rule>"))
    if expected is not None:
        assert model.constraints[0].formula == expected
    assert len(solutions(model.to_problem())) == count


def test_extended_attributes_are_typed_data() -> None:
    """``<attribute>`` values are converted by type and kept with their unit and flags."""
    struct = """<and name="R">
  <attribute name="Price" type="double" unit="EUR" recursive="true" configurable="false"/>
  <feature name="A"><attribute name="Price" type="double" value="2.5"/><attribute name="N" type="long" value="3"/></feature>
  <feature name="B"><attribute name="Eco" type="boolean" value="true"/><attribute name="Tag" type="string" value="x"/></feature>
</and>"""
    model = parse_featureide(document(struct, root="extendedFeatureModel"))
    assert model.root.attributes == {
        "Price": {"type": "double", "unit": "EUR", "recursive": True, "configurable": False}
    }
    assert model.feature("A").attributes == {
        "Price": {"type": "double", "value": 2.5},
        "N": {"type": "long", "value": 3},
    }
    assert model.feature("B").attributes["Eco"] == {"type": "boolean", "value": True}
    assert model.attribute_values("Price") == {"A": 2.5}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            document('<and name="R"><feature name="A"/></and>', "<rule><var>Z</var></rule>"),
            r"f\.xml:6: unknown feature 'Z'",
        ),
        (
            document('<and name="R"><feature name="Abc"/></and>', "<rule><var>Abd</var></rule>"),
            r"did you mean 'Abc'",
        ),
        (
            document('<and name="R"><feature name="A"><feature name="B"/></feature></and>'),
            r"f\.xml:3: <feature name='A'> cannot have child",
        ),
        (document('<and name="R"><feature/></and>'), r"f\.xml:3: <feature> has no name"),
        (
            document('<and name="R"><feature name="A"/><feature name="A"/></and>'),
            r"f\.xml:3: duplicate feature name 'A'",
        ),
        (
            document('<and name="R"/><and name="S"/>'),
            r"f\.xml:2: <struct> must hold exactly one root feature, found 2",
        ),
        (
            document('<and name="R"><feature name="A"/></and>', "<rule><var>A</var><var>A</var></rule>"),
            r"f\.xml:6: <rule> must hold exactly one formula",
        ),
        (
            document('<and name="R"><feature name="A"/></and>', "<rule><imp><var>A</var></imp></rule>"),
            r"f\.xml:6: <imp> takes 2 operand",
        ),
        (
            document('<and name="R"><feature name="A"/></and>', "<rule><xor><var>A</var></xor></rule>"),
            r"unknown formula element <xor>",
        ),
        (
            document('<and name="R"><attribute name="P" type="double" value="cheap"/></and>'),
            r"f\.xml:3: attribute value 'cheap' is not a double",
        ),
        (
            document('<and name="R"><attribute name="P" type="boolean" value="yes"/></and>'),
            r"is not a boolean",
        ),
        ("<featureModel><constraints/></featureModel>", r"f\.xml:1: <featureModel> has no <struct>"),
        ("<model/>", r"f\.xml:1: expected a <featureModel> or <extendedFeatureModel> root"),
        ("<featureModel><struct></featureModel>", r"f\.xml:1:\d+: malformed XML: mismatched tag"),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n<featureModel/>',
            r"f\.xml:2: XML document type declarations \(DOCTYPE\) are not accepted",
        ),
    ],
)
def test_malformed_featureide_names_file_and_line(doc: str, message: str) -> None:
    """Malformed documents, unknown names, entity tricks and bad values raise ModelFormatError with file:line."""
    with pytest.raises(ModelFormatError, match=message):
        parse_featureide(doc, "f.xml")


@pytest.mark.parametrize(
    ("name", "features", "rules"), [("BikeConfigurator", 55, 0), ("PcConfigurator", 377, 12)]
)
def test_extended_examples_parse_with_the_documented_counts(name: str, features: int, rules: int) -> None:
    """The Bike and PC extended models parse with their SOURCES.md counts and a Price on every feature."""
    path = bench_file(EXAMPLES, name, "model.xml")
    start = time.perf_counter()
    model = load_featureide(path)
    elapsed = time.perf_counter() - start
    problem = model.to_problem()
    assert len(problem.variables) == features and len(model.constraints) == rules
    assert all("Price" in f.attributes for f in model.features())
    assert elapsed < 2


def test_bike_example_prices() -> None:
    """Prices of the Bike configurator come out per feature (features without a value are left out)."""
    model = load_featureide(bench_file(EXAMPLES, "BikeConfigurator", "model.xml"))
    prices = model.attribute_values("Price")
    assert prices["Steel"] == 1089.0 and prices["Steel/Titanimum"] == 1914.0
    assert "Black" not in prices
    assert model.feature("Steel").attributes["Price"] == {
        "configurable": True,
        "recursive": True,
        "type": "double",
        "unit": "€",
        "value": 1089.0,
    }


def test_nested_pairwise_chains_are_flattened() -> None:
    """FeatureIDE writes long disjunctions as nested pairs; they become one n-ary Or."""
    struct = '<and name="R"><feature name="A"/><feature name="B"/><feature name="C"/></and>'
    rule = "<rule><disj><var>A</var><disj><var>B</var><var>C</var></disj></disj></rule>"
    model = parse_featureide(document(struct, rule))
    assert model.constraints[0].formula == Or((selected("A"), selected("B"), selected("C")))


def test_pc_example_survives_export_to_uvl() -> None:
    """The PC model (names with dots, spaces, slashes) exported to UVL re-imports to the same Problem."""
    model = load_featureide(bench_file(EXAMPLES, "PcConfigurator", "model.xml"))
    again = parse_uvl(dump_uvl(model), "pc.uvl")
    original, reparsed = model.to_problem(), again.to_problem()
    assert reparsed.variables == original.variables
    assert reparsed.constraints == original.constraints
    assert [f.attributes for f in again.features()] == [f.attributes for f in model.features()]
