"""The command line starts light: importing it loads no heavy library, and every command is still listed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from configurator import cli
from support import ROOT

HEAVY = (
    "ortools",
    "polars",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "jinja2",
    "weasyprint",
    "numpy",
    "scipy",
    "dd",
    "babel",
    "configurator.solver.session",
    "configurator.storage",
    "configurator.quoting",
    "configurator.needs.models",
)
"""Libraries and product packages that no command line start-up may load."""


def _loaded_after(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter and return which of HEAVY it left in ``sys.modules``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_command_line_loads_no_heavy_module() -> None:
    """`import configurator.cli` leaves ortools, polars, sqlalchemy, fastapi, jinja2, scipy, dd... unloaded."""
    assert _loaded_after("import configurator.cli") == []


def test_importing_the_package_loads_no_heavy_module() -> None:
    """`import configurator` defers every public name that needs a heavy library to its first use."""
    assert _loaded_after("import configurator") == []


def test_validate_loads_only_what_it_needs() -> None:
    """`configurator validate` on a catalog runs without the solver, storage, quoting or data-frame libraries."""
    code = (
        "from configurator.cli import main\n"
        "assert main(['validate', '--quiet', 'catalogs/ebike.yaml']) == 0\n"
    )
    assert _loaded_after(code) == []


def _command_names(group: typer.Typer) -> list[str]:
    command = typer.main.get_command(group)
    assert hasattr(command, "commands")
    return sorted(command.commands)


def test_help_lists_every_command() -> None:
    """`configurator --help` lists every top-level command and group (quote, customers, db, needs included)."""
    result = CliRunner().invoke(cli.app, ["--help"], terminal_width=200)
    names = _command_names(cli.app)
    assert result.exit_code == 0
    assert {"validate", "check", "count", "quote", "customers", "db", "needs", "serve"} <= set(names)
    for name in names:
        assert f" {name} " in result.output, name


@pytest.mark.parametrize("group", ["customers", "db", "needs"])
def test_group_help_lists_every_subcommand(group: str) -> None:
    """`configurator GROUP --help` lists every command of the group."""
    command = typer.main.get_command(cli.app)
    assert hasattr(command, "commands")
    subcommands = sorted(command.commands[group].commands)
    result = CliRunner().invoke(cli.app, [group, "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert subcommands
    for name in subcommands:
        assert f" {name} " in result.output, name


def test_defaults_kept_in_the_command_line_match_their_sources() -> None:
    """The region, consent purposes and needs models the CLI names without importing them are the real ones."""
    from configurator.cli import customers as cli_customers
    from configurator.cli import needs as cli_needs
    from configurator.customers.consent import PURPOSES
    from configurator.customers.identity import DEFAULT_REGION
    from configurator.needs.models import MODELS

    assert cli_customers.DEFAULT_REGION == DEFAULT_REGION
    assert cli_customers.PURPOSES == PURPOSES
    assert tuple(MODELS) == cli_needs.MODEL_NAMES
