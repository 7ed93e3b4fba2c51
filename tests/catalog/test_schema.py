"""The catalog JSON Schema: accepts every catalog the loader accepts, refuses what a schema can tell is wrong.

Documents are read as a YAML editor reads them (YAML 1.2 core: numbers are numbers, dates are strings) and
checked with ``jsonschema_rs`` (the JSON Schema validator in the lock).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from configurator.catalog import models
from configurator.catalog.loader import validate_catalog
from configurator.catalog.schema import SCHEMA_ID, catalog_schema
from configurator.catalog.yamlsource import parse_yaml, read_yaml, scalar_value
from configurator.cli import main
from configurator.errors import CatalogError
from strategies import catalog_data, perturbations
from support import DATA, ROOT

VALIDATOR = jsonschema_rs.Draft202012Validator(catalog_schema())
INVALID = DATA / "invalid"
SHIPPED = sorted(
    p
    for p in (ROOT / "catalogs").rglob("*.yaml")
    if "examples" not in p.parts and not p.name.endswith(".tests.yaml")
)
"""Shipped catalogs and libraries (catalogs/examples holds configurations and NAME.tests.yaml catalog tests)."""

TOLD = {
    "bad-currency": "currency",
    "excludes-list-of-one": "rules/1/excludes",
    "expression-not-text": "rules/1/requires",
    "missing-required-key": "",
    "unknown-top-level-key": "",
}
"""Invalid test catalogs the schema refuses, with where (JSON pointer without the leading '/')."""
YAML_LEVEL = {"duplicate-key", "tab-indentation"}
"""Invalid test catalogs that are not YAML a parser accepts: the editor's YAML parser reports them."""
CANNOT_TELL = {
    "bad-cardinality": "min > max compares two values",
    "bad-enum-value": "an expression's meaning",
    "bad-expression-syntax": "the expression grammar",
    "choose-more-than-offered": "compares choose with the number of options",
    "dates-out-of-order": "valid_from > valid_to compares two values",
    "default-not-an-option": "a cross reference (default -> options)",
    "defined-twice": "spans files (include)",
    "duplicate-rule-id": "uniqueness of a key inside list items",
    "include-cycle": "spans files (include)",
    "library-as-catalog": "a valid library; only its use as a catalog is wrong",
    "missing-include": "a file that does not exist",
    "module-same-id-as-attribute": "a cross reference (modules vs attributes)",
    "sub-assembly-error": "spans files (product:)",
    "table-cell-unknown": "a cross reference (cell -> options)",
    "table-column-multi-choice": "a cross reference (column -> module's choose)",
    "tier-in-rule": "an expression's meaning",
    "type-decimal-vs-enum": "an expression's types",
    "unknown-attribute": "a cross reference (attrs -> attributes)",
    "unknown-module-in-rule": "a cross reference (expression -> modules)",
    "unknown-option-in-rule": "a cross reference (expression -> options)",
    "wrong-attribute-value-type": "a cross reference (value -> attribute's type)",
}
"""Invalid test catalogs the schema cannot tell from valid ones, and why."""
IN_STEP: dict[str, type[BaseModel]] = {
    "Attribute": models.Attribute,
    "Quantity": models.Quantity,
    "Option": models.Option,
    "Module": models.Module,
    "Rule": models.Rule,
    "Table": models.Table,
    "Service": models.Service,
    "VolumeBreak": models.VolumeBreak,
    "BundleDiscount": models.BundleDiscount,
    "TierDiscount": models.TierDiscount,
    "Pricing": models.Pricing,
    "Library": models.Library,
    "Catalog": models.Catalog,
}
"""Schema definitions and the models they describe, key for key."""


def as_json(value: Any) -> Any:
    """Plain data as JSON sees it: decimals are numbers, dates are YYYY-MM-DD strings."""
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and value.as_tuple().exponent == 0
            else float(value)
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def errors(document: Any) -> list[jsonschema_rs.ValidationError]:
    """The schema's errors for a document read from YAML."""
    return list(VALIDATOR.iter_errors(as_json(document)))


