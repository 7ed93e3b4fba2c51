"""Tests of configurator.catalog.loader: includes, sub-assemblies, located errors collected in one pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from configurator import load_catalog, validate_catalog
from configurator.errors import CatalogError
from support import Writer

HEAD = """\
catalog: bike
version: "1"
currency: EUR
locales: [en, pt]
"""

FRAME = """\
modules:
  frame:
    label: {en: Frame, pt: Quadro}
    options:
      alu: {label: {en: Aluminium, pt: Alumínio}, price: 420.00}
      carbon: {label: {en: Carbon, pt: Carbono}, price: 1190.00}
"""


def errors_of(path: Path) -> list[str]:
    """Every error line validate_catalog reports."""
    return [str(p) for p in validate_catalog(path).errors]


@pytest.fixture
def libraries(write: Writer) -> Path:
    """A catalog including lib/care.yaml, which includes shared/attrs.yaml (relative to itself)."""
    write(
        "lib/care.yaml",
        """\
        library: care
        include: [../shared/attrs.yaml]
        modules:
          care:
            label: {en: Care plan, pt: Plano}
            choose: optional
            options:
              plan: {label: {en: Plan, pt: Plano}, attrs: {cover_months: 24}}
        rules:
          - id: care-needs-frame
            requires: "care.plan -> frame.*"
        services:
          setup: {kind: advisory, label: {en: Setup, pt: Instalação}}
        """,
    )
    write("shared/attrs.yaml", "library: attrs\nattributes:\n  cover_months: {type: int}\n")
    return write(
        "bike.yaml",
        HEAD
        + "include: [lib/care.yaml]\n"
        + FRAME
        + 'rules:\n  - id: long-cover\n    constraint: "sum(cover_months) <= 36"\n',
    )


# --- includes ---------------------------------------------------------------------------------------------


def test_includes_are_merged_relative_to_the_including_file(libraries: Path) -> None:
    """Modules, attributes, rules and services of nested libraries join the catalog, libraries first."""
    catalog = load_catalog(libraries)
    assert list(catalog.modules) == ["care", "frame"]
    assert list(catalog.attributes) == ["cover_months"]
    assert [r.id for r in catalog.rules] == ["care-needs-frame", "long-cover"]
    assert list(catalog.services) == ["setup"]
    assert catalog.include == ("lib/care.yaml",)


def test_included_rules_are_checked_and_located_in_their_file(write: Writer, in_tmp: Path) -> None:
    """An error in an included library's rule names the library file and line."""
    write("lib/l.yaml", 'library: l\nrules:\n  - id: bad\n    requires: "frame.alu_x"\n')
    path = write("c.yaml", HEAD + "include: [lib/l.yaml]\n" + FRAME)
    assert errors_of(path) == [
        "lib/l.yaml:4:15: rules[0].requires: unknown option or attribute 'frame.alu_x' at column 1 of "
        "'frame.alu_x' (did you mean 'frame.alu'?)"
    ]


def test_include_cycle_is_reported_with_the_chain(write: Writer, in_tmp: Path) -> None:
    """A library including a library that includes it back is an error naming the whole chain."""
    write("lib/a.yaml", "library: a\ninclude: [b.yaml]\n")
    write("lib/b.yaml", "library: b\ninclude: [../lib/a.yaml]\n")
    path = write("c.yaml", HEAD + "include: [lib/a.yaml]\n" + FRAME)
    assert errors_of(path) == [
        "lib/b.yaml:2:11: include[0]: include cycle: lib/a.yaml -> lib/b.yaml -> lib/a.yaml"
    ]


def test_catalog_including_itself(write: Writer, in_tmp: Path) -> None:
    """A catalog that includes itself is a cycle, not an endless loop."""
    path = write("c.yaml", HEAD + "include: [c.yaml]\n" + FRAME)
    assert errors_of(path) == ["c.yaml:5:11: include[0]: include cycle: c.yaml -> c.yaml"]


