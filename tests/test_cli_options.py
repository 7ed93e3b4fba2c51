"""One calling style: the same concept has the same option name in every command, old spellings still work."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup, TyperOption
from typer.testing import CliRunner

from configurator import cli
from configurator.cli import main
from configurator.cli.params import OPTION_ALIASES

CONCEPTS: dict[str, tuple[str, ...]] = {
    "url": ("--database",),
    "database": ("--database",),
    "tenant": ("--tenant",),
    "locale": ("--locale",),
    "as_json": ("--json",),
    "output": ("--output", "-o"),
    "out": ("--output", "-o"),
}
"""The shared concepts (by parameter name) and the one spelling each must have wherever it appears."""


def _options() -> list[tuple[str, TyperOption]]:
    """Every option of every command of the app, with the command's path."""
    found: list[tuple[str, TyperOption]] = []

    def walk(command: object, path: str) -> None:
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}".strip())
            return
        for param in getattr(command, "params", []):
            if isinstance(param, TyperOption):
                found.append((path, param))

    walk(typer.main.get_command(cli.app), "")
    return found


def test_walk_finds_the_commands() -> None:
    """The walk reaches the top-level commands and the sub-commands of every group."""
    commands = {path for path, _ in _options()}
    assert {"check", "quote", "customers ingest", "db upgrade", "keys create", "customers tiers"} <= commands


def test_each_shared_concept_has_one_spelling() -> None:
    """Database URL, tenant, locale, JSON and output file are spelt the same in every command."""
    wrong = [
        f"{path}: {param.name} is {'/'.join(param.opts)}, expected {'/'.join(CONCEPTS[param.name])}"
        for path, param in _options()
        if param.name in CONCEPTS and tuple(param.opts) != CONCEPTS[param.name]
    ]
    assert wrong == []


def test_each_option_name_means_one_thing() -> None:
    """An option name used by several commands is the same kind of option (flag or value) everywhere."""
    kinds: dict[str, set[bool]] = defaultdict(set)
    for _, param in _options():
        for name in param.opts:
            kinds[name].add(bool(param.is_flag))
    assert {name: kind for name, kind in kinds.items() if len(kind) > 1} == {}


def test_every_database_option_is_called_database() -> None:
    """Every option whose help speaks of the database URL is ``--database``, whatever its parameter name."""
    names = {
        "/".join(param.opts)
        for _, param in _options()
        if param.help and param.help.startswith("Database URL")
    }
    assert names == {"--database"}


def test_old_spellings_are_hidden_aliases() -> None:
    """``--url`` and ``--out`` are declared nowhere and shown in no help, yet map to the canonical names."""
    declared = {name for _, param in _options() for name in param.opts + param.secondary_opts}
    assert not {f"--{old}" for old in OPTION_ALIASES} & declared
    shown = CliRunner().invoke(cli.app, ["db", "current", "--help"], terminal_width=200).output
    assert "--database" in shown
    assert "--url" not in shown


@pytest.mark.parametrize("spelling", ["--database", "--url"])
def test_database_option_and_its_alias_reach_the_same_database(
    spelling: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--database URL`` and the older ``--url URL`` both pick the database the command uses."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    assert main(["db", "upgrade", spelling, url]) == 0
    assert main(["db", "current", f"{spelling}={url}"]) == 0
    assert "shop.db" in capsys.readouterr().out


def test_configure_help_documents_every_complete_strategy() -> None:
    """``configure --help`` names each ``complete`` strategy and what fills a module without a recommendation."""
    from configurator.cli.configure import STRATEGIES

    shown = CliRunner().invoke(cli.app, ["configure", "--help"], terminal_width=200).output
    for strategy in STRATEGIES:
        assert strategy in shown
    assert "its default, else the cheapest option, else its first option" in " ".join(shown.split())


def test_configure_complete_refuses_needs_without_customer_and_unknown_strategies() -> None:
    """``complete needs`` without a customer and an unknown strategy are refused with the strategies to use."""
    import io

    from rich.console import Console

    from configurator.catalog.models import Catalog
    from configurator.cli.configure import run_interactive

    bike = Catalog.model_validate(
        {
            "catalog": "bike",
            "version": "1",
            "currency": "EUR",
            "locales": ["en"],
            "modules": {"frame": {"options": {"alu": {"price": 400}}}},
        }
    )
    buffer = io.StringIO()
    run_interactive(bike, None, Console(file=buffer, width=200), lines=["complete needs", "complete best"])
    text = buffer.getvalue()
    assert "error: complete needs is for a returning customer" in text
    assert "unknown completion strategy 'best'; use defaults, recommended, cheapest, needs" in text
