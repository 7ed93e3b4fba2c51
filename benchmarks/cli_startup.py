"""Benchmark: command-line start-up, whole ``configurator`` processes side by side with ``python -c pass``.

Runs, interleaved round by round so that a noisy machine slows every row alike: ``python -c pass`` (the
interpreter's own start), ``python -c "import configurator.cli"``, ``configurator --help``,
``configurator validate catalogs/ebike.yaml`` and ``configurator count`` on the Renault big model (XCSP 2.1),
through the installed ``configurator`` entry point. Prints the median and the fastest run of each, the start-up
over the bare interpreter, and how long the modules the command loads take to import (named by one run under
``-X importtime``, then imported untraced in fresh interpreters). Targets: ``--help`` < 0.3 s, ``validate`` < 0.8 s (the fastest run of whole processes, as the median
on a shared machine carries other processes' load), and ``count`` on the big model spends < 10 % of its run
importing (the compile dominates). Bytecode is cached as in an installed product. Rewrites the
"Command-line start-up" section of docs/benchmarks.md.

The Renault files are found with :func:`configurator.io.benchdata.benchdata_path`; when they are absent the
``count`` row says so and is left out. Quick mode (``BENCH_QUICK=1``): fewer repeats, and the doc is left
alone. ``--src DIR`` measures the command line of another source tree (e.g. an older commit exported with
``git archive``) by putting DIR first on the children's ``PYTHONPATH``; the doc is then left alone too.

Run: ``.venv/bin/python benchmarks/cli_startup.py [--repeat 15] [--count-repeat 3] [--src DIR]``
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _docs import add_doc_options, publish, quick
from configurator.io.benchdata import benchdata_path

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Command-line start-up"
QUICK = quick()
ENTRY = "import sys; from configurator.cli import main; sys.exit(main())"
"""What the installed entry point runs; used when there is no ``configurator`` script beside the interpreter."""
CATALOG = "catalogs/ebike.yaml"
RENAULT_BIG = ("renault-gimenez-phd", "renault_big", "contraintes.xml")
IMPORT_SHARE = 0.10
"""The most of a ``count`` run on the big model that importing may take."""


@dataclass
class Row:
    """One measured command: how it is shown, its argument vector, its target and its timings."""

    label: str
    argv: list[str]
    target: str = "-"
    limit: float | None = None
    """The target on the fastest run in seconds, when the target is a time."""
    share: float | None = None
    """The target on the import share of a run, when the target is that."""
    runs: list[float] = field(default_factory=list)
    imports: float | None = None

    @property
    def median(self) -> float:
        """The median wall time in seconds."""
        return statistics.median(self.runs)

    @property
    def best(self) -> float:
        """The fastest run in seconds."""
        return min(self.runs)

    def verdict(self) -> str:
        """``ok`` or ``missed`` against the target, ``-`` without one."""
        if self.limit is not None:
            return "ok" if self.best < self.limit else "missed"
        if self.share is not None and self.imports is not None:
            return "ok" if self.imports < self.share * self.best else "missed"
        return "-"


def entry_point() -> list[str]:
    """The argument vector that starts the command line: the installed script, else ``python -c`` its code."""
    script = Path(sys.executable).with_name("configurator")
    if script.exists():
        return [str(script)]
    found = shutil.which("configurator")
    return [found] if found else [sys.executable, "-c", ENTRY]


def environment(src: Path | None, cache: Path) -> dict[str, str]:
    """The children's environment: bytecode cached under ``cache``, ``src`` first on ``PYTHONPATH`` if given.

    Bytecode is written and reused as an installed product's is (``PYTHONDONTWRITEBYTECODE`` would make every
    process compile the sources again), in a folder of its own so that the source tree stays clean.

    Example:
        >>> env = environment(Path("/old/src"), Path("/tmp/pyc"))
        >>> env["PYTHONPYCACHEPREFIX"], env["PYTHONPATH"].split(os.pathsep)[0], "PYTHONDONTWRITEBYTECODE" in env
        ('/tmp/pyc', '/old/src', False)
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), *filter(None, [env.get("PYTHONPATH")])])
    return env


def traced(argv: Sequence[str]) -> list[str]:
    """The same command under ``python -X importtime`` (an entry-point script is run by the interpreter).

    Example:
        >>> traced([sys.executable, "-c", "pass"])[1:]
        ['-X', 'importtime', '-c', 'pass']
        >>> traced(["/venv/bin/configurator", "--help"])[1:]
        ['-X', 'importtime', '/venv/bin/configurator', '--help']
    """
    rest = argv[1:] if argv[0] == sys.executable else argv
    return [sys.executable, "-X", "importtime", *rest]


