"""Each package exports its public names in a sorted ``__all__``; the lazy ones load nothing heavy on import."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import pytest

from support import ROOT, isort_key

PACKAGES = (
    "configurator.assembly",
    "configurator.campaign",
    "configurator.customers",
    "configurator.needs",
    "configurator.offer",
    "configurator.quoting",
    "configurator.simulate",
)
"""Packages whose ``__init__`` exports public names."""

LAZY = {
    "configurator.customers": ("polars", "numpy", "scipy", "sqlalchemy"),
    "configurator.quoting": ("jinja2", "babel", "sqlalchemy", "configurator.solver.session"),
}
"""Packages that import their names on first use, and what importing them must not load."""


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_every_name_resolves(name: str) -> None:
    """``__all__`` is in RUF022 order, has no duplicates, and every name in it can be reached."""
    package = importlib.import_module(name)
    exported = list(package.__all__)
    assert exported == sorted(set(exported), key=isort_key)
    for attribute in exported:
        assert getattr(package, attribute) is not None, attribute
        assert attribute in dir(package), attribute


@pytest.mark.parametrize("name", sorted(LAZY))
def test_lazy_packages_load_nothing_heavy(name: str) -> None:
    """Importing the package leaves its heavy dependencies unloaded until a name is used."""
    heavy = list(LAZY[name])
    probe = f"import {name}, sys, json\nprint(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize("name", sorted(LAZY))
def test_lazy_names_are_not_shadowed_by_submodules(name: str) -> None:
    """No lazily exported name is also a submodule's name (importing the submodule would replace it)."""
    package = importlib.import_module(name)
    submodules = {info.name for info in pkgutil.iter_modules(package.__path__)}
    assert set(package.__all__) & submodules == set()
