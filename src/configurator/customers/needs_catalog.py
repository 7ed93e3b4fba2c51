"""Moved to :mod:`configurator.needs.catalog`; old import path kept."""

from configurator.needs.catalog import CONFIGURED_PARTIAL_IMPORTANCE, CatalogNeedsView

__all__ = ["CONFIGURED_PARTIAL_IMPORTANCE", "CatalogNeedsView"]
