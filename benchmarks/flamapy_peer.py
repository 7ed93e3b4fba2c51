"""Benchmark: flamapy as a peer for exact configuration counts (and core/dead features) on public feature models.

flamapy (https://www.flamapy.org, the automated analysis of feature models from the University of Seville) is
GPL-3.0. It is a benchmark peer only: this script installs it into a separate virtualenv,
``.bench-venv-flamapy/`` in the repository root (git-ignored), and runs it there in child processes. It is never
a dependency of ``configurator`` and is never imported into ``.venv``: this file loads its modules by name, and
only in the child that runs under the separate venv.

For every UVL model of benchdata ``uvl-models/`` and ``feature-model-benchmark/``, and the SXFM model of
``splot-dell/``, three child processes run one after the other, each under a wall-clock timeout: ours (UVL import,
decision diagram, exact count, then core and dead features from the valid domains), our counting portfolio
(``operations.count_detail``: the diagram or Ganak, the engine named) and flamapy's (UVL reader, its BDD plugin,
``BDDConfigurationsNumber``, ``BDDCoreFeatures``, ``BDDDeadFeatures``). Counts are compared as exact integers. Before the table, both sides enumerate every configuration of two small models, and the sets of
selected features must be equal (the semantics check).

Prints Markdown tables and updates the "Peer: flamapy" section of docs/benchmarks.md. Exits 1 when a count or
a configuration set disagrees; skips (exit 0) when the benchdata folder is absent or flamapy cannot be installed.

The data is found through :func:`configurator.io.benchdata.benchdata_dir` (``CONFIGURATOR_BENCHDATA``).
Quick mode (``BENCH_QUICK=1``): 10 s per model and side instead of 60, only the models of at most 8 KiB
(``--max-kib``), and the doc is left alone unless ``--doc``. ``make bench`` (``benchmarks/run_all.py``) runs it too; ``make bench-flamapy`` runs it alone.

Run: ``.venv/bin/python benchmarks/flamapy_peer.py [--timeout 60] [--only NAME] [--max-kib N] [--doc | --no-doc]``
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _docs import add_doc_options, pick, publish, quick

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Peer: flamapy"
BENCH_VENV = ROOT / ".bench-venv-flamapy"
BENCH_PYTHON = BENCH_VENV / "bin" / "python"
# flamapy-fw (the framework) comes with these; flamapy-dnnf is installed to report whether its d4 binary is there.
PACKAGES = ("flamapy-fm", "flamapy-bdd", "flamapy-dnnf")
VERSIONS = ("flamapy-fw", "flamapy-fm", "flamapy-bdd", "flamapy-dnnf", "uvlparser", "dd")
SEMANTICS_MODELS = ("bike", "DELL")
MARK = "@@"  # worker result lines start with this, so stray output of a library cannot be taken for a result
# Words that flamapy's UVL grammar (uvlparser) reserves for types and language levels; an unquoted feature with
# such a name is a syntax error there. Quoted on a retry only, and the row says so.
UVL_TYPE_WORDS = ("Type", "Arithmetic", "String", "Boolean", "Integer", "Real")


@dataclass(frozen=True)
class Model:
    """A benchmark model: its display name, its file and whether flamapy reads it as written."""

    name: str
    path: Path
    flamapy_reads: bool = True


@dataclass
class Outcome:
    """What one child process reported: its result records by stage, or why there are none."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    failure: str = ""

    def value(self, stage: str, key: str) -> Any:
        """One value of a stage's record, or None when that stage did not report."""
        return self.records.get(stage, {}).get(key)


# --- workers (child processes) -------------------------------------------------------------------------------


def emit(stage: str, **values: Any) -> None:
    """Print one result record of a worker."""
    print(MARK + json.dumps({"stage": stage, **values}), flush=True)


def ours_worker(path: Path, timeout: float) -> None:
    """Our side: load (lenient), compile the decision diagram, count; then core and dead features."""
    from configurator.io import load_model
    from configurator.solver.dd import CompiledDiagram

    start = time.perf_counter()
    problem = load_model(path, lenient=True)
    emit("model", features=len(problem.variables))
    diagram = CompiledDiagram.compile(problem, time_limit=timeout)
    count = diagram.count()
    seconds = time.perf_counter() - start
    unsupported = problem.meta.get("unsupported", ())
    dropped = [str(u) for u in unsupported] if isinstance(unsupported, tuple) else []
    emit("count", count=str(count), seconds=seconds, dropped=dropped)
    start = time.perf_counter()
    domains = diagram.valid_domains()
    seconds = time.perf_counter() - start
    core = sorted(name for name, values in domains.items() if values == (1,))
    dead = sorted(name for name, values in domains.items() if values == (0,))
    emit("analysis", core=core, dead=dead, seconds=seconds)


