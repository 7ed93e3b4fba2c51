"""Catalogs converted from public models of the benchmark data, for the benchmarks that run on them.

``converted`` writes what ``configurator convert`` makes of a model (options unpriced) to a folder and loads
it back; None when the benchmark data is absent (the caller says SKIPPED).
"""

from __future__ import annotations

from pathlib import Path

from configurator.catalog.loader import load_catalog
from configurator.catalog.models import Catalog
from configurator.io import load_model
from configurator.io.benchdata import benchdata_path
from configurator.io.to_catalog import dump_problem_catalog

MEGANE = "renault-clib-megane"
"""The Renault CLib model (99 variables, 111 compatibility tables of 112,680 rows)."""
PC_CONFIGURATOR = "featureide-examples/ExtendedFeatureModeling/PcConfigurator/model.xml"
"""A FeatureIDE feature model of 377 options."""


def converted(relative: str, label: str, folder: Path) -> Catalog | None:
    """The catalog ``configurator convert`` makes of a public model, or None when the data is absent.

    Args:
        relative: the model's path under the benchmark data.
        label: a label whose last word names the catalog.
        folder: where the catalog's YAML is written.
    """
    path = benchdata_path() / relative
    if not path.exists():
        return None
    ident = label.split()[-1].lower().replace("_", "-")
    out = folder / f"{ident}.yaml"
    out.write_text(dump_problem_catalog(load_model(path), catalog_id=ident), encoding="utf-8")
    return load_catalog(out)