def test_ids_defined_twice_name_both_places(write: Writer, in_tmp: Path) -> None:
    """A module defined in a library and in the catalog is an error at the catalog naming the library line."""
    write("lib/l.yaml", "library: l\n\nmodules:\n  frame:\n    options: {x: {}}\n")
    path = write("c.yaml", HEAD + "include: [lib/l.yaml]\n" + FRAME)
    assert (
        errors_of(path)[0]
        == "c.yaml:7:3: modules.frame: module 'frame' is defined twice (also at lib/l.yaml:4)"
    )


@pytest.mark.parametrize("section", ["attributes", "services"])
def test_attributes_and_services_defined_twice(write: Writer, in_tmp: Path, section: str) -> None:
    """Attributes and services defined in two libraries are errors naming both files."""
    body = {"attributes": "  w: {type: int}\n", "services": "  fit: {kind: advisory}\n"}[section]
    write("lib/a.yaml", f"library: a\n{section}:\n{body}")
    write("lib/b.yaml", f"library: b\n{section}:\n{body}")
    path = write("c.yaml", HEAD + "include: [lib/a.yaml, lib/b.yaml]\n" + FRAME)
    name = section[:-1]
    key = body.split(":")[0].strip()
    assert errors_of(path) == [
        f"lib/b.yaml:3:3: {section}.{key}: {name} '{key}' is defined twice (also at lib/a.yaml:3)"
    ]


def test_missing_include_suggests_a_sibling(write: Writer, in_tmp: Path) -> None:
    """A missing include is an error at the include entry, suggesting a file of that folder."""
    write("lib/warranty.yaml", "library: w\n")
    path = write("c.yaml", HEAD + "include: [lib/waranty.yaml]\n" + FRAME)
    assert errors_of(path) == [
        "c.yaml:5:11: include[0]: included file not found: lib/waranty.yaml (did you mean 'warranty.yaml'?)"
    ]


def test_include_of_a_catalog_is_refused(write: Writer, in_tmp: Path) -> None:
    """Including a catalog instead of a library says what was expected."""
    write("other.yaml", HEAD + FRAME)
    path = write("c.yaml", HEAD + "include: [other.yaml]\n" + FRAME)
    assert errors_of(path) == [
        "other.yaml:1:1: expected a module library (a mapping with 'library:'), got a catalog"
    ]


def test_errors_inside_a_library_are_reported(write: Writer, in_tmp: Path) -> None:
    """Structural errors in a library are located in the library."""
    write("lib/l.yaml", "library: l\nmodules:\n  care:\n    choose: lots\n    options: {a: {}}\n")
    path = write("c.yaml", HEAD + "include: [lib/l.yaml]\n" + FRAME)
    assert errors_of(path) == [
        "lib/l.yaml:4:13: modules.care.choose: expected exactly_one, optional, any or a mapping {min: M, max: N}, "
        "got 'lots'"
    ]


# --- sub-assemblies ---------------------------------------------------------------------------------------


def rack(write: Writer, rules: str = "") -> Path:
    """parts/rack.yaml, a small catalog used as a sub-assembly."""
    return write(
        "parts/rack.yaml",
        'catalog: rack\nversion: "1"\ncurrency: EUR\nlocales: [en]\nmodules:\n  size:\n    options: {s: {}, l: {}}\n'
        + rules,
    )


DOCK = """\
  dock:
    choose: optional
    options:
      city_rack: {price: 95.00, product: parts/rack.yaml}
"""


def test_sub_assemblies_are_loaded(write: Writer) -> None:
    """An option with product: is a sub-assembly whose catalog is loaded with the parent."""
    rack(write)
    catalog = load_catalog(write("bike.yaml", HEAD + FRAME + DOCK))
    sub = catalog.products[("dock", "city_rack")]
    assert sub.catalog == "rack"
    assert list(sub.modules["size"].options) == ["s", "l"]


