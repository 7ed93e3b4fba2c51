"""The package's shape: the import contract holds, the architecture page matches it, files stay small."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import configurator
from support import ROOT, isort_key

SRC = ROOT / "src" / "configurator"
MAX_LINES = 800
MAX_FUNCTION_LINES = 80


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    assert isinstance(contracts, list)
    return contracts


def _layers() -> list[str]:
    (layers,) = [c["layers"] for c in _contracts() if c["type"] == "layers"]
    assert isinstance(layers, list)
    return [str(layer) for layer in layers]


def test_import_contract_holds() -> None:
    """`lint-imports` keeps every contract: layers only import downward, third-party libraries stay in their adapter."""
    script = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(script), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_contract_names_every_package() -> None:
    """Every package of configurator is a layer of the contract (a new package must be placed)."""
    named = {name.strip() for layer in _layers() for name in re.split(r"[:|]", layer)}
    packages = {info.name for info in pkgutil.iter_modules([str(SRC)]) if info.ispkg}
    assert packages - named == set(), "add these packages to the layers in pyproject.toml"
    assert {"errors", "settings"} <= named


def test_architecture_page_lists_the_layers_in_order() -> None:
    """docs/architecture.md's layer table names the contract's layers, top to bottom."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("<!-- layers:", 1)[1].split("\n\n", 2)[1]
    rows = [
        line
        for line in table.splitlines()
        if line.startswith("| ") and not line.startswith(("| layer", "| --"))
    ]
    documented = [sorted(re.findall(r"`([a-z]+)`", row.split("|")[2])) for row in rows]
    expected = [sorted(name.strip() for name in re.split(r"[:|]", layer)) for layer in _layers()]
    assert documented == expected


def _source_files() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def test_no_source_file_is_over_the_limit() -> None:
    """No module in src/ is longer than 800 lines: a longer one holds more than one concept."""
    long = {
        str(p.relative_to(ROOT)): n
        for p in _source_files()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_long_functions_say_why() -> None:
    """A function with over 80 lines of code says in its docstring why it is one piece ("Why one piece:")."""
    unexplained: list[str] = []
    for path in _source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                doc = ast.get_docstring(node) or ""
                body = node.body[1:] if doc and len(node.body) > 1 else node.body
                length = node.end_lineno - body[0].lineno + 1  # the code, not the docstring
                if length > MAX_FUNCTION_LINES and "why one piece:" not in doc.lower():
                    unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert unexplained == []


def _packages() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(configurator.__path__, "configurator.")
        if info.ispkg and ".migrations" not in info.name
    )


@pytest.mark.parametrize("name", _packages())
def test_package_exports_a_sorted_all(name: str) -> None:
    """Each package lists its public names in a sorted ``__all__``, every one importable and none private."""
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert list(exported) == sorted(exported, key=isort_key)
    assert [n for n in exported if n.startswith("_")] == []
    for public in exported:
        assert getattr(module, public) is not None


def test_no_private_names_cross_packages() -> None:
    """No module imports an underscore name from another package of configurator."""
    crossings: list[str] = []
    for path in _source_files():
        package = path.relative_to(SRC).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("configurator."):
                target = node.module.split(".")[1]
                private = [a.name for a in node.names if a.name.startswith("_") and a.name != "__version__"]
                if target != package and private:
                    crossings.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module}: {private}")
    assert crossings == []