class _Dumper(yaml.SafeDumper):
    """Writes decimals as plain numbers and quotes strings YAML 1.2 would read as something else."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "'" if type(scalar_value(value, plain=True)) is not str else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))
_Dumper.add_representer(str, _str)


def round_trip(data: Any) -> Any:
    """``data`` written as YAML and read back as the loader reads it."""
    return parse_yaml(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)).data


def test_schema_is_draft_2020_12_with_id_titles_and_descriptions() -> None:
    """The schema is a valid draft 2020-12 schema with an $id, and every definition has a title and description."""
    schema = catalog_schema()
    assert jsonschema_rs.meta.is_valid(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    untitled = [name for name, d in schema["$defs"].items() if not (d.get("title") and d.get("description"))]
    assert untitled == []


@pytest.mark.parametrize("name", sorted(IN_STEP))
def test_definitions_name_the_same_keys_as_the_models(name: str) -> None:
    """Each object definition lists exactly the keys its model accepts (aliases such as 'if' included)."""
    model = IN_STEP[name]
    keys = {info.alias or field for field, info in model.model_fields.items()}
    assert set(catalog_schema()["$defs"][name]["properties"]) == keys


def test_choose_mapping_names_the_cardinality_keys() -> None:
    """The mapping form of choose takes the keys of Cardinality, and its words are the loader's words."""
    choose = catalog_schema()["$defs"]["Choose"]["anyOf"]
    assert set(choose[1]["properties"]) == set(models.Cardinality.model_fields)
    for word in choose[0]["enum"]:
        assert models.Module.model_validate({"choose": word, "options": {"a": {}}})


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_catalogs_and_libraries_pass(path: Path) -> None:
    """Every shipped catalog and module library passes the schema (and the catalogs load)."""
    doc = read_yaml(path)
    assert [e.message for e in errors(doc.data)] == []
    if "catalog" in doc.data:
        assert validate_catalog(path).ok


def test_the_jsonschema_package_agrees_on_every_shipped_and_test_catalog() -> None:
    """The reference validator (the ``jsonschema`` package editors' tooling uses) passes and refuses the same files."""
    import jsonschema

    reference = jsonschema.Draft202012Validator(catalog_schema())
    jsonschema.Draft202012Validator.check_schema(catalog_schema())
    valid = [
        *SHIPPED,
        *sorted(DATA.glob("*.yaml")),
        *(p for p in INVALID.rglob("*.yaml") if p.parent != INVALID),
    ]
    for path in valid:
        data = read_yaml(path).data
        if "catalog" in data or "library" in data:
            assert [e.message for e in reference.iter_errors(as_json(data))] == [], path
    for name in sorted(TOLD):
        assert list(reference.iter_errors(as_json(read_yaml(INVALID / f"{name}.yaml").data))), name
    for name in sorted(CANNOT_TELL):
        assert not list(reference.iter_errors(as_json(read_yaml(INVALID / f"{name}.yaml").data))), name


@pytest.mark.parametrize("path", sorted(p for p in INVALID.rglob("*.yaml") if p.parent != INVALID), ids=str)
def test_support_files_of_the_invalid_cases_pass(path: Path) -> None:
    """Libraries and sub-assemblies under tests/data/invalid are well formed (their defects are cross-file)."""
    assert [e.message for e in errors(read_yaml(path).data)] == []


def test_every_invalid_case_is_classified() -> None:
    """Each invalid test catalog is listed once: refused by the schema, by the YAML parser, or not tellable."""
    cases = {p.stem for p in INVALID.glob("*.yaml")}
    assert cases == set(TOLD) | YAML_LEVEL | set(CANNOT_TELL)
    assert not (set(TOLD) & set(CANNOT_TELL))


@pytest.mark.parametrize("name", sorted(TOLD))
def test_invalid_cases_the_schema_can_tell_fail_where_the_defect_is(name: str) -> None:
    """An invalid catalog whose defect is structural fails the schema at the defect's place."""
    found = errors(read_yaml(INVALID / f"{name}.yaml").data)
    assert found
    assert {"/".join(str(p) for p in e.instance_path) for e in found} == {TOLD[name]}


@pytest.mark.parametrize("name", sorted(CANNOT_TELL))
def test_invalid_cases_the_schema_cannot_tell_pass_it(name: str) -> None:
    """Defects across values, files or expressions are left to the loader (the list stays honest)."""
    assert errors(read_yaml(INVALID / f"{name}.yaml").data) == []


