"""Tests of the solver commands of the CLI: count, lint, optimize and the interactive configure."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from configurator.catalog.check import find_violations
from configurator.catalog.loader import load_catalog
from configurator.cli import main
from configurator.cli.configure import returning_customer, run_interactive
from support import ROOT, Writer, demo_store

BIKE = """\
catalog: bike
version: "1"
currency: EUR
locales: [en]
attributes:
  weight_g: {type: int}
modules:
  frame:
    default: alu
    options:
      alu: {price: 400, attrs: {weight_g: 1600}}
      carbon: {price: 1200, attrs: {weight_g: 950}}
  motor:
    choose: optional
    options:
      hub: {price: 700, attrs: {weight_g: 2300}}
      mid: {price: 900.50, attrs: {weight_g: 2350}}
  extras:
    choose: any
    options:
      bell: {price: 10}
      cage: {price: 5, qty: {max: 2}}
rules:
  - id: no-hub
    excludes: [frame.carbon, motor.hub]
  - id: light
    constraint: "sum(weight_g) <= 3920"
"""
# frame x motor: alu-none, alu-hub, carbon-none, carbon-mid (alu-mid weighs 3950 g); extras: 2 x 3
BIKE_COUNT = 4 * 6
DAY = "2026-11-23"


@pytest.fixture
def bike(write: Writer) -> Path:
    """The bike catalog as a file."""
    return write("bike.yaml", BIKE)


def test_count_prints_an_integer_last(bike: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``count`` prints the exact number of valid configurations as a plain integer on its last line."""
    assert main(["count", str(bike), "--on", DAY]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == str(BIKE_COUNT)


def test_count_takes_diagram_budgets(bike: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--max-nodes`` and ``--time-limit`` set the diagram's budgets; the count is the same."""
    assert main(["count", str(bike), "--on", DAY, "--max-nodes", "50000", "--time-limit", "30"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == str(BIKE_COUNT)


def test_count_of_a_void_catalog(write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    """A catalog without valid configurations counts 0."""
    path = write("void.yaml", BIKE + "  - id: void\n    requires: frame.carbon & frame.alu\n")
    assert main(["count", str(path), "--on", DAY]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "0"


def test_count_of_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A catalog that cannot be read is an error message and exit code 2, not a traceback."""
    assert main(["count", str(tmp_path / "nope.yaml")]) == 2
    assert "error:" in capsys.readouterr().err


def test_lint_reports_findings(write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``lint`` prints each finding with file:line and a summary; warnings alone exit 0."""
    write("bike.yaml", BIKE + "  - id: no-carbon\n    excludes: frame.carbon\n")
    assert main(["lint", "bike.yaml", "--on", DAY]) == 0
    out = capsys.readouterr().out
    line = next(i for i, text in enumerate(BIKE.splitlines(), 1) if text.startswith("      carbon:"))
    assert f"bike.yaml:{line}:" in out and "dead-option: frame.carbon can never be selected" in out
    assert out.strip().splitlines()[-1].startswith("bike.yaml: ") and "findings" in out


def test_lint_a_void_catalog_fails(write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A void catalog is an error-level finding: exit 1."""
    write("void.yaml", BIKE + "  - id: void\n    requires: frame.carbon & frame.alu\n")
    assert main(["lint", "void.yaml", "--on", DAY]) == 1
    out = capsys.readouterr().out
    assert "error: void-catalog" in out and "void" in out


def test_lint_an_invalid_catalog(write: Writer, in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A catalog that does not load prints its errors and exits 1."""
    write(
        "bad.yaml", BIKE.replace("excludes: [frame.carbon, motor.hub]", "excludes: [frame.carbn, motor.hub]")
    )
    assert main(["lint", "bad.yaml"]) == 1
    assert "frame.carbon" in capsys.readouterr().out


def test_lint_example_catalogs(in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The example catalogs lint without error-level findings."""
    assert main(["lint", "catalogs/laptop.yaml", "catalogs/valve.yaml", "--on", DAY]) == 0
    out = capsys.readouterr().out
    assert "catalogs/laptop.yaml: " in out and "catalogs/valve.yaml: " in out


def test_optimize_cheapest_json(bike: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``optimize`` without weights finds the cheapest bundle; --json prints status, utility, price, selections."""
    assert main(["optimize", str(bike), "--json", "--on", DAY]) == 0
    (bundle,) = json.loads(capsys.readouterr().out)
    assert bundle == {
        "status": "optimal",
        "utility": -400.0,
        "price": "400",
        "selections": {"frame": {"alu": 1}},
    }


def test_optimize_with_weights_top_and_budget(
    bike: Path, write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Weights rank bundles, --top gives diverse ones in order, --budget is a hard limit."""
    weights = write("w.yaml", "options: {motor.mid: 5, motor.hub: 3, extras.bell: 1}\nprice: -0.001\n")
    assert main(["optimize", str(bike), "--weights", str(weights), "--json", "--top", "3", "--on", DAY]) == 0
    bundles = json.loads(capsys.readouterr().out)
    assert len(bundles) == 3
    assert bundles[0]["selections"] == {"frame": {"carbon": 1}, "motor": {"mid": 1}, "extras": {"bell": 1}}
    utilities = [b["utility"] for b in bundles]
    assert utilities == sorted(utilities, reverse=True)
    assert len({json.dumps(b["selections"], sort_keys=True) for b in bundles}) == 3
    catalog = load_catalog(bike)
    for b in bundles:
        assert find_violations(catalog, b["selections"], on=dt.date(2026, 11, 23)) == []

    assert main(["optimize", str(bike), "--weights", str(weights), "--budget", "1200", "--on", DAY]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. optimal") and "motor.hub" in out and "price=1110 EUR" in out

    assert main(["optimize", str(bike), "--budget", "399.99", "--on", DAY]) == 1
    assert "no configuration fits" in capsys.readouterr().out


def test_optimize_rejects_bad_input(bike: Path, write: Writer, capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed budget or weights file is exit code 2 with a message."""
    assert main(["optimize", str(bike), "--budget", "cheap"]) == 2
    assert "expected an amount" in capsys.readouterr().err
    bad = write("bad.yaml", "options: {motor.mid: lots}\n")
    assert main(["optimize", str(bike), "--weights", str(bad)]) == 2
    assert "weights must be numbers" in capsys.readouterr().err
    odd = write("odd.yaml", "colour: red\n")
    assert main(["optimize", str(bike), "--weights", str(odd)]) == 2
    assert "expected a mapping" in capsys.readouterr().err


def interact(bike: Path, lines: list[str]) -> str:
    """Run the interactive configurator on scripted lines; return what it printed."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, highlight=False, color_system=None)
    run_interactive(load_catalog(bike), dt.date(2026, 11, 23), console, lines=lines)
    return buffer.getvalue()


def test_configure_shows_only_valid_choices(bike: Path) -> None:
    """The configurator shows the valid options of each module and narrows them after a choice."""
    out = interact(bike, ["select frame.carbon", "quit", "count"])
    blocks = out.split("frame (frame): ")
    assert blocks[1].splitlines()[:3] == [
        " alu  carbon",
        "motor (motor):  hub  mid",
        "extras (extras):  bell  cage",
    ]
    assert blocks[2].splitlines()[:2] == ["*carbon", "motor (motor):  mid"]
    assert out.strip().splitlines()[-1].startswith("extras")  # nothing runs after quit


def test_configure_explains_and_repairs(bike: Path) -> None:
    """A choice that is not possible is refused with its reason and the repair; why, count, complete work."""
    out = interact(
        bike,
        [
            "select frame.carbon",
            "select motor.hub",
            "why motor.hub",
            "why motor.mid",
            "count",
            "complete cheapest",
            "repair",
            "",
        ],
    )
    assert "motor.hub is not possible: choices frame.carbon; rules no-hub" in out
    assert "to choose it, give up: frame.carbon" in out
    assert "blocked by choices frame.carbon; rules no-hub" in out
    assert "\npossible\n" in out
    assert "\n12\n" in out  # carbon with the mid motor or none, times 2 x 3 extras
    assert "frame.carbon\n" in out
    assert "nothing to repair" in out


def test_configure_commands_and_errors(bike: Path) -> None:
    """deselect, unset, help and the error paths print messages and keep the session going."""
    out = interact(
        bike,
        [
            "help",
            "deselect motor.hub",
            "unset motor.hub",
            "select extras.cage 2",
            "complete",
            "select frame",
            "select frame.steel",
            "select extras.cage two",
            "frobnicate",
            "complete defaults",
        ],
    )
    assert "commands: show | select" in out
    assert "motor (motor):  mid" in out
    assert "extras.cage x2" in out
    assert "error: expected MODULE.OPTION, got 'frame'" in out
    assert "error: unknown option frame.steel" in out
    assert "error: invalid literal" in out
    assert "unknown command 'frobnicate'" in out


def test_configure_command_reads_standard_input(
    bike: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``configurator configure CATALOG`` reads commands from standard input until its end."""
    monkeypatch.setattr("sys.stdin", io.StringIO("select frame.alu\ncount\n"))
    assert main(["configure", str(bike), "--on", DAY]) == 0
    out = capsys.readouterr().out
    assert (
        out.strip().splitlines()[-1] == "12"
    )  # alu with no motor or the hub (mid is too heavy), 2 x 3 extras


def test_configure_an_option_nothing_can_repair(write: Writer) -> None:
    """An option that no configuration contains is refused without offering to give up other choices."""
    path = write("dead.yaml", BIKE + "  - id: no-hub-ever\n    excludes: motor.hub\n")
    out = interact(path, ["select frame.alu", "select motor.hub"])
    assert "motor.hub is not possible: choices -; rules no-hub-ever" in out
    assert "give up" not in out


def test_returning_customer_sees_recommendations_and_last_configuration() -> None:
    """With a stored customer, modules show their recommendation and ``last`` restores their last laptop."""
    store = demo_store()
    laptop = load_catalog(ROOT / "catalogs" / "laptop.yaml")
    returning = returning_customer(store, "c-1011", laptop)
    assert returning.last is not None
    buffer = io.StringIO()
    console = Console(file=buffer, width=300, highlight=False, color_system=None)
    run_interactive(
        laptop, dt.date(2026, 11, 23), console, lines=["recommend", "last", "quit"], returning=returning
    )
    out = buffer.getvalue()
    assert "for c-1011" in out and "<- for you: " in out
    restored = out.split("as last time: ")[1].splitlines()[0].split(", ")
    assert restored == [
        f"{m}.{o}" for m, options in returning.last.items() for o, q in options.items() if q > 0
    ]
    assert all(f"*{key.split('.')[1]}" in out.split("as last time: ")[1] for key in restored)


def test_configure_refuses_an_unknown_customer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown customer is an error with the nearest id, exit code 2."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    demo_store(url).engine.dispose()
    args = ["configure", str(ROOT / "catalogs" / "laptop.yaml"), "--customer", "c-101", "--database", url]
    assert main([*args, "--tenant", "demo"]) == 2
    assert "unknown customer 'c-101'" in capsys.readouterr().err
