"""``complete("recommended")`` is never arbitrary: recommendation, else default, else cheapest, else catalog order."""

from __future__ import annotations

from typing import Any

from configurator.catalog.check import find_violations
from configurator.catalog.models import Catalog
from configurator.solver.session import ConfigurationSession


def _catalog(grip: dict[str, Any] | None = None) -> Catalog:
    """A bike whose modules cover each way a module is filled."""
    option = {"price": 10}
    return Catalog.model_validate(
        {
            "catalog": "bike",
            "version": "1",
            "currency": "EUR",
            "locales": ["en"],
            "modules": {
                "frame": {
                    "options": {"alu": {"price": 400}, "carbon": {"price": 1200}},
                    "recommended": ["carbon"],
                },
                "colour": {"options": {"black": option, "red": option}, "default": ["red"]},
                "saddle": {"options": {"gel": {"price": 30}, "basic": {"price": 20}}},
                "grip": grip or {"options": {"zebra": option, "amber": option}},
                "bell": {"choose": {"min": 0, "max": 1}, "options": {"ding": {"price": 5}}},
            },
        }
    )


def _completed(catalog: Catalog) -> dict[str, list[str]]:
    """The options ``complete("recommended")`` selects, per module."""
    configuration = ConfigurationSession(catalog).complete("recommended")
    assert configuration is not None
    assert find_violations(catalog, configuration) == []
    return {module: sorted(options) for module, options in configuration.selections.items() if options}


def test_recommended_option_wins_over_a_cheaper_one() -> None:
    """A module with a recommendation gets it, even when another option is cheaper."""
    assert _completed(_catalog())["frame"] == ["carbon"]


def test_module_without_recommendation_takes_its_default() -> None:
    """A module that recommends nothing is filled with its default, not a cheaper option."""
    assert _completed(_catalog())["colour"] == ["red"]


def test_module_without_recommendation_or_default_takes_the_cheapest() -> None:
    """Without recommendation or default the cheapest valid option fills the module."""
    assert _completed(_catalog())["saddle"] == ["basic"]


def test_equal_prices_go_to_the_first_option_in_catalog_order() -> None:
    """Between equally cheap options the first one in the catalog wins (not the alphabetical first)."""
    assert _completed(_catalog())["grip"] == ["zebra"]
    swapped = _catalog({"options": {"amber": {"price": 10}, "zebra": {"price": 10}}})
    assert _completed(swapped)["grip"] == ["amber"]


def test_optional_module_without_advice_stays_empty() -> None:
    """An optional module with no recommendation or default is left empty (the cheapest valid choice)."""
    assert "bell" not in _completed(_catalog())