def test_docs_example_passes() -> None:
    """The complete small example of docs/catalog-language.md passes the schema."""
    text = (ROOT / "docs" / "catalog-language.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(catalog: bike-city.*?)```", text, re.S)
    assert example is not None
    assert [e.message for e in errors(parse_yaml(example.group(1)).data)] == []


@pytest.mark.parametrize(
    ("snippet", "where"),
    [
        ("choose: exactly_ones", "modules/m/choose"),
        ("choose: {min: 1, most: 2}", "modules/m/choose"),
        ("default: [A]", "modules/m/default"),
        ("label: {english: Frame}", "modules/m/label"),
        ("options: {}", "modules/m/options"),
        ("options: {a: {price: -1}}", "modules/m/options/a/price"),
        ("options: {a: {price: cheap}}", "modules/m/options/a/price"),
        ("options: {a: {qty: {min: 0}}}", "modules/m/options/a/qty/min"),
        ("options: {a: {valid_from: soon}}", "modules/m/options/a/valid_from"),
    ],
)
def test_module_mistakes_are_refused_where_they_are(snippet: str, where: str) -> None:
    """Structural mistakes in a module are refused at their own place."""
    doc = parse_yaml(
        f"catalog: c\nversion: '1'\ncurrency: EUR\nlocales: [en]\nmodules:\n  m:\n    {snippet}\n"
    )
    data = doc.data
    data["modules"]["m"].setdefault("options", {"a": {}})
    found = errors(data)
    assert found
    assert {"/".join(str(p) for p in e.instance_path) for e in found} == {where}


@pytest.mark.parametrize(
    "rule",
    [
        {"id": "r"},
        {"id": "r", "requires": "a.b", "excludes": "a.c"},
        {"id": "r", "if": "a.b", "excludes": ["a.b", "a.c"]},
        {"id": "r", "if": "a.b", "table": {"columns": ["a"], "rows": [["b"]]}},
        {"id": "R", "requires": "a.b"},
    ],
)
def test_rule_shapes_the_loader_refuses_are_refused(rule: dict[str, Any]) -> None:
    """No body, two bodies, a guard on an excludes list or a table, a bad id: refused by the schema too."""
    data = {
        "catalog": "c",
        "version": "1",
        "currency": "EUR",
        "locales": ["en"],
        "modules": {"a": {"options": {"b": {}}}},
    }
    assert errors({**data, "rules": [rule]})
    with pytest.raises(ValidationError):
        models.Rule.model_validate(rule)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalog_data(max_modules=3, max_options=3))
def test_generated_catalogs_pass(data: dict[str, Any]) -> None:
    """Random catalogs that load, written as YAML and read back, pass the schema."""
    assert [e.message for e in errors(round_trip(data))] == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), catalog_data(max_modules=2, max_options=2))
def test_perturbed_catalogs_the_models_accept_pass(data: st.DataObject, catalog: dict[str, Any]) -> None:
    """A catalog with one value changed that the models still accept passes the schema.

    The one exception on purpose: true/false where a number or a version belongs (the models read them as
    1 and 0, or 'True'), which the schema refuses.
    """
    try:
        document = round_trip(data.draw(perturbations(catalog)))
    except CatalogError:  # not YAML the loader reads (a merge key on a scalar...)
        return
    if not isinstance(document, dict):
        return
    try:
        models.Catalog.model_validate(document, context={"default_locale": "en"})
    except ValidationError:
        return
    assert [e.message for e in errors(document) if not isinstance(e.instance, bool)] == []


def test_cli_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    """`configurator schema` prints this schema as JSON."""
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == catalog_schema()


def test_docs_editor_settings_cover_the_shipped_catalogs_only() -> None:
    """The VS Code settings in the docs are JSON whose globs match every shipped catalog and no configuration."""
    text = (ROOT / "docs" / "catalog-language.md").read_text(encoding="utf-8")
    block = re.search(r"```json\n(\{\n  \"yaml.yamlVersion\".*?)```", text, re.S)
    assert block is not None
    settings_ = json.loads(block.group(1))
    assert settings_["yaml.yamlVersion"] == "1.2"
    (globs,) = settings_["yaml.schemas"].values()
    matched = {p for g in globs for p in ROOT.glob(g)}
    assert matched == set(SHIPPED)
    assert "# yaml-language-server: $schema=catalog.schema.json" in text
