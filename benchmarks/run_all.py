"""Run every benchmark script, one process each, and print a summary table (``make bench``).

Every ``benchmarks/*.py`` that does not start with ``_`` (and is not this file) is a benchmark: a new script is
picked up without editing anything. They run one after the other in file-name order, each in its own process
with this interpreter, from the repository root; each gets a header, its output as it comes, and its wall
time. The summary at the end gives every script's status (``ok``, ``skipped`` when it printed a ``SKIPPED:``
line and exited 0, e.g. because its benchmark data is absent, ``failed (exit N)``, ``timeout``) and seconds.
A failing script does not stop the others; the exit status is 1 when any failed.

Quick mode: with ``BENCH_QUICK=1`` in the environment (or ``--quick``), every script runs its short version
(smaller sizes, fewer repeats, fewer data sets): ``BENCH_QUICK=1 make bench`` takes a few minutes. A quick
run prints the tables and leaves docs/benchmarks.md alone, so the reference tables are never overwritten by
quick numbers; ``--doc`` (``BENCH_DOC=1`` for every script) writes their sections anyway, each then saying it
was a quick run. A full run rewrites every script's section; ``--no-doc`` (``BENCH_DOC=0``) prints only. The
doc choice travels in the environment, so a script needs no particular options for it.

``flamapy_peer.py`` is included: it is a benchmark like the others. On its first run it creates
``.bench-venv-flamapy/`` and installs flamapy (GPL-3.0) there from PyPI, never into ``.venv``; without
network or benchmark data it says SKIPPED and exits 0. Leave it (or any script) out with
``--exclude flamapy_peer`` or, through make, ``BENCH_EXCLUDE="flamapy_peer" make bench`` (names with or
without ``.py``, separated by spaces or commas).

Run: ``.venv/bin/python benchmarks/run_all.py [--quick] [--exclude NAME ...] [--only NAME ...]
[--timeout SECONDS] [--doc | --no-doc] [--list]``
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXCLUDE_ENV = "BENCH_EXCLUDE"
"""Scripts to leave out, by name (``make bench`` passes no arguments)."""
QUICK_ENV = "BENCH_QUICK"
DOC_ENV = "BENCH_DOC"
"""``1``: every script writes its section even in quick mode; ``0``: none writes (read by ``_docs``)."""
SKIP_MARK = "SKIPPED:"
"""A script that cannot run here (data absent, peer not installable) prints a line starting with this."""


@dataclasses.dataclass
class Outcome:
    """One script's run: its status for the summary, wall seconds and the reason it skipped, if it did."""

    script: str
    status: str
    seconds: float
    note: str = ""

    @property
    def failed(self) -> bool:
        """Whether the run counts as a failure (anything but ``ok`` and ``skipped``)."""
        return self.status not in ("ok", "skipped")


def _stem(name: str) -> str:
    """A script name without folder and ``.py``.

    Example:
        >>> _stem("benchmarks/solver.py"), _stem("solver")
        ('solver', 'solver')
    """
    return Path(name.strip()).name.removesuffix(".py")


def discover(folder: Path = HERE) -> list[Path]:
    """The benchmark scripts of ``folder`` in a stable order: ``*.py`` not starting with ``_``, not this file."""
    me = Path(__file__).name
    return sorted(
        (p for p in folder.glob("*.py") if not p.name.startswith("_") and p.name != me), key=lambda p: p.name
    )


def select(
    scripts: Sequence[Path], exclude: Iterable[str] = (), only: Iterable[str] = ()
) -> tuple[list[Path], list[str]]:
    """The scripts to run after ``--only`` and ``--exclude``, and the names given that match no script.

    Example:
        >>> paths = [Path("a.py"), Path("b.py"), Path("c.py")]
        >>> select(paths, exclude=["b.py", "zz"])
        ([PosixPath('a.py'), PosixPath('c.py')], ['zz'])
        >>> select(paths, only=["c"])
        ([PosixPath('c.py')], [])
    """
    names = {p.stem for p in scripts}
    dropped = {_stem(n) for n in exclude if n.strip()}
    kept = {_stem(n) for n in only if n.strip()}
    unknown = sorted((dropped | kept) - names)
    chosen = [p for p in scripts if p.stem not in dropped and (not kept or p.stem in kept)]
    return chosen, unknown


def _pump(stream: IO[str], sink: IO[str], seen: list[str]) -> None:
    """Copy a child's output line by line as it comes; keep its SKIPPED lines."""
    for line in stream:
        sink.write(line)
        sink.flush()
        if line.lstrip().upper().startswith(SKIP_MARK):
            seen.append(line.strip()[len(SKIP_MARK) :].strip())