def test_shared_sub_assembly_is_loaded_once(write: Writer) -> None:
    """Two options using the same product file share one loaded catalog."""
    rack(write)
    two = DOCK + "      other_rack: {product: parts/../parts/rack.yaml}\n"
    catalog = load_catalog(write("bike.yaml", HEAD + FRAME + two))
    assert catalog.products[("dock", "city_rack")] is catalog.products[("dock", "other_rack")]


def test_errors_in_a_sub_assembly_name_its_file(write: Writer, in_tmp: Path) -> None:
    """A defect inside the sub-catalog is reported with the sub-catalog's file name and line."""
    rack(write, 'rules:\n  - {id: big, requires: "size.xl"}\n')
    path = write("bike.yaml", HEAD + FRAME + DOCK)
    assert errors_of(path) == [
        "parts/rack.yaml:9:25: rules[0].requires: unknown option or attribute 'size.xl' at column 1 of 'size.xl' "
        "(did you mean 'size.l'?)"
    ]


def test_missing_sub_assembly(write: Writer, in_tmp: Path) -> None:
    """A product file that does not exist is an error at the option's product key."""
    path = write("bike.yaml", HEAD + FRAME + DOCK)
    assert errors_of(path) == [
        "bike.yaml:14:42: modules.dock.options.city_rack.product: sub-assembly catalog not found: parts/rack.yaml"
    ]


def test_sub_assembly_cycle_is_detected(write: Writer, in_tmp: Path) -> None:
    """A sub-assembly whose catalog uses the parent as a product is a cycle, reported with the chain."""
    write(
        "parts/rack.yaml",
        'catalog: rack\nversion: "1"\ncurrency: EUR\nlocales: [en]\nmodules:\n  size:\n'
        "    options: {s: {product: ../bike.yaml}}\n",
    )
    path = write("bike.yaml", HEAD + FRAME + DOCK)
    assert errors_of(path) == [
        "parts/rack.yaml:7:28: modules.size.options.s.product: include cycle: bike.yaml -> parts/rack.yaml -> bike.yaml"
    ]
    with pytest.raises(CatalogError, match="include cycle"):
        load_catalog(path)


def test_sub_assembly_must_be_a_catalog(write: Writer, in_tmp: Path) -> None:
    """A product that is a library is refused."""
    write("parts/rack.yaml", "library: rack\n")
    path = write("bike.yaml", HEAD + FRAME + DOCK)
    assert errors_of(path) == [
        "parts/rack.yaml:1:1: expected a catalog (a mapping with 'catalog:'), got a library ('library:')"
    ]


# --- text, dates, warnings --------------------------------------------------------------------------------


def test_plain_string_text_is_the_default_locale(write: Writer) -> None:
    """A plain string label is the first declared locale's text."""
    path = write(
        "c.yaml",
        'catalog: c\nversion: "1"\ncurrency: EUR\nlocales: [pt, en]\nname: Bicicleta\n'
        "modules:\n  m:\n    label: Quadro\n    options: {a: {label: Alumínio}}\n",
    )
    catalog = load_catalog(path)
    assert catalog.name == {"pt": "Bicicleta"}
    assert catalog.modules["m"].label == {"pt": "Quadro"}
    assert catalog.modules["m"].options["a"].label == {"pt": "Alumínio"}


def test_missing_translation_is_a_warning_not_an_error(write: Writer, in_tmp: Path) -> None:
    """A text without a declared locale warns (and falls back); the catalog still loads."""
    path = write("c.yaml", HEAD + "modules:\n  m:\n    label: {en: Frame}\n    options: {a: {}}\n")
    report = validate_catalog(path)
    assert report.ok and report.errors == []
    assert [str(w) for w in report.warnings] == [
        "c.yaml:7:12: modules.m.label: missing translation for pt (falls back to en)"
    ]
    assert report.warnings[0].severity == "warning"
    catalog = load_catalog(path)
    assert catalog.text(catalog.modules["m"].label, "pt") == "Frame"