def ours_portfolio_worker(path: Path, timeout: float) -> None:
    """Our counting portfolio (decision diagram or Ganak, as ``configurator count`` picks) on one model."""
    from configurator.io import load_model
    from configurator.solver import operations

    start = time.perf_counter()
    problem = load_model(path, lenient=True)
    result = operations.count_detail(problem, time_limit=max(1.0, timeout - 5))
    emit("count", count=str(result.count), seconds=time.perf_counter() - start, engine=result.engine)


def ours_configurations(path: Path) -> None:
    """Our side of the semantics check: every configuration, as the sorted names of its selected features."""
    from configurator.io import load_model
    from configurator.solver.backend import get_backend

    problem = load_model(path, lenient=True)
    found = [
        sorted(n for n, v in s.items() if v == 1) for s in get_backend("python_constraint").solutions(problem)
    ]
    emit("configurations", configurations=sorted(found))


def flamapy_read(path: Path) -> tuple[Any, str]:
    """Read a UVL file with flamapy; on a syntax error, retry once with type words quoted.

    Returns:
        The feature model and a note (empty, or which words had to be quoted).
    """
    transformations = importlib.import_module("flamapy.metamodels.fm_metamodel.transformations")
    try:
        return transformations.UVLReader(str(path)).transform(), ""
    except Exception as exc:
        text = path.read_text(encoding="utf-8")
        fixed, words = quote_type_words(text)
        if not words:
            raise
        with tempfile.NamedTemporaryFile("w", suffix=".uvl", delete=False, encoding="utf-8") as handle:
            handle.write(fixed)
        try:
            model = transformations.UVLReader(handle.name).transform()
        except Exception:
            raise exc from None
        finally:
            os.unlink(handle.name)
        return model, "parse error as written; reads with " + ", ".join(f"`{w}`" for w in words) + " quoted"


def quote_type_words(text: str) -> tuple[str, list[str]]:
    """Quote feature declarations whose bare name is one of :data:`UVL_TYPE_WORDS`; return the text and the words.

    Example:
        >>> quote_type_words("features\\n    R\\n        optional\\n            Type {abstract}\\n")
        ('features\\n    R\\n        optional\\n            "Type" {abstract}\\n', ['Type'])
    """
    pattern = re.compile(r"^([ \t]+)(" + "|".join(UVL_TYPE_WORDS) + r")([ \t]*(?:\{.*)?)$", re.MULTILINE)
    words = sorted({match.group(2) for match in pattern.finditer(text)})
    return pattern.sub(r'\1"\2"\3', text), words


def flamapy_worker(path: Path) -> None:
    """The flamapy side: UVL reader, BDD plugin, configurations number; then core and dead features."""
    transformations = importlib.import_module("flamapy.metamodels.bdd_metamodel.transformations")
    operations = importlib.import_module("flamapy.metamodels.bdd_metamodel.operations")
    start = time.perf_counter()
    model, note = flamapy_read(path)
    emit("model", features=len(model.get_features()))
    bdd = transformations.FmToBDD(model).transform()
    count = operations.BDDConfigurationsNumber().execute(bdd).get_result()
    seconds = time.perf_counter() - start
    emit("count", count=str(count), seconds=seconds, note=note)
    start = time.perf_counter()
    try:
        core = operations.BDDCoreFeatures().execute(bdd).get_result()
        dead = operations.BDDDeadFeatures().execute(bdd).get_result()
    except Exception as exc:  # e.g. its float probabilities overflow beyond 1e308 configurations
        emit("analysis-error", message=f"{type(exc).__name__}: {exc}")
        return
    emit("analysis", core=sorted(core), dead=sorted(dead), seconds=time.perf_counter() - start)


def flamapy_configurations(path: Path) -> None:
    """The flamapy side of the semantics check: every configuration from its BDD."""
    transformations = importlib.import_module("flamapy.metamodels.bdd_metamodel.transformations")
    operations = importlib.import_module("flamapy.metamodels.bdd_metamodel.operations")
    model, _ = flamapy_read(path)
    configurations = operations.BDDConfigurations().execute(transformations.FmToBDD(model).transform())
    found = [sorted(k for k, v in c.elements.items() if v) for c in configurations.get_result()]
    emit("configurations", configurations=sorted(found))


