"""configurator: mass customization sold one customer at a time.

Declare products as YAML catalogs of standard modules, check configurations against their rules, and (in
later releases) assemble, price and quote bundles that fit each customer.

Example:
    >>> import configurator
    >>> cat = configurator.load_catalog("catalogs/ebike.yaml")  # doctest: +SKIP
    >>> configurator.find_violations(cat, {"frame": "alu_m"}, on=None)  # doctest: +SKIP
"""

from configurator.catalog import (
    Catalog,
    Configuration,
    LoadReport,
    dump_catalog,
    load_catalog,
    load_configuration,
    validate_catalog,
)
from configurator.checker import Violation, find_violations
from configurator.errors import (
    CatalogError,
    ConfigurationError,
    ConfiguratorError,
    Location,
    Problem,
    RuleSyntaxError,
)
from configurator.rules import compile_expression, parse_expression

__version__ = "0.1.0"

__all__ = [
    "Catalog",
    "CatalogError",
    "Configuration",
    "ConfigurationError",
    "ConfiguratorError",
    "LoadReport",
    "Location",
    "Problem",
    "RuleSyntaxError",
    "Violation",
    "compile_expression",
    "dump_catalog",
    "find_violations",
    "load_catalog",
    "load_configuration",
    "parse_expression",
    "validate_catalog",
]
