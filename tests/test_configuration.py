"""Tests of configurator.catalog.configuration: the shapes a configuration may take, and its errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from configurator import Configuration, load_configuration
from configurator.errors import ConfigurationError
from support import Writer, make_catalog


def test_selection_shapes() -> None:
    """A module maps to one option id, a list of ids, or option -> quantity (or -> {qty, config})."""
    config = Configuration.from_data(
        {
            "catalog": "bike",
            "selections": {
                "frame": "alu",
                "extras": ["bell", "mudguards", "bell"],
                "cage": {"cage": 2, "rack": 0},
                "dock": {"city_rack": {"qty": 1, "config": {"selections": {"size": "l"}}}},
                "motor": None,
            },
        }
    )
    assert config.catalog == "bike"
    assert sorted(config.items()) == [
        ("cage", "cage", 2),
        ("dock", "city_rack", 1),
        ("extras", "bell", 2),
        ("extras", "mudguards", 1),
        ("frame", "alu", 1),
    ]
    assert config.quantity("cage", "rack") == 0
    assert config.quantity("nope", "x") == 0
    assert config.selections["motor"] == {}
    assert config.sub[("dock", "city_rack")].quantity("size", "l") == 1


def test_config_without_qty_means_one() -> None:
    """{config: ...} without qty selects one unit."""
    config = Configuration.from_data({"selections": {"dock": {"rack": {"config": {}}}}})
    assert config.quantity("dock", "rack") == 1
    assert config.catalog is None


def test_empty_configuration() -> None:
    """No selections is an empty configuration."""
    assert list(Configuration.from_data({}).items()) == []
    assert list(Configuration.from_data({"selections": None}).items()) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "configuration: expected a mapping with 'selections:', got list"),
        ({"selection": {}}, "configuration: unknown key 'selection' (expected catalog, selections)"),
        ({"selections": ["frame"]}, "configuration.selections: expected a mapping of module -> options"),
        (
            {"selections": {"frame": 3}},
            "configuration.selections.frame: expected an option id, a list or a mapping, got 3",
        ),
        ({"selections": {"frame": ["a", 1]}}, "configuration.selections.frame: expected option ids, got 1"),
        (
            {"selections": {"frame": {"a": -1}}},
            "configuration.selections.frame.a: expected a quantity >= 0, got -1",
        ),
        (
            {"selections": {"frame": {"a": True}}},
            "configuration.selections.frame.a: expected a quantity >= 0, got True",
        ),
        (
            {"selections": {"frame": {"a": "2"}}},
            "configuration.selections.frame.a: expected a quantity >= 0, got '2'",
        ),
        (
            {"selections": {"frame": {"a": {"quantity": 2}}}},
            "configuration.selections.frame.a: unknown key 'quantity' (expected qty, config)",
        ),
        (
            {"selections": {"d": {"r": {"config": 5}}}},
            "configuration.selections.d.r.config: expected a mapping with 'selections:', got int",
        ),
    ],
)
def test_malformed_configurations(data: Any, message: str) -> None:
    """Malformed data is a ConfigurationError saying where and what."""
    with pytest.raises(ConfigurationError) as caught:
        Configuration.from_data(data)
    assert str(caught.value) == message


def test_check_references_suggests_and_lists_every_problem() -> None:
    """Unknown modules and options are all reported, with suggestions, and the catalog id is checked."""
    catalog = make_catalog(
        {"frame": {"options": {"alu_m": {}}}, "motor": {"choose": "optional", "options": {"hub": {}}}}
    )
    config = Configuration.from_data(
        {
            "catalog": "other",
            "selections": {"frame": "alu", "motr": "hub", "zzz": "x", "motor": {"hub": {"config": {}}}},
        }
    )
    with pytest.raises(ConfigurationError) as caught:
        config.check_references(catalog)
    assert str(caught.value) == (
        "configuration is for catalog 'other', not 'test'; "
        "unknown option frame.alu (did you mean 'alu_m'?); "
        "unknown module 'motr' (did you mean 'motor'?); "
        "unknown module 'zzz'; "
        "motor.hub is not a sub-assembly but has a 'config'"
    )


def test_load_configuration(write: Writer) -> None:
    """A configuration file is read with the safe YAML reader."""
    path = write("cfg.yaml", "catalog: bike\nselections:\n  frame: alu\n  cage: {cage: 2}\n")
    config = load_configuration(path)
    assert config.catalog == "bike"
    assert sorted(config.items()) == [("cage", "cage", 2), ("frame", "alu", 1)]


def test_load_configuration_errors(write: Writer, tmp_path: Path) -> None:
    """Unreadable or malformed configuration files are ConfigurationErrors naming the file."""
    with pytest.raises(ConfigurationError, match="file not found"):
        load_configuration(tmp_path / "missing.yaml")
    bad = write("bad.yaml", "selections:\n  a: 1\n  a: 2\n")
    with pytest.raises(ConfigurationError, match="duplicate key 'a'"):
        load_configuration(bad)
    shape = write("shape.yaml", "selections: [a]\n")
    with pytest.raises(ConfigurationError, match=r"shape\.yaml\.selections: expected a mapping"):
        load_configuration(shape)