def run_once(argv: Sequence[str], env: dict[str, str]) -> tuple[float, str]:
    """Run one process from the repository root; its wall time in seconds and its standard error."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, done.stderr


def imported(stderr: str) -> list[str]:
    """The modules a ``-X importtime`` report shows imported at the top level (not by another import), in order.

    Example:
        >>> imported('''import time: self [us] | cumulative | imported package
        ... import time:       300 |        500 |   typing
        ... import time:       200 |       1000 | typer
        ... import time:      2000 |       2000 | json''')
        ['typer', 'json']
    """
    names = []
    for line in stderr.splitlines():
        parts = line.split("|")
        # "| name" at the top level, "|   name" nested
        if line.startswith("import time:") and len(parts) == 3 and parts[1].strip().isdigit():
            names += [] if parts[2].startswith("  ") else [parts[2].strip()]
    return names


IMPORT_ALL = """\
import importlib, sys, time
start = time.perf_counter()
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        pass
print(time.perf_counter() - start)
"""
"""Imports the modules named on its command line and prints how long that took (after the interpreter's start)."""


def import_seconds(argv: Sequence[str], env: dict[str, str], repeat: int = 3) -> float:
    """How long the modules a command loads take to import, without tracing: the fastest of ``repeat`` runs.

    One run of the command under ``-X importtime`` names the modules; fresh interpreters then import just those,
    untraced (the tracing itself slows imports down), timed from after the interpreter's own start-up.
    """
    names = imported(run_once(traced(argv), env)[1])
    times = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", IMPORT_ALL, *names], cwd=ROOT, env=env, capture_output=True, text=True
        )
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return min(times)


def rows(src: Path | None) -> tuple[list[Row], list[str]]:
    """The commands to measure, and notes on those left out."""
    python = [sys.executable]
    cli = entry_point()
    measured = [
        Row("`python -c pass`", [*python, "-c", "pass"], "interpreter alone"),
        Row('`python -c "import configurator.cli"`', [*python, "-c", "import configurator.cli"]),
        Row("`configurator --help`", [*cli, "--help"], "< 0.3 s", limit=0.3),
        Row(f"`configurator validate {CATALOG}`", [*cli, "validate", CATALOG], "< 0.8 s", limit=0.8),
    ]
    notes = []
    big = benchdata_path(*RENAULT_BIG)
    if big.is_file():
        measured.append(
            Row(
                "`configurator count` Renault big (XCSP 2.1)",
                [*cli, "count", str(big)],
                f"imports < {IMPORT_SHARE:.0%} of the run",
                share=IMPORT_SHARE,
            )
        )
    else:
        notes.append(
            f"The `count` row is left out: the Renault big model is absent ({big}; set "
            "CONFIGURATOR_BENCHDATA to the folder that holds `renault-gimenez-phd/`)."
        )
    if src is not None:
        notes.append(f"Source tree measured: {src} (first on PYTHONPATH).")
    return measured, notes


def measure(measured: list[Row], repeat: int, count_repeat: int, env: dict[str, str]) -> None:
    """Time every row, round by round (after a warm-up round), then the imports of each."""
    for row in measured:  # warm-up: file caches, compiled bytecode (the long count run needs none)
        if row.share is None:
            run_once(row.argv, env)
    for round_ in range(repeat):
        for row in measured:
            if row.share is not None and round_ >= count_repeat:
                continue
            row.runs.append(run_once(row.argv, env)[0])
    for row in measured:
        row.imports = import_seconds(row.argv, env)


def table(measured: list[Row]) -> list[str]:
    """The Markdown table: one row per command."""
    floor = measured[0].best
    lines = [
        "| command | median s | fastest s | fastest over `python -c pass` s | imports s | target | verdict |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in measured:
        over = "-" if row is measured[0] else f"{row.best - floor:.3f}"
        imports = "-" if row.imports is None else f"{row.imports:.3f}"
        lines.append(
            f"| {row.label} | {row.median:.3f} | {row.best:.3f} | {over} | {imports} | {row.target} "
            f"| {row.verdict()} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table and (in a full run of this tree) rewrite the doc's section."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5 if QUICK else 15, help="Runs of each quick command.")
    parser.add_argument(
        "--count-repeat", type=int, default=1 if QUICK else 3, help="Runs of `count` on the big model."
    )
    parser.add_argument("--src", type=Path, help="Measure the command line of this source tree instead.")
    add_doc_options(parser)
    args = parser.parse_args(argv)
    src = args.src.resolve() if args.src is not None else None
    measured, notes = rows(src)
    with tempfile.TemporaryDirectory(prefix="cli-startup-pyc-") as cache:
        env = environment(src, Path(cache))
        measure(measured, max(args.repeat, 1), max(min(args.count_repeat, args.repeat), 1), env)
    counts = sorted({len(row.runs) for row in measured}, reverse=True)
    section = [
        SECTION,
        "",
        "`benchmarks/cli_startup.py`: whole processes started from the repository root through the installed "
        f"`configurator` entry point, beside the bare interpreter; {' and '.join(map(str, counts))} runs each, "
        "interleaved round by round after a warm-up round, on "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs. "
        '"imports s": how long the modules the command loads take to import after the interpreter has started '
        "(named by one run under `-X importtime`, then imported untraced in fresh interpreters, fastest of 3). "
        "Verdicts on the fastest run: the machine is shared, and the median also "
        "carries the load of other processes. Bytecode is cached (in a folder of its own) as in an installed product.",
        "",
        *table(measured),
        "",
        *notes,
    ]
    text = "\n".join(section).rstrip("\n") + "\n"
    print(text)
    if src is not None:
        print("(another source tree: docs/benchmarks.md left alone)")
    elif publish(SECTION, text, args):
        print("docs/benchmarks.md: section rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