def test_text_in_an_undeclared_locale_is_a_warning(write: Writer, in_tmp: Path) -> None:
    """A text in a locale the catalog does not declare warns with a suggestion."""
    path = write(
        "c.yaml",
        HEAD + "modules:\n  m:\n    label: {en: Frame, pt: Quadro, ptt: Quadro}\n    options: {a: {}}\n",
    )
    report = validate_catalog(path)
    assert report.ok
    assert [w.message for w in report.warnings] == ["text in undeclared locale 'ptt'"]
    assert report.warnings[0].hint == "did you mean 'pt'?"


def test_effective_dates_must_be_ordered(write: Writer, in_tmp: Path) -> None:
    """valid_from after valid_to is an error on modules, options and rules."""
    path = write(
        "c.yaml",
        HEAD
        + "modules:\n  m:\n    valid_from: 2027-01-01\n    valid_to: 2026-01-01\n    options: {a: {}}\n"
        + "rules:\n  - {id: r, requires: m, valid_from: 2026-02-02, valid_to: 2026-02-01}\n",
    )
    assert errors_of(path) == [
        "c.yaml:7:5: modules.m: valid_from 2027-01-01 is after valid_to 2026-01-01",
        "c.yaml:11:5: rules[0]: valid_from 2026-02-02 is after valid_to 2026-02-01",
    ]


def test_equal_effective_dates_are_fine(write: Writer) -> None:
    """A one-day validity window is allowed."""
    path = write(
        "c.yaml", HEAD + "modules:\n  m:\n    options: {a: {valid_from: 2026-01-01, valid_to: 2026-01-01}}\n"
    )
    assert load_catalog(path).modules["m"].options["a"].valid_to is not None


# --- errors collected in one pass -------------------------------------------------------------------------


def test_five_semantic_defects_are_all_reported(write: Writer, in_tmp: Path) -> None:
    """A file with five different cross-reference defects reports all five, in file order."""
    path = write(
        "c.yaml",
        HEAD
        + """\
attributes:
  weight_g: {type: int}
  colour: {type: enum, values: [black, red]}
modules:
  frame:
    default: alu_x
    options:
      alu: {attrs: {weight_g: light}}
      carbon: {attrs: {colour: blue}}
  extras:
    choose: any
    options: {bell: {}, rack: {}}
rules:
  - {id: r1, requires: "frame.steel"}
  - {id: r1, requires: "frame.alu"}
  - id: t
    table: {columns: [extras], rows: [[bell]]}
""",
    )
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert [p.message for p in caught.value.problems] == [
        "unknown option 'alu_x' in module 'frame'",
        "attribute 'weight_g': expected an int value, got 'light'",
        "attribute 'colour': expected one of black, red, got 'blue'",
        "unknown option or attribute 'frame.steel' at column 1 of 'frame.steel'",
        "rule id 'r1' is used twice (first at line 18)",
        "table column 'extras' allows 2 options; tables need modules with choose exactly_one or optional",
    ]
    assert [p.location.line for p in caught.value.problems] == [10, 12, 13, 18, 19, 21]


