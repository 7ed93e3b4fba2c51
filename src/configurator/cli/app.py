"""The ``configurator`` command line (Typer + Rich): the Typer app and :func:`main`.

Exit codes: 0 success, 1 the input is invalid (catalog errors, configuration violations), 2 usage or input
that cannot be read. Every :class:`~configurator.errors.ConfiguratorError` becomes a message, never a traceback.

The commands live in one module per group: :mod:`~configurator.cli.catalog` (validate, check, lint, schema),
:mod:`~configurator.cli.solver` (count, convert, optimize), :mod:`~configurator.cli.configure`,
:mod:`~configurator.cli.serve`, :mod:`~configurator.cli.quote`, :mod:`~configurator.cli.customers` (with the
value commands of :mod:`~configurator.cli.value`, and ``db``) and :mod:`~configurator.cli.needs`; this module
puts them together in the order ``configurator --help`` lists them.

The command line starts at once: these modules import only Typer and the errors at load time; each command
imports what it needs (the catalog loader, the solver, the database layer, polars...) when it runs, and Rich
when it first prints (:mod:`configurator.cli.output`).

Example:
    >>> main(["check", "--on", "soon", "catalog.yaml", "configuration.yaml"])
    2
"""

from __future__ import annotations

import sys

import typer

from configurator.cli import catalog, configure, serve, solver
from configurator.cli.access import keys_app, users_app
from configurator.cli.analytics import analytics
from configurator.cli.campaign import campaign
from configurator.cli.catalog_tests import run_catalog_tests
from configurator.cli.customers import customers_app, db_app
from configurator.cli.needs import needs_app
from configurator.cli.output import err as _err
from configurator.cli.params import CONTEXT_SETTINGS
from configurator.cli.quote import quote
from configurator.cli.simulate import simulate
from configurator.cli.value import register
from configurator.errors import ConfiguratorError

__all__ = ["app", "main"]

app = typer.Typer(
    name="configurator",
    help="Product catalogs, valid bundles and personalised quotes, one customer at a time.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings=CONTEXT_SETTINGS,
)

app.command()(catalog.validate)
app.command()(catalog.check)
app.command()(solver.count)
app.command()(solver.convert)
app.command()(catalog.lint)
app.command()(solver.optimize)
app.command()(configure.configure)
app.command()(serve.serve)
app.command()(catalog.schema)
app.command("test")(run_catalog_tests)
app.command("analytics")(analytics)
register(customers_app)
app.add_typer(customers_app, name="customers")
app.add_typer(db_app, name="db")
app.add_typer(needs_app, name="needs")
app.add_typer(keys_app, name="keys")
app.add_typer(users_app, name="users")
app.command("quote")(quote)
app.command("simulate")(simulate)
app.command("campaign")(campaign)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; map every ConfiguratorError to a message and exit code 2.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit code: 0 success, 1 invalid input, 2 usage or unreadable input.
    """
    try:
        app(args=argv, prog_name="configurator")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except ConfiguratorError as exc:
        _err().print(f"error: {exc}", markup=False)
        return 2
    return 0  # pragma: no cover - Typer always exits


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
