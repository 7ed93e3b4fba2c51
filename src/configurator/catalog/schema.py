"""The JSON Schema of the catalog language, as authors write it (for YAML editors and CI checks).

The schema describes the YAML a product team writes, shorthand included (``choose: exactly_one``,
``default: alu_m`` or ``[alu_m, carbon_m]``, a label as a string or a ``locale -> text`` mapping, a price as
a number or a quoted decimal, every rule form), for both catalogs (``catalog:``) and module libraries
(``library:``). It follows JSON Schema draft 2020-12 and reads YAML 1.2 core values: ``2026-01-01`` is a
string and ``yes`` is text, as the catalog loader reads them.

A schema cannot see across the document: whether a rule names a known option, a default is one of the
module's options, a table row has one cell per column, volume breaks increase, or an included file exists is
checked by the loader (``configurator validate``), never by the schema. Everything the schema refuses, the
loader refuses too; tests keep the two in step.

Example:
    >>> schema = catalog_schema()
    >>> schema["$schema"], schema["$id"]
    ('https://json-schema.org/draft/2020-12/schema', 'urn:configurator:schema:catalog')
    >>> sorted(schema["$defs"]["Module"]["properties"])[:4]
    ['choose', 'default', 'description', 'label']
    >>> schema["$defs"]["Choose"]["anyOf"][0]["enum"]
    ['exactly_one', 'optional', 'any']
"""

from __future__ import annotations

from typing import Any

from configurator.catalog.models import DASHED_ID_PATTERN, ID_PATTERN, LOCALE_PATTERN

__all__ = ["SCHEMA_ID", "catalog_schema"]

SCHEMA_ID = "urn:configurator:schema:catalog"
"""The schema's ``$id``: a name, not a download address (editors point at a file written by
``configurator schema``)."""

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_DECIMAL_TEXT = r"^\s*[+-]?([0-9][0-9_]*(\.[0-9_]*)?|\.[0-9][0-9_]*)([eE][+-]?[0-9]+)?\s*$"
"""A quoted number: only its form is checked (its range is checked by the loader)."""
_INTEGER_TEXT = r"^\s*[+-]?[0-9][0-9_]*\s*$"
_TIERS = ["mvc", "mgc", "standard", "below_zero"]
_BODIES = ("requires", "excludes", "constraint", "table")


def _int(low: int, high: int | None = None, *, null: bool = False) -> dict[str, Any]:
    """A whole number in ``[low, high]`` (or a quoted one, which the loader also reads)."""
    number: dict[str, Any] = {"type": ["integer", "null"] if null else "integer", "minimum": low}
    if high is not None:
        number["maximum"] = high
    return {"anyOf": [number, {"type": "string", "pattern": _INTEGER_TEXT}]}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _nullable(name: str) -> dict[str, Any]:
    """A reference that also admits an empty value (``label:`` with nothing after it)."""
    return {"anyOf": [_ref(name), {"type": "null"}]}


