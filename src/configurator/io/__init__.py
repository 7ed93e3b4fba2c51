"""Importers of third-party configuration models; :func:`load_model` picks the format from the path.

=====================================  ==================================================================
path                                   format
=====================================  ==================================================================
``*.uvl``                              UVL (:mod:`configurator.io.uvl`)
``*.splx``, ``*.sxfm``                 SPLOT SXFM (:mod:`configurator.io.sxfm`)
``*.xml``, root ``featureModel`` or    FeatureIDE XML (:mod:`configurator.io.featureide`)
``extendedFeatureModel``
``*.xml``, root ``feature_model``      SPLOT SXFM
``*.xml``, ``*.xml.xz``, root           XCSP3 (:mod:`configurator.io.xcsp3`, ``load_xcsp3``)
``instance format="XCSP3"``
``*.xml``, ``*.xml.xz``, any other     XCSP 2.1 (:mod:`configurator.io.xcsp`, ``load_xcsp``)
root
a folder with ``*_domains.txt``        CLib tables (:mod:`configurator.io.clib`)
=====================================  ==================================================================

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "car.uvl"
    >>> _ = path.write_text("features\\n  Car\\n    optional\\n      Turbo\\n")
    >>> problem = load_model(path)
    >>> problem.names, problem.meta["format"]
    (('Car', 'Turbo'), 'uvl')
    >>> load_model(path.with_suffix(".json"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    configurator.errors.ModelFormatError: .../car.json: unknown model format; supported: ...
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import cast

from configurator.errors import ModelFormatError
from configurator.io._read import open_model
from configurator.io._xml import is_compressed, read_xml_bytes, root_element
from configurator.io.clib import find_domains_file, load_clib
from configurator.io.featureide import ROOT_TAGS, load_featureide, parse_featureide
from configurator.io.featuremodel import (
    AttributeValue,
    CrossTreeConstraint,
    Feature,
    FeatureModel,
    Group,
    Unsupported,
    selected,
)
from configurator.io.sxfm import load_sxfm, parse_sxfm
from configurator.io.to_catalog import dump_problem_catalog, problem_to_catalog
from configurator.io.uvl import dump_uvl, load_uvl, parse_uvl
from configurator.solver.problem import Problem

__all__ = [
    "SUPPORTED_FORMATS",
    "AttributeValue",
    "CrossTreeConstraint",
    "Feature",
    "FeatureModel",
    "Group",
    "Unsupported",
    "dump_problem_catalog",
    "dump_uvl",
    "load_clib",
    "load_featureide",
    "load_model",
    "load_sxfm",
    "load_uvl",
    "parse_featureide",
    "parse_sxfm",
    "parse_uvl",
    "problem_to_catalog",
    "selected",
]

SUPPORTED_FORMATS = (
    "UVL (.uvl)",
    "SPLOT SXFM (.splx, .sxfm)",
    "FeatureIDE XML (.xml with <featureModel> or <extendedFeatureModel>)",
    'XCSP3 (.xml or .xml.xz with <instance format="XCSP3">)',
    "XCSP 2.1 (.xml or .xml.xz)",
    "CLib tables (a folder with *_domains.txt and *_rules/*.pm)",
)
"""What :func:`load_model` reads, for messages and docs."""


def load_model(path: str | Path, *, lenient: bool = False) -> Problem:
    """Load a model file (or CLib folder) as a Problem, picking the importer from the suffix and content.

    Args:
        path: the file, or the folder of a CLib model.
        lenient: UVL only: skip constructs outside the Boolean core instead of raising; they are listed in
            ``Problem.meta["unsupported"]``.

    Raises:
        ModelFormatError: for an unknown format (listing the supported ones) or a malformed file.
        FileNotFoundError: when ``path`` does not exist.
    """
    path = Path(path)
    if path.is_dir():
        if find_domains_file(path) is not None:
            return load_clib(path)
        raise _unknown(path, "a folder without a '*_domains.txt' file")
    suffix = path.suffix.lower()
    if is_compressed(path) and path.stem.lower().endswith(".xml"):
        suffix = ".xml.xz"
    if suffix not in (".uvl", ".splx", ".sxfm", ".xml", ".xml.xz"):
        raise _unknown(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    if suffix == ".uvl":
        return load_uvl(path, lenient=lenient).to_problem()
    if suffix in (".splx", ".sxfm"):
        return load_sxfm(path).to_problem()
    if suffix == ".xml.xz":
        with open_model(path) as stream:
            if stream.read(len(_XZ_MAGIC)) != _XZ_MAGIC:
                raise _unknown(path, "named .xz but not xz-compressed")
    tag, attrs = root_element(path)
    if tag == "instance" and attrs.get("format") == "XCSP3":
        return _xcsp_loader(path, tag, "xcsp3", "load_xcsp3")(path)
    if suffix == ".xml.xz":
        if tag != "instance":
            raise _unknown(path, f"compressed XML is read for XCSP only, found root <{tag}>")
        parse = _xcsp_loader(path, tag, "xcsp", "parse_xcsp")
        return cast(Callable[..., Problem], parse)(read_xml_bytes(path), source=str(path))
    if tag in ROOT_TAGS:
        return load_featureide(path).to_problem()
    if tag == "feature_model":
        return load_sxfm(path).to_problem()
    return _xcsp_loader(path, tag, "xcsp", "load_xcsp")(path)


_XZ_MAGIC = b"\xfd7zXZ\x00"
"""The first bytes of every xz file."""


def _xcsp_loader(path: Path, tag: str, module_name: str, function: str) -> Callable[[str | Path], Problem]:
    qualified = f"configurator.io.{module_name}"
    try:
        module = importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        if exc.name != qualified:
            raise
        raise ModelFormatError(
            f"{path}: looks like XCSP (root <{tag}>), but the XCSP importer ({qualified}) is not installed"
        ) from None
    loader = getattr(module, function, None)
    if loader is None:
        raise ModelFormatError(f"{path}: {qualified} has no {function}")
    return cast(Callable[[str | Path], Problem], loader)


def _unknown(path: Path, what: str = "") -> ModelFormatError:
    return ModelFormatError(
        f"{path}: unknown model format{f' ({what})' if what else ''}; supported: {'; '.join(SUPPORTED_FORMATS)}"
    )