def _stop(process: subprocess.Popen[str]) -> None:
    """End a child and everything it started (its own process group)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def run_script(path: Path, env: dict[str, str], timeout: float | None) -> Outcome:
    """Run one script with this interpreter from the repository root; its output goes to this stdout."""
    command = [sys.executable, str(path)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    skipped: list[str] = []
    assert process.stdout is not None
    pump = threading.Thread(target=_pump, args=(process.stdout, sys.stdout, skipped), daemon=True)
    pump.start()
    try:
        code = process.wait(timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        pump.join(5)
        return Outcome(path.name, "timeout", time.perf_counter() - started, f"stopped after {timeout:g} s")
    except KeyboardInterrupt:
        _stop(process)
        raise
    pump.join()
    seconds = time.perf_counter() - started
    if code != 0:
        return Outcome(path.name, f"failed (exit {code})", seconds)
    if skipped:
        return Outcome(path.name, "skipped", seconds, skipped[0])
    return Outcome(path.name, "ok", seconds)


def summary(outcomes: Sequence[Outcome], total: float, quick: bool) -> str:
    """The Markdown summary table and the total.

    Example:
        >>> print(summary([Outcome("a.py", "ok", 1.25), Outcome("b.py", "skipped", 0.5, "no data")], 1.8, True))
        | script | status | seconds |
        | --- | --- | ---: |
        | a.py | ok | 1.2 |
        | b.py | skipped: no data | 0.5 |
        <BLANKLINE>
        2 scripts in 1.8 s (quick mode): 1 ok, 1 skipped, 0 failed.
    """
    lines = ["| script | status | seconds |", "| --- | --- | ---: |"]
    for o in outcomes:
        status = f"{o.status}: {o.note}" if o.note else o.status
        lines.append(f"| {o.script} | {status} | {o.seconds:.1f} |")
    ok = sum(o.status == "ok" for o in outcomes)
    skipped = sum(o.status == "skipped" for o in outcomes)
    failed = sum(o.failed for o in outcomes)
    mode = " (quick mode)" if quick else ""
    lines += [
        "",
        f"{len(outcomes)} scripts in {total:.1f} s{mode}: {ok} ok, {skipped} skipped, {failed} failed.",
    ]
    return "\n".join(lines)


def _words(value: str) -> list[str]:
    """Names separated by spaces or commas.

    Example:
        >>> _words(" flamapy_peer, tiers_scale.py ")
        ['flamapy_peer', 'tiers_scale.py']
    """
    return [w for w in value.replace(",", " ").split() if w]


def main(argv: list[str] | None = None) -> int:
    """Run the selected scripts, print the summary; 1 when any failed, 2 for an unknown script name."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog=f"Environment: {QUICK_ENV}=1 for quick mode, {EXCLUDE_ENV}='name ...' to leave scripts out.",
    )
    parser.add_argument("--quick", action="store_true", help=f"set {QUICK_ENV}=1 for every script")
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="NAME", help="leave this script out (repeatable)"
    )
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="run only these scripts")
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds allowed per script (default none)"
    )
    parser.add_argument("--list", action="store_true", help="print the scripts that would run, and stop")
    docs = parser.add_mutually_exclusive_group()
    docs.add_argument(
        "--doc", action="store_true", help=f"{DOC_ENV}=1: write the sections even in quick mode"
    )
    docs.add_argument("--no-doc", action="store_true", help=f"{DOC_ENV}=0: print only, never write the doc")
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if args.quick:
        env[QUICK_ENV] = "1"
    if args.doc or args.no_doc:
        env[DOC_ENV] = "1" if args.doc else "0"
    quick = env.get(QUICK_ENV, "").strip().lower() not in ("", "0", "false", "no")
    exclude = [*args.exclude, *_words(os.environ.get(EXCLUDE_ENV, ""))]
    scripts, unknown = select(discover(), exclude, [w for name in args.only for w in _words(name)])
    if unknown:
        print(f"no benchmark script named {', '.join(unknown)} in {HERE.name}/", file=sys.stderr)
        return 2
    if args.list:
        print("\n".join(p.name for p in scripts))
        return 0
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    try:
        for k, path in enumerate(scripts, 1):
            shown = path.relative_to(ROOT).as_posix()
            print(f"\n===== [{k}/{len(scripts)}] {shown}{' (quick)' if quick else ''} =====", flush=True)
            outcome = run_script(path, env, args.timeout)
            outcomes.append(outcome)
            print(f"----- {path.name}: {outcome.status} in {outcome.seconds:.1f} s -----", flush=True)
    except KeyboardInterrupt:
        outcomes.append(Outcome("(interrupted)", "failed (interrupted)", 0.0))
    print("\n## Benchmark summary\n")
    print(summary(outcomes, time.perf_counter() - started, quick), flush=True)
    return 1 if any(o.failed for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