def flamapy_info() -> None:
    """Versions of flamapy and its helpers, the BDD library its plugin uses, and whether d4 is there."""
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str] = {}
    for name in VERSIONS:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "absent"
    bdd_module = importlib.import_module("flamapy.metamodels.bdd_metamodel.models.bdd_model")
    d4 = "absent"
    try:
        dnnf = importlib.import_module("flamapy.metamodels.dnnf_metamodel.models")
        d4 = dnnf.locate_d4()
    except ImportError:
        d4 = "plugin absent"
    except Exception as exc:  # flamapy raises FlamaException when the d4 binary is not found
        d4 = f"missing ({str(exc).split('.')[0]})"
    emit("info", versions=versions, bdd=bdd_module.BDD.__module__, d4=d4)


def run_worker(mode: str, path: Path | None, timeout: float) -> None:
    """Dispatch ``--worker MODE PATH`` (runs in a child process)."""
    sys.set_int_max_str_digits(0)
    if mode == "info":
        flamapy_info()
        return
    assert path is not None, "this worker needs a model path"
    if mode == "ours":
        ours_worker(path, timeout)
    elif mode == "ours-portfolio":
        ours_portfolio_worker(path, timeout)
    elif mode == "flamapy":
        flamapy_worker(path)
    elif mode == "ours-configurations":
        ours_configurations(path)
    elif mode == "flamapy-configurations":
        flamapy_configurations(path)
    else:
        raise SystemExit(f"unknown worker mode {mode!r}")


# --- parent ----------------------------------------------------------------------------------------------------


def child(python: Path, mode: str, path: Path | None, timeout: float) -> Outcome:
    """Run one worker under ``python`` with a wall-clock timeout; collect what it reported before it stopped."""
    command = [str(python), str(Path(__file__).resolve()), "--worker", mode, "--timeout", str(timeout)]
    if path is not None:
        command.append(str(path))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False)
        stdout, stderr = done.stdout, done.stderr
        failure = "" if done.returncode == 0 else _last_error(stderr) or f"exit {done.returncode}"
    except subprocess.TimeoutExpired as exc:
        stdout, stderr = _text(exc.stdout), _text(exc.stderr)
        failure = f"timeout ({timeout:.0f} s)"
    outcome = Outcome(failure=failure)
    for line in stdout.splitlines():
        if line.startswith(MARK):
            record = json.loads(line[len(MARK) :])
            outcome.records[record.pop("stage")] = record
    return outcome


def _text(data: str | bytes | None) -> str:
    """Output captured before a timeout (bytes on POSIX, whatever ``text=True`` asked for)."""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data or ""


