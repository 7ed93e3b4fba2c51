"""Moved to :mod:`configurator.catalog.check`; this module re-exports its names for existing imports."""

from configurator.catalog.check import CatalogEnvironment, Violation, find_violations

__all__ = ["CatalogEnvironment", "Violation", "find_violations"]
