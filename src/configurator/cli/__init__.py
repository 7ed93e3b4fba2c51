"""The ``configurator`` command line (Typer + Rich): ``main`` runs it, ``app`` is the Typer app.

The console script ``configurator`` calls :func:`main`. Each command group lives in a module of this package
(:mod:`configurator.cli.catalog`, :mod:`configurator.cli.solver`, :mod:`configurator.cli.customers`...);
:mod:`configurator.cli.app` puts them together. Importing the package loads only Typer and the errors: each
command imports what it needs when it runs.

Note that ``configurator.cli.app`` as an attribute is the Typer app; import the module's other names with
``from configurator.cli.app import ...``.

Example:
    >>> from configurator.cli import main
    >>> main(["schema", "--help"])  # doctest: +ELLIPSIS
    <BLANKLINE>
    ...Usage: configurator schema [OPTIONS]...
    0
"""

from __future__ import annotations

from configurator.cli.app import app, main

__all__ = ["app", "main"]
