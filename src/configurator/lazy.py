"""Public names imported on first use (PEP 562), so that importing a package stays cheap.

A package ``__init__`` lists its public names and the submodule each comes from, and installs the pair this
module makes: ``__getattr__`` imports a name from its submodule the first time it is asked for (and keeps it in
the package), ``__dir__`` lists every public name, imported yet or not. The ``__init__`` also imports the names
under ``typing.TYPE_CHECKING``, so type checkers see the real objects and a misspelt name stays an error.

Example:
    >>> namespace: dict[str, object] = {}
    >>> getattr_, dir_ = lazy_exports("shop", {"sqrt": "math"}, namespace)
    >>> getattr_("sqrt")(9.0), "sqrt" in namespace, dir_()
    (3.0, True, ['sqrt'])
    >>> getattr_("cube")
    Traceback (most recent call last):
    ...
    AttributeError: module 'shop' has no attribute 'cube'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, names: Mapping[str, str], namespace: MutableMapping[str, object]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose public names are imported on first use.

    Args:
        package: the package's ``__name__`` (for the error message).
        names: each public name and the module it is imported from.
        namespace: the package's ``globals()``, where an imported name is kept.

    Returns:
        ``(__getattr__, __dir__)`` to assign in the package.
    """

    def import_on_first_use(name: str) -> object:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def listing() -> list[str]:
        return sorted(set(namespace) | set(names))

    return import_on_first_use, listing