def _described(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    return {"title": title, "description": description, **schema}


def _mapping_of(key: str, value: dict[str, Any], description: str, min_properties: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "description": description,
        "propertyNames": _ref(key),
        "additionalProperties": value,
    }
    if min_properties:
        out["minProperties"] = min_properties
    return out


def _dated() -> dict[str, Any]:
    return {
        "valid_from": _described(_nullable("Date"), "Valid from", "First day in force (inclusive)."),
        "valid_to": _described(_nullable("Date"), "Valid to", "Last day in force (inclusive)."),
    }


def _texts() -> dict[str, Any]:
    return {
        "label": _described(_nullable("Text"), "Label", "The name shown to customers, per locale."),
        "description": _described(_nullable("Text"), "Description", "A longer text, per locale."),
    }


def _object(title: str, description: str, properties: dict[str, Any], required: tuple[str, ...] = ()) -> Any:
    out: dict[str, Any] = {
        "title": title,
        "description": description,
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        out["required"] = list(required)
    return out


def _present(key: str) -> dict[str, Any]:
    """Matches a mapping where ``key`` is given a value other than null."""
    return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}


def _scalars() -> dict[str, Any]:
    return {
        "Id": {
            "title": "Id",
            "description": "Lowercase letters, digits and '_', starting with a letter.",
            "type": "string",
            "pattern": ID_PATTERN,
            "maxLength": 64,
        },
        "DashedId": {
            "title": "Id",
            "description": "Lowercase letters, digits, '_' and '-', starting with a letter.",
            "type": "string",
            "pattern": DASHED_ID_PATTERN,
            "maxLength": 96,
        },
        "Locale": {
            "title": "Locale",
            "description": "A locale code such as 'en' or 'pt_BR'.",
            "type": "string",
            "pattern": LOCALE_PATTERN,
        },
        "Text": {
            "title": "Translated text",
            "description": "A plain string (the default locale's text) or a mapping locale -> text.",
            "anyOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "propertyNames": _ref("Locale"),
                    "additionalProperties": {"type": "string", "minLength": 1},
                },
            ],
        },
        "Money": {
            "title": "Amount",
            "description": "An exact amount >= 0 in the catalog currency, at most 4 decimal places: 420.00.",
            "anyOf": [
                {"type": "number", "minimum": 0, "exclusiveMaximum": 10_000_000_000},
                {"type": "string", "pattern": _DECIMAL_TEXT},
            ],
        },
        "Percent": {
            "title": "Percentage",
            "description": "A percentage between 0 and 100: 4.5.",
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 100},
                {"type": "string", "pattern": _DECIMAL_TEXT},
            ],
        },
        "Date": {
            "title": "Date",
            "description": "A day, YYYY-MM-DD.",
            "type": "string",
            "format": "date",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        },
        "Expression": {
            "title": "Expression",
            "description": "A rule expression (docs/catalog-language.md, Expressions); quote it when it starts "
            "with '!', '*', '&' or contains ': '.",
            "type": "string",
            "minLength": 1,
        },
        "Tier": {
            "title": "Value tier",
            "description": "A customer value tier.",
            "enum": _TIERS,
        },
    }


def _kinds() -> dict[str, Any]:
    return {
        "Attribute": {
            **_object(
                "Attribute",
                "A typed attribute options can carry: weight_g: {type: int, unit: g}.",
                {
                    "type": {
                        "description": "int, decimal, bool or enum (then values: [...]).",
                        "enum": ["int", "decimal", "bool", "enum"],
                    },
                    "unit": {"description": "The unit shown after values.", "type": ["string", "null"]},
                    "label": _described(_nullable("Text"), "Label", "The attribute's name, per locale."),
                    "values": {
                        "description": "The values of an enum attribute (ids, distinct).",
                        "anyOf": [
                            {"type": "array", "items": _ref("Id"), "uniqueItems": True},
                            {"type": "null"},
                        ],
                    },
                },
                ("type",),
            ),
            "if": {"properties": {"type": {"const": "enum"}}},
            "then": {"required": ["values"], "properties": {"values": {"type": "array", "minItems": 1}}},
            "else": {"properties": {"values": {"type": "null"}}},
        },
        "Choose": {
            "title": "Choose",
            "description": "How many distinct options may be selected: exactly_one (1..1, the default), "
            "optional (0..1), any (0..all) or {min: M, max: N}.",
            "anyOf": [
                {"enum": ["exactly_one", "optional", "any"]},
                {
                    "type": "object",
                    "properties": {
                        "min": {"description": "At least.", **_int(0, 10_000)},
                        "max": {
                            "description": "At most (empty: all the options).",
                            **_int(1, 10_000, null=True),
                        },
                    },
                    "additionalProperties": False,
                },
            ],
        },
    }


