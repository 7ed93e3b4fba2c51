"""configurator: mass customization sold one customer at a time.

Declare products as YAML catalogs of standard modules, check configurations against their rules, and (in
later releases) assemble, price and quote bundles that fit each customer.

Importing the package is cheap: the errors are defined at once, every other public name is imported from its
submodule the first time it is used (so a command line that only validates a catalog never loads the solver,
the database layer or the data-frame libraries).

Example:
    >>> import configurator
    >>> configurator.ConfiguratorError.__name__
    'ConfiguratorError'
    >>> configurator.parse_expression("frame.alu_m").__class__.__name__
    'Name'
    >>> cat = configurator.load_catalog("catalogs/ebike.yaml")  # doctest: +SKIP
    >>> configurator.find_violations(cat, {"frame": "alu_m"}, on=None)  # doctest: +SKIP
"""

import typing

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
from configurator.lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
    from configurator.catalog import (
        Catalog,
        Configuration,
        LoadReport,
        dump_catalog,
        load_catalog,
        load_configuration,
        validate_catalog,
    )
    from configurator.catalog.check import Violation, find_violations
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

_LAZY = {
    "Catalog": "configurator.catalog",
    "Configuration": "configurator.catalog",
    "ConfigurationSession": "configurator.solver.session",
    "LoadReport": "configurator.catalog",
    "Settings": "configurator.settings",
    "Violation": "configurator.catalog.check",
    "Weights": "configurator.solver.session",
    "compile_expression": "configurator.rules",
    "dump_catalog": "configurator.catalog",
    "find_violations": "configurator.catalog.check",
    "get_backend": "configurator.solver.backend",
    "load_catalog": "configurator.catalog",
    "load_configuration": "configurator.catalog",
    "load_model": "configurator.io",
    "parse_expression": "configurator.rules",
    "validate_catalog": "configurator.catalog",
}
"""The public names imported on first use, and the submodule each comes from."""


_import_on_first_use, __dir__ = _lazy_exports(__name__, _LAZY, globals())

if not typing.TYPE_CHECKING:  # type checkers see the imports above, so a misspelt name stays an error
    __getattr__ = _import_on_first_use
