"""Solver engine: backend-neutral problems, catalog compilation, backends, decision diagrams and operations.

Importing the package is cheap: each public name is imported from its submodule the first time it is used
(so that nothing loads OR-Tools, CUDD or python-constraint before a backend needs it).

Example:
    >>> import configurator.solver as solver
    >>> p = solver.Problem((solver.Variable("x", (0, 1, 2)),),
    ...                    (solver.Constraint("c", solver.Lit("x", frozenset({1, 2}))),))
    >>> solver.count(p, backend="exhaustive")
    2
    >>> solver.CompiledDiagram.__module__
    'configurator.solver.dd.diagram'
"""

import typing

from configurator.lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
    from configurator.errors import BackendCapabilityError
    from configurator.solver.backend import (
        DEFAULT_BACKEND,
        Backend,
        Capability,
        Fixed,
        Optimizer,
        Result,
        Status,
        available_backends,
        get_backend,
        register_backend,
        require,
    )
    from configurator.solver.compile import CatalogCompiler, CatalogProblem, compile_catalog_problem
    from configurator.solver.counting import CountResult, count_portfolio
    from configurator.solver.dd import CompiledDiagram, DiagramStats
    from configurator.solver.lint import Finding, lint_catalog
    from configurator.solver.operations import (
        Conflict,
        Propagator,
        Repair,
        count,
        count_detail,
        explain,
        minimal_conflict,
        optimize,
        propagate,
        reconfigure,
        repair,
        top_k,
    )
    from configurator.solver.problem import (
        And,
        BoolExpr,
        Const,
        Constraint,
        Iff,
        Implies,
        Linear,
        Lit,
        Not,
        Objective,
        Or,
        Problem,
        Table,
        Term,
        Variable,
        compare,
        holds,
        linear_value,
        scope,
    )
    from configurator.solver.session import Bundle, Choice, ConfigurationSession, Weights, list_price

__all__ = [
    "DEFAULT_BACKEND",
    "And",
    "Backend",
    "BackendCapabilityError",
    "BoolExpr",
    "Bundle",
    "Capability",
    "CatalogCompiler",
    "CatalogProblem",
    "Choice",
    "CompiledDiagram",
    "ConfigurationSession",
    "Conflict",
    "Const",
    "Constraint",
    "CountResult",
    "DiagramStats",
    "Finding",
    "Fixed",
    "Iff",
    "Implies",
    "Linear",
    "Lit",
    "Not",
    "Objective",
    "Optimizer",
    "Or",
    "Problem",
    "Propagator",
    "Repair",
    "Result",
    "Status",
    "Table",
    "Term",
    "Variable",
    "Weights",
    "available_backends",
    "compare",
    "compile_catalog_problem",
    "count",
    "count_detail",
    "count_portfolio",
    "explain",
    "get_backend",
    "holds",
    "linear_value",
    "lint_catalog",
    "list_price",
    "minimal_conflict",
    "optimize",
    "propagate",
    "reconfigure",
    "register_backend",
    "repair",
    "require",
    "scope",
    "top_k",
]

_LAZY = {
    "DEFAULT_BACKEND": "configurator.solver.backend",
    "And": "configurator.solver.problem",
    "Backend": "configurator.solver.backend",
    "BackendCapabilityError": "configurator.errors",
    "BoolExpr": "configurator.solver.problem",
    "Bundle": "configurator.solver.session",
    "Capability": "configurator.solver.backend",
    "CatalogCompiler": "configurator.solver.compile",
    "CatalogProblem": "configurator.solver.compile",
    "Choice": "configurator.solver.session",
    "CompiledDiagram": "configurator.solver.dd",
    "ConfigurationSession": "configurator.solver.session",
    "Conflict": "configurator.solver.operations",
    "Const": "configurator.solver.problem",
    "Constraint": "configurator.solver.problem",
    "CountResult": "configurator.solver.counting",
    "DiagramStats": "configurator.solver.dd",
    "Finding": "configurator.solver.lint",
    "Fixed": "configurator.solver.backend",
    "Iff": "configurator.solver.problem",
    "Implies": "configurator.solver.problem",
    "Linear": "configurator.solver.problem",
    "Lit": "configurator.solver.problem",
    "Not": "configurator.solver.problem",
    "Objective": "configurator.solver.problem",
    "Optimizer": "configurator.solver.backend",
    "Or": "configurator.solver.problem",
    "Problem": "configurator.solver.problem",
    "Propagator": "configurator.solver.operations",
    "Repair": "configurator.solver.operations",
    "Result": "configurator.solver.backend",
    "Status": "configurator.solver.backend",
    "Table": "configurator.solver.problem",
    "Term": "configurator.solver.problem",
    "Variable": "configurator.solver.problem",
    "Weights": "configurator.solver.session",
    "available_backends": "configurator.solver.backend",
    "compare": "configurator.solver.problem",
    "compile_catalog_problem": "configurator.solver.compile",
    "count": "configurator.solver.operations",
    "count_detail": "configurator.solver.operations",
    "count_portfolio": "configurator.solver.counting",
    "explain": "configurator.solver.operations",
    "get_backend": "configurator.solver.backend",
    "holds": "configurator.solver.problem",
    "linear_value": "configurator.solver.problem",
    "lint_catalog": "configurator.solver.lint",
    "list_price": "configurator.solver.session",
    "minimal_conflict": "configurator.solver.operations",
    "optimize": "configurator.solver.operations",
    "propagate": "configurator.solver.operations",
    "reconfigure": "configurator.solver.operations",
    "register_backend": "configurator.solver.backend",
    "repair": "configurator.solver.operations",
    "require": "configurator.solver.backend",
    "scope": "configurator.solver.problem",
    "top_k": "configurator.solver.operations",
}
"""The public names imported on first use, and the submodule each comes from."""


_import_on_first_use, __dir__ = _lazy_exports(__name__, _LAZY, globals())

if not typing.TYPE_CHECKING:  # type checkers see the imports above, so a misspelt name stays an error
    __getattr__ = _import_on_first_use