def _structure() -> dict[str, Any]:
    id_list = {
        "anyOf": [_ref("Id"), {"type": "array", "items": _ref("Id")}],
    }
    return {
        "Quantity": _object(
            "Quantity",
            "How many units may be ordered when the option is selected (default 1..1).",
            {
                "min": {"description": "At least (default 1).", **_int(1, 1_000_000)},
                "max": {"description": "At most (default 1).", **_int(1, 1_000_000)},
            },
        ),
        "Option": _object(
            "Option",
            "A standard part offered in a module.",
            {
                **_texts(),
                "price": _described(
                    _ref("Money"), "Price", "List price in the catalog currency (default 0)."
                ),
                "attrs": _mapping_of(
                    "Id",
                    {"type": ["boolean", "number", "string"]},
                    "Attribute values: a number, true/false, or one of an enum's values.",
                ),
                "qty": _ref("Quantity"),
                "product": {
                    "description": "Path of another catalog: the option is a sub-assembly configured with it.",
                    "type": ["string", "null"],
                    "minLength": 1,
                },
                **_dated(),
            },
        ),
        "Module": _object(
            "Module",
            "A slot of the product and the options it offers.",
            {
                **_texts(),
                "choose": _ref("Choose"),
                "default": _described(
                    id_list, "Default", "Option id (or list) used to complete a configuration."
                ),
                "recommended": _described(
                    id_list, "Recommended", "Option ids preferred, never a constraint."
                ),
                "options": _mapping_of("Id", _ref("Option"), "Option id -> option (at least one).", 1),
                **_dated(),
            },
            ("options",),
        ),
    }


def _rules() -> dict[str, Any]:
    rule = _object(
        "Rule",
        "A constraint: an id, an optional 'if' guard and exactly one of requires, excludes, constraint, table.",
        {
            "id": _ref("DashedId"),
            "message": _described(_nullable("Text"), "Message", "Shown when the rule is broken, per locale."),
            "description": _described(_nullable("Text"), "Description", "Why the rule exists, per locale."),
            "if": _described(_nullable("Expression"), "Guard", "The rule applies only when this holds."),
            "requires": _described(_nullable("Expression"), "Requires", "Holds when the expression is true."),
            "excludes": {
                "title": "Excludes",
                "description": "An expression that must be false, or a list of two or more expressions of "
                "which at most one may be true.",
                "anyOf": [
                    _ref("Expression"),
                    {"type": "array", "items": _ref("Expression"), "minItems": 2},
                    {"type": "null"},
                ],
            },
            "constraint": _described(_nullable("Expression"), "Constraint", "An expression that must hold."),
            "table": _nullable("Table"),
            **_dated(),
        },
        ("id",),
    )
    rule["oneOf"] = [_present(body) for body in _BODIES]
    rule["allOf"] = [
        {  # a list of excludes or a table takes no guard
            "if": {
                "anyOf": [
                    _present("table"),
                    {"required": ["excludes"], "properties": {"excludes": {"type": "array"}}},
                ]
            },
            "then": {"properties": {"if": {"type": "null"}}},
        }
    ]
    return {
        "Rule": rule,
        "Table": _object(
            "Table",
            "A compatibility table over modules that take at most one option; cells are option ids, "
            '"*" (anything) or "-" (nothing).',
            {
                "columns": {"type": "array", "items": _ref("Id"), "minItems": 1},
                "rows": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": "string"}},
                    "minItems": 1,
                },
                "mode": {"enum": ["allowed", "forbidden"], "description": "allowed (default) or forbidden."},
            },
            ("columns", "rows"),
        ),
    }


def _commerce() -> dict[str, Any]:
    bundle = _object(
        "Bundle discount",
        "A discount when a combination is selected: exactly one of discount_pct, discount_amount.",
        {
            "id": _ref("DashedId"),
            "label": _described(_nullable("Text"), "Label", "The discount's name on quotes."),
            "when": _ref("Expression"),
            "discount_pct": _nullable("Percent"),
            "discount_amount": _nullable("Money"),
        },
        ("id", "when"),
    )
    bundle["oneOf"] = [_present("discount_pct"), _present("discount_amount")]
    return {
        "Service": _object(
            "Service",
            "A service add-on: post-sale service, training or advisory.",
            {
                "kind": {"enum": ["post_sale", "training", "advisory"]},
                **_texts(),
                "price": _ref("Money"),
                "eligible": _described(
                    _nullable("Expression"), "Eligible", "Over tier, country and the configuration."
                ),
                "requires": _described(_nullable("Expression"), "Requires", "Over the configuration."),
                "included_for": {
                    "type": "array",
                    "items": _ref("Tier"),
                    "description": "Tiers that get it free.",
                },
                **_dated(),
            },
            ("kind",),
        ),
        "VolumeBreak": _object(
            "Volume break",
            "A discount from a total quantity on (min_qty strictly increasing).",
            {"min_qty": _int(1), "discount_pct": _ref("Percent")},
            ("min_qty", "discount_pct"),
        ),
        "BundleDiscount": bundle,
        "TierDiscount": _object(
            "Tier discount",
            "The discount a value tier gets.",
            {"discount_pct": _ref("Percent")},
            ("discount_pct",),
        ),
        "Pricing": _object(
            "Pricing",
            "Volume breaks, bundle discounts and tier discounts.",
            {
                "volume": {"type": "array", "items": _ref("VolumeBreak")},
                "bundles": {"type": "array", "items": _ref("BundleDiscount")},
                "tiers": {
                    "type": "object",
                    "propertyNames": _ref("Tier"),
                    "additionalProperties": _ref("TierDiscount"),
                },
            },
        ),
    }