def _last_error(stderr: str) -> str:
    """The most telling line of a failed child's stderr: flamapy's first syntax error, else the last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    syntax = [line for line in lines if "Syntax error" in line]
    line = syntax[0].removeprefix("ERROR:root:") if syntax else lines[-1] if lines else ""
    return re.sub(r"^(?:\w+\.)+(\w+: )", r"\1", line)


def ensure_flamapy() -> str:
    """Create ``.bench-venv-flamapy/`` and install flamapy there when missing; return why not, or ''."""
    probe = [
        str(BENCH_PYTHON),
        "-c",
        "import flamapy.metamodels.bdd_metamodel, flamapy.metamodels.fm_metamodel",
    ]
    if BENCH_PYTHON.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return ""
    print(
        f"installing {', '.join(PACKAGES)} into {BENCH_VENV.name}/ (GPL-3.0: benchmark only)", file=sys.stderr
    )
    steps = [
        [sys.executable, "-m", "venv", str(BENCH_VENV)],
        [str(BENCH_PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PACKAGES],
    ]
    for step in steps:
        if step[0] == str(BENCH_PYTHON) and not BENCH_PYTHON.exists():
            return f"{BENCH_VENV.name}/ has no python"
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            return f"`{' '.join(step[-3:])}` failed: {_last_error(done.stderr)}"
    if subprocess.run(probe, capture_output=True, check=False).returncode != 0:
        return "flamapy installed but its BDD plugin does not import"
    return ""


def models(data: Path) -> Iterator[Model]:
    """The benchmark models of uvl-models, feature-model-benchmark and splot-dell, smallest file first in each."""
    for path in sorted((data / "uvl-models").glob("*.uvl"), key=lambda p: p.stat().st_size):
        yield Model(path.name, path)
    for path in sorted((data / "feature-model-benchmark").rglob("*.uvl"), key=lambda p: p.stat().st_size):
        yield Model(path.name, path)
    for path in sorted((data / "splot-dell").glob("*.splx")):
        yield Model(path.name, path, flamapy_reads=False)


def uvl_export(model: Model, folder: Path) -> Path:
    """The UVL flamapy reads: the file itself, or our UVL export of a model flamapy has no reader for (SXFM)."""
    if model.flamapy_reads:
        return model.path
    from configurator.io import dump_uvl, load_sxfm

    target = folder / (model.path.stem + ".uvl")
    target.write_text(dump_uvl(load_sxfm(model.path)), encoding="utf-8")
    return target


def short_count(text: str | None) -> str:
    """A count for the table: in full up to 16 digits, else five leading digits and the power of ten."""
    if text is None:
        return "—"
    if len(text) <= 16:
        return f"{int(text):,}"
    return f"{text[0]}.{text[1:5]}e{len(text) - 1}"


def cell(outcome: Outcome, stage: str = "count") -> tuple[str, str]:
    """The count and seconds cells of one side (or a short reason when there is no count)."""
    count = outcome.value(stage, "count")
    if count is not None:
        return short_count(count), f"{outcome.value(stage, 'seconds'):.2f}"
    return "—", _reason(outcome.failure)


def _reason(failure: str) -> str:
    """A short table label for a failure; the full text goes to the notes."""
    for needle, label in (
        ("timeout", "timeout"),
        ("node limit", "node limit"),
        ("Syntax error", "parse error"),
        ("Parsing failed", "parse error"),
    ):
        if needle in failure:
            return label
    return "error"


def semantics(python: Path, data: Path, timeout: float, folder: Path) -> tuple[list[str], bool]:
    """Both sides enumerate every configuration of the small models; return report lines and False on a difference."""
    lines: list[str] = []
    agree = True
    for model in (m for m in models(data) if m.path.stem in SEMANTICS_MODELS):
        ours = child(Path(sys.executable), "ours-configurations", model.path, timeout)
        theirs = child(python, "flamapy-configurations", uvl_export(model, folder), timeout)
        a, b = (
            ours.value("configurations", "configurations"),
            theirs.value("configurations", "configurations"),
        )
        if a is None or b is None:
            lines.append(f"- {model.name}: not compared ({ours.failure or theirs.failure}).")
            continue
        same = {tuple(c) for c in a} == {tuple(c) for c in b}
        agree = agree and same
        verdict = "the same" if same else "**DIFFERENT**"
        lines.append(
            f"- {model.name}: {len(a):,} configurations (ours) and {len(b):,} (flamapy), {verdict} sets of "
            "selected features."
        )
    return lines, agree


def compare(
    python: Path, data: Path, timeout: float, only: str | None, folder: Path, max_kib: float | None = None
) -> tuple[list[str], bool]:
    """Run both sides on every model; return the Markdown lines (tables, notes) and whether all results agree.

    ``only``: the models whose file name contains it; ``max_kib``: the models whose file is at most that large.
    """
    table = [
        "| model | features | our count | our s | portfolio count | portfolio s (engine) | flamapy count | flamapy s "
        "| agree |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    analyses = [
        "| model | core (ours / flamapy) | dead (ours / flamapy) | our s | flamapy s | agree |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    notes: list[str] = []
    all_agree = True
    larger: list[str] = []
    for model in models(data):
        if only and only not in model.name:
            continue
        if max_kib is not None and model.path.stat().st_size > max_kib * 1024:
            larger.append(model.name)
            continue
        ours = child(Path(sys.executable), "ours", model.path, timeout)
        portfolio = child(Path(sys.executable), "ours-portfolio", model.path, timeout)
        theirs = child(python, "flamapy", uvl_export(model, folder), timeout)
        name = model.name if model.flamapy_reads else f"{model.name} ¹"
        features = ours.value("model", "features") or theirs.value("model", "features")
        features_cell = f"{features:,}" if features else "?"
        a, b = ours.value("count", "count"), theirs.value("count", "count")
        counts = {c for c in (a, b, portfolio.value("count", "count")) if c is not None}
        agree = (
            "—" if len(counts) < 2 and (a is None or b is None) else "yes" if len(counts) == 1 else "**NO**"
        )
        all_agree = all_agree and agree != "**NO**"
        p_count, p_seconds = cell(portfolio)
        engine = portfolio.value("count", "engine")
        p_cell = f"{p_count} | {p_seconds} ({engine})" if engine else f"{p_count} | {p_seconds}"
        row = (
            f"| {name} | {features_cell} | {' | '.join(cell(ours))} | {p_cell} | {' | '.join(cell(theirs))} | "
            f"{agree} |"
        )
        table.append(row)
        print(row, file=sys.stderr, flush=True)
        for side, outcome in (("ours", ours), ("portfolio", portfolio), ("flamapy", theirs)):
            if outcome.value("count", "count") is None and _reason(outcome.failure) != "timeout":
                notes.append(f"{model.name}, {side}: {outcome.failure}.")
        if ours.value("count", "dropped"):
            notes.append(
                f"{model.name}: {len(ours.value('count', 'dropped'))} constructs outside the Boolean core (typed "
                "features, feature cardinalities, arithmetic and aggregate constraints). Our importer keeps the "
                "features as Boolean ones and drops the rest only when asked (`lenient=True`, used here; listed in "
                "`Problem.meta['unsupported']`; `configurator count` refuses the file unless given `--lenient`); flamapy does the same "
                "without a word."
            )
        if theirs.value("count", "note"):
            notes.append(f"{model.name}, flamapy: {theirs.value('count', 'note')}.")
        if theirs.value("analysis-error", "message"):
            notes.append(f"{model.name}, flamapy core/dead: {theirs.value('analysis-error', 'message')}.")
        row, differences = analysis_row(model.name, ours, theirs)
        analyses.extend([row] if row else [])
        notes.extend(differences)
        all_agree = all_agree and not differences
    if larger:
        notes.append(f"Left out (file over {max_kib:g} KiB, `--max-kib`): {', '.join(larger)}.")
    return [*table, "", *analyses, "", *(f"- {n}" for n in notes)], all_agree


def analysis_row(name: str, ours: Outcome, theirs: Outcome) -> tuple[str, list[str]]:
    """The core/dead row of a model ("—" for a side that did not get there) and notes on any difference."""
    sides = (ours.records.get("analysis"), theirs.records.get("analysis"))
    if sides == (None, None) and not (ours.value("count", "count") or theirs.value("count", "count")):
        return "", []

    def sizes(key: str) -> str:
        return " / ".join(str(len(side[key])) if side else "—" for side in sides)

    def seconds(side: dict[str, Any] | None, outcome: Outcome) -> str:
        if side:
            return f"{side['seconds']:.2f}"
        return "error" if "analysis-error" in outcome.records else _reason(outcome.failure)

    notes: list[str] = []
    a, b = sides
    if a is None or b is None:
        agree = "—"
    elif (a["core"], a["dead"]) == (b["core"], b["dead"]):
        agree = "yes"
    else:
        agree = "**NO**"
        for key in ("core", "dead"):
            only_ours, only_theirs = sorted(set(a[key]) - set(b[key])), sorted(set(b[key]) - set(a[key]))
            if only_ours or only_theirs:
                notes.append(
                    f"{name}: {key} features differ: only ours {only_ours[:5]}, only flamapy {only_theirs[:5]}."
                )
    row = f"| {name} | {sizes('core')} | {sizes('dead')} | {seconds(a, ours)} | {seconds(b, theirs)} | {agree} |"
    return row, notes


def machine() -> str:
    """CPU model, cores, memory and OS of this machine, in one phrase."""
    cpu = platform.processor() or platform.machine()
    info = Path("/proc/cpuinfo")
    if info.exists():
        names = [
            line.split(":", 1)[1].strip() for line in info.read_text().splitlines() if "model name" in line
        ]
        cpu = names[0] if names else cpu
    memory = ""
    if Path("/proc/meminfo").exists():
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB"
    return f"{cpu}, {os.cpu_count()} CPUs{memory}, {platform.system()} {platform.release()}"


def header(info: Outcome, load: Sequence[float], timeout: float) -> list[str]:
    """The section's opening lines: what ran where, the versions and the licence note."""
    versions = info.value("info", "versions") or {}
    flamapy = ", ".join(f"{k} {v}" for k, v in versions.items())
    return [
        SECTION,
        "",
        f"`benchmarks/flamapy_peer.py` on {machine()}; {platform.python_implementation()} "
        f"{platform.python_version()} for both sides; {flamapy}; flamapy's BDD plugin runs on `{info.value('info', 'bdd')}`. "
        f"Load average (1 min) {load[0]:.2f} at the start and {load[1]:.2f} at the end (shared machine).",
        "",
        "Licence: flamapy is GPL-3.0. It is a benchmark peer only, installed by the script into a separate "
        "virtualenv (`.bench-venv-flamapy/`, git-ignored) and run there in child processes; it is not a "
        "dependency of `configurator` and is never imported into its environment.",
        "",
        "Each side runs in its own child process, one after the other, with a "
        f"{timeout:.0f} s wall-clock limit per model and side. Ours: `load_model(path, lenient=True)`, "
        "`CompiledDiagram.compile` (the decision diagram, default node and time limits), `count()`, then core and "
        "dead features from `valid_domains()`; *portfolio*: `operations.count_detail`, what `configurator count` "
        "uses (the decision diagram or Ganak, raced or one after the other, engine named), in a third child. "
        "flamapy: `UVLReader`, `FmToBDD`, "
        "`BDDConfigurationsNumber`, then `BDDCoreFeatures` and `BDDDeadFeatures`. Seconds are measured inside "
        "the child from reading the file to the count (interpreter start and imports excluded); counts are "
        "compared as exact integers, beyond 16 digits shown as leading digits and exponent (`5.4337e217`). Both sides use CUDD; "
        "flamapy-bdd builds one BDD from the whole formula in feature-tree variable order with reordering "
        "off, ours conjoins along a min-fill elimination order and sifts.",
        "",
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with ``--worker``, one side of it), print the tables, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=pick(60, 10), help="seconds per model and side")
    parser.add_argument("--only", help="run only the models whose file name contains this")
    parser.add_argument(
        "--max-kib",
        type=float,
        default=8.0 if quick() else None,
        help="run only the models whose file is at most this many KiB (default all)",
    )
    add_doc_options(parser)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("path", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run_worker(args.worker, args.path, args.timeout)
        return 0
    # Imported here, in the parent: the peer's venv runs this file's workers and has no configurator.
    from configurator.io.benchdata import benchdata_dir

    data = benchdata_dir()
    if not data.is_dir():
        print(f"SKIPPED: benchmark data not found at {data} (set CONFIGURATOR_BENCHDATA)")
        return 0
    why = ensure_flamapy()
    if why:
        print(f"SKIPPED: flamapy is not available in {BENCH_VENV.name}/: {why}")
        return 0
    start_load = os.getloadavg()[0]
    info = child(BENCH_PYTHON, "info", None, args.timeout)
    with tempfile.TemporaryDirectory() as folder:
        check_lines, same = semantics(BENCH_PYTHON, data, args.timeout, Path(folder))
        table_lines, agree = compare(BENCH_PYTHON, data, args.timeout, args.only, Path(folder), args.max_kib)
    d4 = info.value("info", "d4")
    lines = [
        *header(info, (start_load, os.getloadavg()[0]), args.timeout),
        "Semantics check (every configuration enumerated on both sides; ours with the `python_constraint` reference backend, not the decision diagram):",
        "",
        *check_lines,
        "",
        "Exact counts:",
        "",
        *table_lines,
        "- ¹ flamapy has no SXFM reader: it counts our UVL export of the model (`dump_uvl(load_sxfm(...))`), "
        "which checks the count but not the parsing.",
        f"- flamapy's d-DNNF plugin (`flamapy-dnnf`, exact counts through the d4 compiler): d4 {d4}; d4 has no "
        "PyPI or Debian package, so that plugin was not run. Its SAT plugin counts by enumerating every "
        "solution, so it was not run either.",
        "",
        f"Verdict: {'every count and core/dead set that both sides finished agrees' if agree else 'RESULTS DISAGREE'}; "
        f"semantics check {'found no difference' if same else 'FOUND DIFFERENT CONFIGURATIONS'}.",
        "",
    ]
    print("\n".join(lines))
    publish(SECTION, "\n".join(lines), args, DOC)
    if not (agree and same):
        print("MISMATCH between our results and flamapy's: see above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
