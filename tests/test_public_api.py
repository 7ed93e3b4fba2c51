"""The public API: what `import configurator` offers, and that no module evaluates code."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import configurator

SRC = Path(configurator.__file__).resolve().parent
REQUIRED = {
    "Catalog",
    "load_catalog",
    "validate_catalog",
    "find_violations",
    "Violation",
    "CatalogError",
    "ConfiguratorError",
    "Configuration",
    "load_configuration",
    "dump_catalog",
    "parse_expression",
    "compile_expression",
}


def test_all_is_sorted() -> None:
    """configurator.__all__ is sorted and has no duplicates."""
    assert configurator.__all__ == sorted(configurator.__all__)
    assert len(set(configurator.__all__)) == len(configurator.__all__)


def test_every_name_in_all_is_importable() -> None:
    """Every name in __all__ exists (from configurator import * works)."""
    namespace: dict[str, object] = {}
    exec("from configurator import *", namespace)
    for name in configurator.__all__:
        assert getattr(configurator, name) is namespace[name]


def test_required_names_are_public() -> None:
    """The documented entry points are all in __all__."""
    assert set(configurator.__all__) >= REQUIRED


def test_every_reexported_symbol_is_listed() -> None:
    """Every public name the package offers, imported at once or on first use, is listed in __all__."""
    public = {
        name
        for name in dir(configurator)
        if not name.startswith("_") and not isinstance(getattr(configurator, name), ModuleType)
    }
    assert public == set(configurator.__all__)


def _modules() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.walk_packages([str(SRC)], prefix="configurator.")
        if not m.name.endswith("__main__")
    )


@pytest.mark.parametrize("name", _modules())
def test_every_module_imports_and_its_all_resolves(name: str) -> None:
    """Every submodule imports, and every name in its __all__ is defined."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:  # an optional extra (api, pdf, scale...) that is not installed
        if (exc.name or "").startswith("configurator"):
            raise
        pytest.skip(f"optional dependency {exc.name} is not installed")
    for item in getattr(module, "__all__", []):
        assert hasattr(module, item), f"{name}.__all__ lists missing {item!r}"


def test_public_functions_have_docstrings() -> None:
    """Every name exported by the package is documented."""
    for name in configurator.__all__:
        assert inspect.getdoc(getattr(configurator, name)), name


FORBIDDEN = {"eval", "exec", "compile", "__import__"}


def _dangerous_calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN:
            found.append(f"{func.id}() at line {node.lineno}")
        elif isinstance(func, ast.Attribute) and func.attr in FORBIDDEN:
            owner = func.value.id if isinstance(func.value, ast.Name) else ""
            # obj.compile() of one's own classes (solvers, regular expressions) is not the builtin.
            if func.attr in ("eval", "exec") or owner == "builtins":
                found.append(f"{owner}.{func.attr}() at line {node.lineno}")
    return found


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_evaluates_code(path: Path) -> None:
    """No module calls eval, exec, compile or __import__ (methods named compile aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    assert _dangerous_calls(tree) == []


def test_the_scanner_finds_dangerous_calls() -> None:
    """The scan recognises eval, exec, compile and builtins.eval, and lets methods named compile through."""
    tree = ast.parse(
        "eval('1')\nexec('x')\ncompile('1', 'f', 'eval')\nbuiltins.eval('2')\nre.compile('x')\nsolver.compile()\n"
    )
    assert _dangerous_calls(tree) == [
        "eval() at line 1",
        "exec() at line 2",
        "compile() at line 3",
        "builtins.eval() at line 4",
    ]


def test_version() -> None:
    """The package has a version string."""
    assert isinstance(configurator.__version__, str) and configurator.__version__
