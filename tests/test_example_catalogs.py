"""The example catalogs in catalogs/ and the example configurations in catalogs/examples/.

Each catalog must load cleanly and show off the language (enough modules, options and rules, every rule kind,
every attribute type, four locales, all service kinds and every pricing feature). Each example configuration
is valid on 2026-11-23, unless its name ends with -invalid: then it has violations, and when its leading
comment lists rule ids (``# Violates exactly these rules:`` followed by ``#   - rule-id  (why)`` lines, or
``# violates: a, b``), exactly those are violated.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import pytest

from configurator import Catalog, find_violations, load_configuration, validate_catalog
from support import ROOT

CATALOGS = sorted((ROOT / "catalogs").glob("*.yaml"))
EXAMPLES = sorted((ROOT / "catalogs" / "examples").glob("*.yaml"))
ON = dt.date(2026, 11, 23)


@cache
def loaded(path: Path) -> Catalog:
    """The catalog at ``path``, loaded once per test process; fails the test on errors."""
    report = validate_catalog(path)
    assert report.errors == [], "\n".join(str(e) for e in report.errors)
    assert report.catalog is not None
    return report.catalog


def catalog_for(config_path: Path) -> Catalog:
    """The catalog an example configuration names (by its catalog: id), else the one its file name starts with."""
    wanted = load_configuration(config_path).catalog
    for path in CATALOGS:
        catalog = loaded(path)
        if catalog.catalog == wanted:
            return catalog
    for path in CATALOGS:
        if config_path.stem.startswith(path.stem):
            return loaded(path)
    raise AssertionError(f"{config_path.name}: no catalog in catalogs/ has id {wanted!r}")


def listed_rule_ids(path: Path) -> set[str]:
    """Rule ids listed in the leading comment as violated; empty when none are listed."""
    head: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        head.append(line.lstrip("#").strip())
    ids: set[str] = set()
    listing = False
    for line in head:
        keyword = re.search(r"violat\w*\b(.*)", line, re.IGNORECASE)
        if keyword:
            listing = True
            rest = keyword.group(1).split(":", 1)[1] if ":" in keyword.group(1) else ""
            ids.update(re.findall(r"[a-z][a-z0-9_:.-]*[a-z0-9]", rest.split("(")[0]))
            continue
        item = re.match(r"[-*]\s+([a-z][a-z0-9_:.-]*)", line)
        if listing and item:
            ids.add(item.group(1))
        elif listing and line and not item:
            listing = False
    return ids


def test_listed_rule_ids_parser() -> None:
    """The leading-comment parser understands the bullet form and the inline form, and ignores prose."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        bullets = Path(tmp) / "a.yaml"
        bullets.write_text(
            "# INVALID on purpose. Violates exactly these rules:\n#   - speed-mirror   (no mirror)\n"
            "#   - module:frame:choose\n# Some prose.\ncatalog: x\n# - not-this\n"
        )
        assert listed_rule_ids(bullets) == {"speed-mirror", "module:frame:choose"}
        inline = Path(tmp) / "b.yaml"
        inline.write_text("# violates: rule-a, rule_b\ncatalog: x\n")
        assert listed_rule_ids(inline) == {"rule-a", "rule_b"}
        none = Path(tmp) / "c.yaml"
        none.write_text("# A configuration that is invalid somehow.\ncatalog: x\n")
        assert listed_rule_ids(none) == set()


def test_every_catalog_has_a_valid_and_an_invalid_example() -> None:
    """There are at least four example catalogs, and each has a valid and an -invalid example configuration."""
    assert len(CATALOGS) >= 4
    ids = {loaded(path).catalog for path in CATALOGS}
    assert {catalog_for(path).catalog for path in VALID} == ids
    assert {catalog_for(path).catalog for path in INVALID} == ids


@pytest.mark.parametrize("path", CATALOGS, ids=[p.name for p in CATALOGS])
def test_catalog_loads_without_errors_or_warnings(path: Path) -> None:
    """The catalog loads with no errors and no warnings."""
    report = validate_catalog(path)
    assert [str(e) for e in report.errors] == []
    assert [str(w) for w in report.warnings] == []


@pytest.mark.parametrize("path", CATALOGS, ids=[p.name for p in CATALOGS])
def test_catalog_is_rich_enough(path: Path) -> None:
    """At least 8 modules, 40 options and 25 rules."""
    catalog = loaded(path)
    assert len(catalog.modules) >= 8
    assert sum(len(m.options) for m in catalog.modules.values()) >= 40
    assert len(catalog.rules) >= 25


@pytest.mark.parametrize("path", CATALOGS, ids=[p.name for p in CATALOGS])
def test_catalog_uses_every_rule_kind_and_both_table_modes(path: Path) -> None:
    """Requires, excludes, constraint and table rules all appear, and tables in both modes."""
    catalog = loaded(path)
    assert {r.kind for r in catalog.rules} >= {"requires", "excludes", "constraint", "table"}
    assert {r.table.mode for r in catalog.rules if r.table is not None} == {"allowed", "forbidden"}


@pytest.mark.parametrize("path", CATALOGS, ids=[p.name for p in CATALOGS])
def test_catalog_uses_every_attribute_type(path: Path) -> None:
    """Int, decimal, bool and enum attributes are all declared."""
    assert {a.type for a in loaded(path).attributes.values()} >= {"int", "decimal", "bool", "enum"}


@pytest.mark.parametrize("path", CATALOGS, ids=[p.name for p in CATALOGS])
def test_catalog_declares_four_locales(path: Path) -> None:
    """English, Portuguese, Spanish and Swedish are declared."""
    assert set(loaded(path).locales) >= {"en", "pt", "es", "sv"}


@pytest.mark.parametrize("path", CATALOGS, ids=[p.name for p in CATALOGS])
def test_catalog_has_services_of_every_kind(path: Path) -> None:
    """Post-sale, training and advisory services are all offered."""
    assert {s.kind for s in loaded(path).services.values()} >= {"post_sale", "training", "advisory"}


@pytest.mark.parametrize("path", CATALOGS, ids=[p.name for p in CATALOGS])
def test_catalog_pricing_has_volume_bundles_and_tiers(path: Path) -> None:
    """Pricing has volume breaks, bundle discounts and tier discounts."""
    pricing = loaded(path).pricing
    assert pricing.volume and pricing.bundles and pricing.tiers


VALID = [p for p in EXAMPLES if not p.stem.endswith("-invalid")]
INVALID = [p for p in EXAMPLES if p.stem.endswith("-invalid")]


@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_example_configuration(path: Path) -> None:
    """The example configuration has no violations on 2026-11-23."""
    found = find_violations(catalog_for(path), load_configuration(path), on=ON)
    assert [f"{v.path}/{v.rule_id}: {v.message}" for v in found] == []


@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_example_configuration(path: Path) -> None:
    """The -invalid example has violations on 2026-11-23: exactly the rule ids its comment lists, if any."""
    found = {v.rule_id for v in find_violations(catalog_for(path), load_configuration(path), on=ON)}
    assert found
    listed = listed_rule_ids(path)
    if listed:
        assert found == listed
