"""Moved to :mod:`configurator.solver.lint`; this module re-exports its names for existing imports."""

from configurator.solver.lint import Finding, lint_catalog

__all__ = ["Finding", "lint_catalog"]
