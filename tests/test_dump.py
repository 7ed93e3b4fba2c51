"""Tests of configurator.catalog.dump: YAML written back loads to an equal catalog."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings

from configurator import Catalog, dump_catalog, load_catalog
from configurator.catalog.yamlsource import parse_yaml
from strategies import catalogs
from support import make_catalog


def reload(text: str) -> Catalog:
    """Load YAML text through a file, as users do."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "catalog.yaml"
        path.write_text(text, encoding="utf-8")
        return load_catalog(path)


@settings(max_examples=60)
@given(catalogs())
def test_dump_then_load_gives_an_equal_catalog(catalog: Catalog) -> None:
    """load_catalog(dump_catalog(c)) equals c, and so does Catalog.model_validate of the dumped data."""
    text = dump_catalog(catalog)
    assert reload(text).model_dump() == catalog.model_dump()
    data = parse_yaml(text, "dumped.yaml").data
    assert Catalog.model_validate(data).model_dump() == catalog.model_dump()
    assert dump_catalog(Catalog.model_validate(data)) == text


@pytest.mark.parametrize(
    "text",
    [
        "1",
        "2026.11",
        "1.0",
        "yes",
        "no",
        "on",
        "off",
        "null",
        "~",
        "true",
        "False",
        "1e3",
        "2026-01-01",
        "+1",
        ".5",
        "*",
        "-",
        "a: b",
        "#x",
        " lead",
        "trail ",
        "",
        "x\x85y",
        "line\nbreak",
        "tab\there",
        "'quoted'",
        '"dq"',
        "ü€😀",
    ],
)
def test_strings_that_look_like_other_things_stay_strings(text: str) -> None:
    """Version and texts that YAML could read as numbers, booleans, dates or nulls are quoted."""
    catalog = make_catalog(
        {"m": {"options": {"a": {"label": {"en": text or "x"}}}}}, version=text or "v", locales=["en"]
    )
    loaded = reload(dump_catalog(catalog))
    assert loaded.version == (text or "v")
    assert loaded.modules["m"].options["a"].label == {"en": text or "x"}


def test_decimals_and_dates_are_written_plainly() -> None:
    """Prices are written as plain exact numbers and dates as YYYY-MM-DD."""
    catalog = make_catalog(
        {"m": {"options": {"a": {"price": Decimal("9.90"), "valid_from": dt.date(2026, 1, 31)}}}},
        locales=["en"],
    )
    text = dump_catalog(catalog)
    assert "price: 9.90\n" in text
    assert "valid_from: 2026-01-31\n" in text
    assert reload(text).modules["m"].options["a"].price == Decimal("9.90")
    assert str(reload(text).modules["m"].options["a"].price) == "9.90"


def test_defaults_are_left_out_and_order_is_kept() -> None:
    """Default values are not written; keys keep declaration order."""
    catalog = make_catalog(
        {
            "frame": {"options": {"alu": {}}},
            "extras": {"choose": "any", "options": {"bell": {"qty": {"min": 1, "max": 2}}}},
        },
        [{"id": "r", "if": "extras", "requires": "frame"}],
        locales=["en"],
    )
    assert dump_catalog(catalog) == (
        "catalog: test\n"
        "version: '1'\n"
        "currency: EUR\n"
        "locales:\n"
        "- en\n"
        "modules:\n"
        "  frame:\n"
        "    options:\n"
        "      alu: {}\n"
        "  extras:\n"
        "    choose: {}\n"
        "    options:\n"
        "      bell:\n"
        "        qty:\n"
        "          max: 2\n"
        "rules:\n"
        "- id: r\n"
        "  if: extras\n"
        "  requires: frame\n"
    )


def test_tables_and_excludes_lists_are_written_as_lists() -> None:
    """Tuples (table rows, excludes lists) become YAML lists; '*' and '-' are quoted."""
    catalog = make_catalog(
        {"a": {"options": {"x": {}}}, "b": {"choose": "optional", "options": {"y": {}}}},
        [
            {
                "id": "t",
                "table": {"columns": ["a", "b"], "rows": [["x", "*"], ["x", "-"]], "mode": "forbidden"},
            },
            {"id": "e", "excludes": ["a.x", "b.y"]},
        ],
        locales=["en"],
    )
    text = dump_catalog(catalog)
    assert "- - x\n      - '*'\n" in text and "- '-'" in text
    assert reload(text).rules == catalog.rules
