"""Catalog language: models, YAML loading with located errors, configurations and compiled expressions."""

from configurator.catalog.check import CatalogEnvironment, Violation, find_violations
from configurator.catalog.compiled import CompiledCatalog, CompiledRule, compile_catalog, compiled
from configurator.catalog.configuration import Configuration, load_configuration
from configurator.catalog.dump import dump_catalog
from configurator.catalog.loader import LoadReport, load_catalog, validate_catalog
from configurator.catalog.models import (
    Attribute,
    BundleDiscount,
    Cardinality,
    Catalog,
    Library,
    Module,
    Option,
    Pricing,
    Quantity,
    Rule,
    Service,
    Table,
    TierDiscount,
    VolumeBreak,
)

__all__ = [
    "Attribute",
    "BundleDiscount",
    "Cardinality",
    "Catalog",
    "CatalogEnvironment",
    "CompiledCatalog",
    "CompiledRule",
    "Configuration",
    "Library",
    "LoadReport",
    "Module",
    "Option",
    "Pricing",
    "Quantity",
    "Rule",
    "Service",
    "Table",
    "TierDiscount",
    "Violation",
    "VolumeBreak",
    "compile_catalog",
    "compiled",
    "dump_catalog",
    "find_violations",
    "load_catalog",
    "load_configuration",
    "validate_catalog",
]