def test_structural_errors_are_all_reported(write: Writer, in_tmp: Path) -> None:
    """Several structural defects (types, patterns, unknown keys, missing keys) are reported together."""
    path = write(
        "c.yaml",
        """\
catalog: Bike
version: "1"
currency: EUR
locales: [en]
modules:
  frame:
    choose: {min: 2, max: 1}
    options:
      alu: {price: -1, qty: {min: 0}}
      carbon: {prize: 3}
""",
    )
    assert errors_of(path) == [
        "c.yaml:1:10: catalog: expected an id (lowercase letters, digits, '_' and '-', starting with a letter), got 'Bike'",
        "c.yaml:7:13: modules.frame.choose: choose min 2 is greater than max 1",
        "c.yaml:9:20: modules.frame.options.alu.price: expected greater than or equal to 0, got -1",
        "c.yaml:9:35: modules.frame.options.alu.qty.min: expected greater than or equal to 1, got 0",
        "c.yaml:10:16: modules.frame.options.carbon.prize: unknown key 'prize' (did you mean 'price'?)",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "c.yaml:1:1: expected a catalog (a mapping with 'catalog:'), got nothing (null)"),
        ("- a\n- b\n", "c.yaml:1:1: expected a catalog (a mapping with 'catalog:'), got a list"),
        ("just text\n", "c.yaml:1:1: expected a catalog (a mapping with 'catalog:'), got 'just text'"),
        (
            "library: x\n",
            "c.yaml:1:1: expected a catalog (a mapping with 'catalog:'), got a library ('library:')",
        ),
    ],
)
def test_not_a_catalog(write: Writer, in_tmp: Path, text: str, message: str) -> None:
    """Files that are not catalogs say what they are."""
    (in_tmp / "c.yaml").write_text(text)
    assert errors_of(in_tmp / "c.yaml") == [message]


def test_missing_catalog_file(in_tmp: Path) -> None:
    """A missing catalog file is a CatalogError naming the file."""
    with pytest.raises(CatalogError, match=r"^nope\.yaml: file not found$"):
        load_catalog("nope.yaml")
    report = validate_catalog("nope.yaml")
    assert not report.ok and report.path == "nope.yaml"


def test_loaded_catalog_is_compiled(write: Writer) -> None:
    """A loaded catalog carries its compiled rules."""
    from configurator.catalog.compiled import compiled

    path = write("c.yaml", HEAD + FRAME + "rules:\n  - {id: r, excludes: [frame.alu, frame.carbon]}\n")
    catalog = load_catalog(path)
    assert [r.rule.id for r in compiled(catalog).rules] == ["r"]
    assert catalog._compiled is compiled(catalog)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('include: ["a\\0b.yaml"]', "c.yaml:5:11: include[0]: invalid file name 'a\\x00b.yaml'"),
        ("include: [.]", "expected a YAML file, found a directory"),
        (f"include: [{'x' * 300}.yaml]", "cannot read file: File name too long"),
    ],
)
def test_unusable_include_names(write: Writer, in_tmp: Path, entry: str, message: str) -> None:
    """Include names that cannot name a file (NUL, too long, a directory) are CatalogErrors, not crashes."""
    path = write("c.yaml", HEAD + entry + "\n" + FRAME)
    [error] = errors_of(path)
    assert error.endswith(message)


@pytest.mark.parametrize("product", ['"x\\0y.yaml"', "x" * 5000 + ".yaml", "."])
def test_unusable_product_names(write: Writer, in_tmp: Path, product: str) -> None:
    """Product names that cannot name a catalog file are reported as not found, not raised."""
    path = write("c.yaml", HEAD + FRAME + f"      steel: {{product: {product}}}\n")
    [error] = errors_of(path)
    assert error.startswith(
        "c.yaml:11:24: modules.frame.options.steel.product: sub-assembly catalog not found: "
    )


def test_structural_messages_say_what_was_expected_and_found(write: Writer, in_tmp: Path) -> None:
    """Type errors name the expected type and the value found, shortened when long."""
    path = write(
        "c.yaml",
        "catalog: c\nversion: [1]\ncurrency: " + "E" * 80 + "\nlocales: [en]\n"
        "modules:\n  m:\n    options:\n      b: {price: abc}\n",
    )
    assert errors_of(path) == [
        "c.yaml:2:10: version: expected a string, got a list",
        "c.yaml:3:11: currency: expected an ISO 4217 currency code such as 'EUR', got '" + "E" * 56 + "...",
        "c.yaml:8:18: modules.m.options.b.price: expected a decimal, got 'abc'",
    ]