def _documents() -> dict[str, Any]:
    shared = {
        "include": {
            "description": "Module library files, relative to this file.",
            "type": "array",
            "items": {"type": "string"},
        },
        "attributes": _mapping_of("Id", _ref("Attribute"), "Attribute id -> attribute."),
        "rules": {"type": "array", "items": _ref("Rule"), "description": "The rules."},
        "services": _mapping_of("Id", _ref("Service"), "Service id -> service."),
    }
    return {
        "Catalog": _object(
            "Catalog",
            "A product: modules of options, typed attributes, rules, services and pricing.",
            {
                "catalog": _described(_ref("DashedId"), "Catalog id", "Lowercase id, '-' allowed."),
                "version": {
                    "title": "Version",
                    "description": 'Free text; quote it ("2026.11").',
                    "anyOf": [{"type": "string", "minLength": 1, "maxLength": 64}, {"type": "number"}],
                },
                "name": _described(_nullable("Text"), "Name", "The product's name, per locale."),
                "description": _described(_nullable("Text"), "Description", "A longer text, per locale."),
                "currency": {
                    "description": "ISO 4217 code: EUR.",
                    "type": "string",
                    "pattern": "^[A-Z]{3}$",
                },
                "locales": {
                    "description": "Declared locales; the first is the fallback.",
                    "type": "array",
                    "items": _ref("Locale"),
                    "minItems": 1,
                },
                "modules": _mapping_of("Id", _ref("Module"), "Module id -> module (at least one).", 1),
                "pricing": _ref("Pricing"),
                **shared,
            },
            ("catalog", "version", "currency", "locales", "modules"),
        ),
        "Library": _object(
            "Module library",
            "Attributes, modules, rules and services shared by catalogs that include this file.",
            {
                "library": _described(_ref("DashedId"), "Library id", "Lowercase id, '-' allowed."),
                "modules": _mapping_of("Id", _ref("Module"), "Module id -> module."),
                **shared,
            },
            ("library",),
        ),
    }


def catalog_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a catalog file or a module library file.

    A document with ``catalog:`` (or with neither key) is checked as a catalog, one with ``library:`` as a
    module library.

    Returns:
        A fresh JSON-ready dictionary; ``json.dumps`` it for editors.

    Example:
        >>> s = catalog_schema()
        >>> s["then"], s["else"]["then"]
        ({'$ref': '#/$defs/Catalog'}, {'$ref': '#/$defs/Library'})
        >>> s["$defs"]["Catalog"]["required"]
        ['catalog', 'version', 'currency', 'locales', 'modules']
    """
    return {
        "$schema": _DRAFT,
        "$id": SCHEMA_ID,
        "title": "configurator catalog",
        "description": "A product catalog (catalog: ...) or a module library (library: ...) in the catalog "
        "language of docs/catalog-language.md.",
        "type": "object",
        "if": {"required": ["catalog"]},
        "then": _ref("Catalog"),
        "else": {"if": {"required": ["library"]}, "then": _ref("Library"), "else": _ref("Catalog")},
        "$defs": {**_scalars(), **_kinds(), **_structure(), **_rules(), **_commerce(), **_documents()},
    }
