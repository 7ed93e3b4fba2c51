"""Shared fixtures of the simulation tests: a small bike catalog with attributes, a rule and an optional module."""

from __future__ import annotations

import pytest

from configurator.catalog.models import Catalog
from support import make_catalog


@pytest.fixture(scope="module")
def bike() -> Catalog:
    """Three modules, typed attributes (enum, bool, int), a rule, defaults and an optional module."""
    return make_catalog(
        {
            "frame": {
                "default": "alu",
                "options": {
                    "alu": {"price": 400, "attrs": {"material": "alu", "weight_g": 1800}},
                    "steel": {"price": 300, "attrs": {"material": "steel", "weight_g": 2400}},
                    "carbon": {"price": 1200, "attrs": {"material": "carbon", "weight_g": 950}},
                },
            },
            "motor": {
                "default": "hub",
                "options": {
                    "hub": {"price": 500, "attrs": {"power_w": 250}},
                    "mid": {"price": 900, "attrs": {"power_w": 500, "quiet": True}},
                },
            },
            "bell": {"choose": "optional", "options": {"ding": {"price": 10}, "horn": {"price": 30}}},
        },
        rules=[{"id": "no-carbon-hub", "excludes": ["frame.carbon", "motor.hub"]}],
        attributes={
            "material": {"type": "enum", "values": ["alu", "steel", "carbon"]},
            "weight_g": {"type": "int"},
            "power_w": {"type": "int"},
            "quiet": {"type": "bool"},
        },
    )
