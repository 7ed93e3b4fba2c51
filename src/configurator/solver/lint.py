"""Lint for product teams: what a catalog says that it probably does not mean.

Findings: a void catalog (no valid configuration at all), dead options (never selectable), false-optional
options (forced in every configuration although the catalog offers a choice), redundant rules (implied by
the others), unreachable services (their ``requires`` can never hold), missing translations. Each finding
names file:line and explains itself. Semantics come from the solver (exact), on a given date.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}},
    ...                 "motor": {"choose": "optional", "options": {"hub": {}}}},
    ...     "rules": [{"id": "no-carbon", "requires": "!frame.carbon"},
    ...               {"id": "again", "excludes": "frame.carbon"}]})
    >>> [(f.code, f.subject) for f in lint_catalog(cat)]
    [('false-optional', 'frame.alu'), ('dead-option', 'frame.carbon'), ('redundant-rule', 'no-carbon'), ('redundant-rule', 'again')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from configurator.catalog.compiled import compiled
from configurator.catalog.models import Catalog
from configurator.errors import Location, Problem
from configurator.solver import operations
from configurator.solver.backend import Backend, get_backend
from configurator.solver.compile import CatalogCompiler, CatalogProblem, compile_catalog_problem
from configurator.solver.problem import Constraint, Lit, Not
from configurator.solver.problem import Problem as SolverProblem

__all__ = ["Finding", "lint_catalog"]


@dataclass(frozen=True)
class Finding:
    """One lint finding: a code, the element it is about, where it is written and why it matters."""

    code: str
    subject: str
    location: Location
    message: str
    severity: str = "warning"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.code}: {self.message}"


def lint_catalog(
    catalog: Catalog,
    *,
    on: dt.date | None = None,
    warnings: list[Problem] | None = None,
    backend: Backend | str | None = None,
) -> list[Finding]:
    """Every lint finding of ``catalog`` on the date ``on`` (None: ignore effective dates).

    Args:
        catalog: the catalog.
        on: the date.
        warnings: the loader's warnings (missing translations), reported as findings.
        backend: the solver backend (default CP-SAT).
    """
    engine = backend if backend is not None and not isinstance(backend, str) else get_backend(backend)
    cp = compile_catalog_problem(catalog, on)
    problem = cp.problem
    if not engine.solve(problem).found:
        conflict = operations.explain(problem, {}, hard=(), backend=engine)
        blame = ", ".join(conflict.constraints) if conflict else "the structure"
        return [
            Finding(
                "void-catalog",
                catalog.catalog,
                catalog.locate("catalog"),
                f"no configuration satisfies every rule; minimal conflict: {blame}",
                "error",
            )
        ]
    domains = operations.propagate(problem, backend=engine)
    findings = _option_findings(catalog, cp, domains, on)
    findings += _redundant_rules(catalog, problem, engine)
    findings += _unreachable_services(catalog, problem, engine, on)
    for warning in warnings or []:
        findings.append(
            Finding(
                "translation",
                warning.location.path,
                warning.location,
                warning.message + (f" ({warning.hint})" if warning.hint else ""),
            )
        )
    return findings


def _option_findings(
    catalog: Catalog, cp: CatalogProblem, domains: Mapping[str, tuple[int, ...]], on: dt.date | None
) -> list[Finding]:
    """Dead options (never selectable) and false-optional ones (in every configuration)."""
    findings: list[Finding] = []
    for (module, option), literal in cp.option_literals().items():
        if not isinstance(literal, Lit):
            continue
        values = domains[literal.var]
        where = catalog.locate("modules", module, "options", option)
        mod = catalog.modules[module]
        if not (mod.effective(on) and mod.options[option].effective(on)):
            continue  # not on sale on this date: its absence is intended
        if not any(v in literal.values for v in values):
            findings.append(
                Finding(
                    "dead-option",
                    f"{module}.{option}",
                    where,
                    f"{module}.{option} can never be selected: no valid configuration contains it",
                )
            )
        elif all(v in literal.values for v in values) and not (mod.choose.min >= 1 and len(mod.options) == 1):
            findings.append(
                Finding(
                    "false-optional",
                    f"{module}.{option}",
                    where,
                    f"{module}.{option} is in every valid configuration although the catalog offers "
                    "a choice; make it mandatory or fix the rules that force it",
                )
            )
    return findings


def _redundant_rules(catalog: Catalog, problem: SolverProblem, engine: Backend) -> list[Finding]:
    """Rules implied by the others and the structure: without them, no configuration is added."""
    findings: list[Finding] = []
    rule_index = {r.id: i for i, r in enumerate(catalog.rules)}
    for constraint in problem.constraints:
        if constraint.kind in ("cardinality", "quantity") or constraint.id not in rule_index:
            continue  # structure, and sub-assemblies' own rules (lint the sub-assembly's catalog for those)
        others = tuple(c for c in problem.constraints if c is not constraint)
        negated = Constraint("negated", Not(constraint.expr), "lint")
        if not engine.solve(SolverProblem(problem.variables, (*others, negated))).found:
            index = rule_index[constraint.id]
            findings.append(
                Finding(
                    "redundant-rule",
                    constraint.id,
                    catalog.locate("rules", index),
                    f"rule {constraint.id} is implied by the other rules and the structure; "
                    "it never removes a configuration",
                )
            )
    return findings


def _unreachable_services(
    catalog: Catalog, problem: SolverProblem, engine: Backend, on: dt.date | None
) -> list[Finding]:
    """Services on sale whose ``requires`` no valid configuration meets."""
    findings: list[Finding] = []
    compiler = CatalogCompiler(catalog, on)
    compiler.structure()
    requires = compiled(catalog).service_requires
    for sid, service in catalog.services.items():
        if sid not in requires or not service.effective(on):
            continue
        expr = compiler.boolean(requires[sid])
        extended = operations.with_constraints(problem, Constraint(f"service:{sid}", expr, "service"))
        if not engine.solve(extended).found:
            findings.append(
                Finding(
                    "unreachable-service",
                    sid,
                    catalog.locate("services", sid, "requires"),
                    f"service {sid} requires {service.requires!r}, which no valid configuration meets",
                )
            )
    return findings
