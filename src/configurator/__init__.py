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
    BackendLimitError,
    CatalogError,
    ConfigurationError,
    ConfiguratorError,
    Location,
    ModelFormatError,
    NotFittedError,
    Problem,
    RuleSyntaxError,
    SolverError,
)
from configurator.io import load_model
from configurator.rules import compile_expression, parse_expression
from configurator.settings import Settings
from configurator.solver.backend import get_backend
from configurator.solver.session import ConfigurationSession, Weights

__version__ = "0.1.0"

__all__ = [
    "BackendLimitError",
    "Catalog",
    "CatalogError",
    "Configuration",
    "ConfigurationError",
    "ConfigurationSession",
    "ConfiguratorError",
    "LoadReport",
    "Location",
    "ModelFormatError",
    "NotFittedError",
    "Problem",
    "RuleSyntaxError",
    "Settings",
    "SolverError",
    "Violation",
    "Weights",
    "compile_expression",
    "dump_catalog",
    "find_violations",
    "get_backend",
    "load_catalog",
    "load_configuration",
    "load_model",
    "parse_expression",
    "validate_catalog",
]
