"""Benchmark: the solver backends and the interactive session operations.

(a) Optimal bundle on synthetic catalogs of 8, 10 and 12 modules x 4 options, with random excludes, a weight
    budget and a power budget, and random utility weights: CP-SAT and python-constraint side by side in this
    one process, on the same compiled Problem; both optima are compared where both finish. python-constraint
    has no objective and optimises by enumerating every solution; a run longer than ``--pc-timeout`` seconds is
    stopped and reported as a lower bound. Target: CP-SAT >= 1000x faster at 12 x 4.
(b) CP-SAT time to a proven optimum on a catalog of 50 modules x 8 options and 200 rules. Target: < 50 ms.
(c) Session operations on the four example catalogs on 2026-11-23: valid domains (the session's engine, the
    solver's propagator at every one-choice step, and the former one-solve-per-value propagation as a
    baseline), why, complete, and the exact count (in a child process, stopped after ``--count-timeout`` s).

Prints Markdown tables and replaces (or appends) the "Solver" section of docs/benchmarks.md; with
``--sessions-only`` runs (c) alone and replaces only its subsection. Quick mode (``BENCH_QUICK=1``): 8 x 4
only, 2 CP-SAT runs, one 50 x 8 seed, 5 s counts and no retry of a refused count; the doc is left alone unless
``--doc``.

Run: ``.venv/bin/python benchmarks/solver.py [--sizes 8 10 12] [--pc-timeout 120] [--sessions-only] [--doc | --no-doc]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import multiprocessing
import os
import platform
import random
import signal
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from ortools.sat.python import cp_model

from _docs import add_doc_options, commit, pick, publish, quick
from configurator.catalog.loader import load_catalog
from configurator.catalog.models import Catalog
from configurator.errors import SolverError
from configurator.solver import operations
from configurator.solver.backend import Result, Status, get_backend
from configurator.solver.backends.cpsat import CpSatModel
from configurator.solver.backends.python_constraint import PythonConstraintBackend
from configurator.solver.problem import Lit, Objective, Problem
from configurator.solver.session import ConfigurationSession, Weights

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Solver"
SUBSECTION = "### Session operations on the example catalogs"
DAY = dt.date(2026, 11, 23)
EXAMPLES = ("ebike", "kitchen", "laptop", "valve")
T = TypeVar("T")


# --- synthetic catalogs -----------------------------------------------------------------------------------


def bundle_catalog(n_modules: int, n_options: int, seed: int) -> tuple[Catalog, Weights]:
    """A catalog of ``n_modules`` exactly-one modules, random excludes, weight and power budgets; and weights."""
    rng = random.Random(seed)
    modules: dict[str, Any] = {}
    utility: dict[str, float] = {}
    weight_max = power_max = 0
    for m in range(n_modules):
        options: dict[str, Any] = {}
        weights, powers = [], []
        for o in range(n_options):
            weight, power = rng.randint(100, 2000), rng.randint(0, 300)
            weights.append(weight)
            powers.append(power)
            options[f"o{o}"] = {
                "price": rng.randint(10, 500),
                "attrs": {"weight_g": weight, "power_w": power},
            }
            utility[f"m{m}.o{o}"] = round(rng.uniform(0, 10), 3)
        weight_max += max(weights)
        power_max += max(powers)
        modules[f"m{m}"] = {"choose": "exactly_one", "options": options}
    refs = [f"m{m}.o{o}" for m in range(n_modules) for o in range(n_options)]
    rules: list[dict[str, Any]] = []
    while len(rules) < 2 * n_modules:
        a, b = rng.sample(refs, 2)
        if a.split(".")[0] != b.split(".")[0]:
            rules.append({"id": f"x{len(rules)}", "excludes": [a, b]})
    rules.append({"id": "weight-budget", "constraint": f"sum(weight_g) <= {int(weight_max * 0.55)}"})
    rules.append({"id": "power-budget", "constraint": f"sum(power_w) <= {int(power_max * 0.55)}"})
    data = {
        "catalog": f"bundle-{n_modules}x{n_options}",
        "version": "1",
        "currency": "EUR",
        "locales": ["en"],
        "attributes": {"weight_g": {"type": "int", "unit": "g"}, "power_w": {"type": "int", "unit": "W"}},
        "modules": modules,
        "rules": rules,
    }
    return Catalog.model_validate(data, context={"default_locale": "en"}), Weights(options=utility)


def rules_catalog(
    n_modules: int, n_options: int, n_rules: int, seed: int, budget: bool = False
) -> tuple[Catalog, Weights]:
    """A catalog of ``n_modules`` x ``n_options`` with ``n_rules`` rules of several kinds, and random weights.

    With ``budget``, one of the rules is a weight budget (a knapsack constraint over all modules).
    """
    rng = random.Random(seed)
    modules: dict[str, Any] = {}
    utility: dict[str, float] = {}
    for m in range(n_modules):
        options = {
            f"o{o}": {"price": rng.randint(10, 900), "attrs": {"weight_g": rng.randint(50, 3000)}}
            for o in range(n_options)
        }
        utility.update({f"m{m}.o{o}": round(rng.uniform(0, 10), 3) for o in range(n_options)})
        modules[f"m{m}"] = {"choose": "exactly_one" if m % 5 else "optional", "options": options}
    refs = [f"m{m}.o{o}" for m in range(n_modules) for o in range(n_options)]
    rules: list[dict[str, Any]] = []
    if budget:
        rules.append({"id": "weight", "constraint": f"sum(weight_g) <= {n_modules * 1300}"})
    while len(rules) < n_rules:
        a, b, c = rng.sample(refs, 3)
        i = len(rules)
        kind = i % 4
        if kind == 0:
            rules.append({"id": f"r{i}", "excludes": [a, b]})
        elif kind == 1:
            rules.append({"id": f"r{i}", "if": a, "requires": f"{b} | {c}"})
        elif kind == 2:
            rules.append({"id": f"r{i}", "constraint": f"{a} -> !{b}"})
        else:
            m1, m2 = rng.sample(range(n_modules), 2)
            rows = [[f"o{rng.randrange(n_options)}", f"o{rng.randrange(n_options)}"] for _ in range(3)]
            table = {"columns": [f"m{m1}", f"m{m2}"], "rows": rows, "mode": "forbidden"}
            rules.append({"id": f"r{i}", "table": table})
    data = {
        "catalog": f"rules-{n_modules}x{n_options}",
        "version": "1",
        "currency": "EUR",
        "locales": ["en"],
        "attributes": {"weight_g": {"type": "int", "unit": "g"}},
        "modules": modules,
        "rules": rules,
    }
    return Catalog.model_validate(data, context={"default_locale": "en"}), Weights(options=utility)


# --- timing helpers ---------------------------------------------------------------------------------------


class _Timeout(Exception):
    pass


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise _Timeout in this (main) thread after ``seconds`` (python-constraint calls back into Python)."""

    def handler(signum: int, frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed(call: Callable[[], T], repeat: int = 1) -> tuple[float, T]:
    """The median wall time of ``repeat`` calls (seconds) and the last result."""
    times: list[float] = []
    result: T
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def timed_best(call: Callable[[], T], repeat: int) -> tuple[float, float, T]:
    """The median and the best wall time of ``repeat`` calls (seconds), and the last result.

    The best is the least disturbed by other jobs on a shared machine.
    """
    times: list[float] = []
    result: T
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), result


LARGE_BUDGET = 40_000_000
"""Diagram nodes allowed when a refused count is tried again (``configurator count --max-nodes``)."""


def _count_child(name: str, queue: Any, large: bool) -> None:
    catalog = load_catalog(ROOT / "catalogs" / f"{name}.yaml")
    session = ConfigurationSession(catalog, on=DAY)
    started = time.perf_counter()
    try:
        if large:
            value: int | str = operations.count(session.cp.problem, max_nodes=LARGE_BUDGET, time_limit=600)
        else:
            value = session.count()
    except SolverError as exc:
        value = str(exc)
    queue.put((time.perf_counter() - started, value))


def count_with_timeout(name: str, seconds: float, large: bool = False) -> tuple[float, int | str] | None:
    """Session.count on an example catalog in a child process; None when it takes longer than ``seconds``.

    The result is ``(seconds, count)``, or ``(seconds, reason)`` when the session refuses to count. ``large``:
    count with a diagram budget of ``LARGE_BUDGET`` nodes and 600 s instead.
    """
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_count_child, args=(name, queue, large))
    child.start()
    child.join(seconds)
    if child.is_alive():
        child.terminate()
        child.join()
        return None
    return queue.get() if not queue.empty() else None


def ms(seconds: float) -> str:
    """Seconds as milliseconds for a table."""
    return f"{seconds * 1000:,.1f}"


# --- (a) CP-SAT vs python-constraint ----------------------------------------------------------------------


@dataclass
class BundleRow:
    """One line of table (a)."""

    size: str
    space: int
    solutions: str
    cpsat_s: float
    cpsat_best_s: float
    cpsat_value: int
    pc_s: float
    pc_value: int | None
    timed_out: bool


def bench_bundles(sizes: list[int], pc_timeout: float, seed: int, repeat: int = 5) -> list[BundleRow]:
    """Optimal bundle: CP-SAT and python-constraint on the same Problem and objective."""
    rows: list[BundleRow] = []
    cpsat = get_backend("cpsat")
    for n in sizes:
        catalog, weights = bundle_catalog(n, 4, seed + n)
        session = ConfigurationSession(catalog)
        problem = session.cp.problem
        objective = session.objective(weights)
        cp_time, cp_best, cp_result = timed_best(
            partial(cpsat.solve, problem, objectives=[objective]), repeat=repeat
        )
        assert cp_result.status == Status.OPTIMAL, cp_result
        engine = PythonConstraintBackend(max_size=problem.size())
        started = time.perf_counter()
        pc_result: Result | None = None
        try:
            with deadline(pc_timeout):
                pc_result = engine.solve(problem, objectives=[objective])
        except _Timeout:
            pc_result = None
        pc_time = time.perf_counter() - started
        pc_value = pc_result.objectives[0] if pc_result is not None else None
        if pc_value is not None and pc_value != cp_result.objectives[0]:
            raise AssertionError(f"{n}x4: CP-SAT {cp_result.objectives} != python-constraint {pc_value}")
        solutions = "-"
        if n <= 8:
            solutions = f"{get_backend('cpsat').count(problem):,}"
        rows.append(
            BundleRow(
                f"{n} x 4",
                problem.size(),
                solutions,
                cp_time,
                cp_best,
                cp_result.objectives[0],
                pc_time,
                pc_value,
                pc_result is None,
            )
        )
        print(
            f"  (a) {n}x4: CP-SAT {cp_time * 1000:.1f} ms, python-constraint {pc_time:.1f} s", file=sys.stderr
        )
    return rows


# --- (b) 50 x 8 / 200 rules ---------------------------------------------------------------------------------


def solve_tuned(problem: Problem, objective: Objective) -> int:
    """One CP-SAT solve to optimality with ``linearization_level=2`` (model built by CpSatModel, 1 worker)."""
    built = CpSatModel(problem)
    built.model.maximize(built.objective_expr(objective))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    code = solver.solve(built.model)
    assert code == cp_model.OPTIMAL, solver.status_name(code)
    return round(solver.objective_value)


def bench_large(seeds: list[int], repeat: int = 7) -> list[dict[str, Any]]:
    """CP-SAT time to a proven optimum on 50 modules x 8 options and 200 rules, without and with a budget."""
    rows: list[dict[str, Any]] = []
    cpsat = get_backend("cpsat")
    for budget in (False, True):
        for seed in seeds:
            catalog, weights = rules_catalog(50, 8, 200, seed, budget=budget)
            compile_s, session = timed(partial(ConfigurationSession, catalog))
            problem = session.cp.problem
            objective = session.objective(weights)
            solve_s, solve_best, result = timed_best(
                partial(cpsat.solve, problem, objectives=[objective]), repeat=repeat
            )
            assert result.status == Status.OPTIMAL, result
            tuned_s, tuned_best, tuned = timed_best(partial(solve_tuned, problem, objective), repeat=repeat)
            assert tuned == result.objectives[0], (tuned, result.objectives)
            rows.append(
                {
                    "budget": budget,
                    "seed": seed,
                    "compile_s": compile_s,
                    "solve_s": solve_s,
                    "solve_best": solve_best,
                    "tuned_s": tuned_s,
                    "tuned_best": tuned_best,
                    "space": problem.size(),
                    "variables": len(problem.variables),
                    "constraints": len(problem.constraints),
                }
            )
            print(
                f"  (b) budget={budget} seed={seed}: {solve_s * 1000:.1f} / {tuned_s * 1000:.1f} ms",
                file=sys.stderr,
            )
    return rows


# --- (c) sessions on the example catalogs -----------------------------------------------------------------


def per_value_domains(session: ConfigurationSession) -> dict[str, tuple[str, ...]]:
    """The former propagation, as a baseline: one CP-SAT solve per value not yet seen in a solution."""
    problem, backend = session.cp.problem, session.backend
    first = backend.solve(problem)
    assert first.assignment is not None
    supported: dict[str, set[int]] = {v.name: set() for v in problem.variables}
    for name, value in first.assignment.items():
        supported[name].add(value)
    for var in problem.variables:
        for value in var.domain:
            if value not in supported[var.name]:
                result = backend.solve(problem, fixed={var.name: frozenset({value})})
                for found, x in (result.assignment or {}).items():
                    supported[found].add(x)
    out: dict[str, tuple[str, ...]] = {}
    for module, mod in session.catalog.modules.items():
        literals = {o: session.cp.selected(module, o) for o in mod.options}
        out[module] = tuple(
            o
            for o, lit in literals.items()
            if isinstance(lit, Lit) and any(x in lit.values for x in supported[lit.var])
        )
    return out


def bench_sessions(count_timeout: float, large_timeout: float = 900) -> list[dict[str, Any]]:
    """domains, why, complete and count on the four example catalogs.

    A count the session refuses is tried again with a larger diagram budget, for up to ``large_timeout``
    seconds (0: not tried).
    """
    rows: list[dict[str, Any]] = []
    for name in EXAMPLES:
        catalog = load_catalog(ROOT / "catalogs" / f"{name}.yaml")
        compile_s, session = timed(partial(ConfigurationSession, catalog, on=DAY))
        diagram_s, diagram = timed(session.diagram)
        empty_s, before = timed(session.domains)
        by_solver = ConfigurationSession(catalog, on=DAY, propagation="solver")
        solver_s, solver_domains = timed(by_solver.domains)
        assert solver_domains == before, f"{name}: the diagram and the solver disagree"
        baseline_s, baseline = timed(partial(per_value_domains, by_solver))
        assert baseline == before, f"{name}: the baseline and the session disagree"
        # every one-choice step through the solver's propagator (one session, kept along the steps)
        steps: list[float] = []
        for module, option in [(m, o) for m, options in before.items() for o in options]:
            by_solver.clear()
            by_solver.select(module, option)
            step, _ = timed(by_solver.domains)
            steps.append(step)
        # the first option (catalog order) whose choice removes an option of another module: a step to explain
        chosen = removed = None
        step_s = 0.0
        for module, option in [(m, o) for m, options in before.items() for o in options]:
            session.clear()
            session.select(module, option)
            step_s, after = timed(session.domains)
            gone = [(m, o) for m, opts in before.items() if m != module for o in opts if o not in after[m]]
            if gone:
                chosen, removed = (module, option), gone[0]
                break
        assert chosen is not None and removed is not None
        why_s, conflict = timed(partial(session.why, *removed))
        assert conflict is not None
        complete_s, configuration = timed(partial(session.complete, "defaults"), repeat=3)
        assert configuration is not None
        session.clear()
        counted = count_with_timeout(name, count_timeout)
        larger = (
            count_with_timeout(name, large_timeout, large=True)
            if large_timeout > 0 and counted and isinstance(counted[1], str)
            else None
        )
        rows.append(
            {
                "name": catalog.catalog,
                "space": session.cp.problem.size(),
                "variables": len(session.cp.problem.variables),
                "compile_s": compile_s,
                "engine": "diagram" if diagram is not None else "solver (no diagram)",
                "diagram_s": diagram_s,
                "solver_s": solver_s,
                "baseline_s": baseline_s,
                "steps": steps,
                "domains_s": empty_s,
                "step_s": step_s,
                "choice": f"{chosen[0]}.{chosen[1]}",
                "why_s": why_s,
                "why": f"{removed[0]}.{removed[1]}: {', '.join(conflict.choices) or '-'} / {', '.join(conflict.constraints)}",
                "complete_s": complete_s,
                "count": counted,
                "count_large": larger,
            }
        )
        print(
            f"  (c) {name}: domains {empty_s:.3f} s, solver {solver_s:.3f} s (steps median "
            f"{statistics.median(steps):.3f} s, max {max(steps):.3f} s), per value {baseline_s:.2f} s, count {counted}",
            file=sys.stderr,
        )
    return rows


# --- report -------------------------------------------------------------------------------------------------


def version(package: str) -> str:
    """An installed package's version."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "?"


def report(
    bundles: list[BundleRow],
    large: list[dict[str, Any]],
    sessions: list[dict[str, Any]],
    args: argparse.Namespace,
) -> str:
    """The Markdown section."""
    machine = machine_line(args)
    lines = [
        SECTION,
        "",
        f"`benchmarks/solver.py` on {machine}. Every run below is side by side in one process, on the same compiled "
        "Problem; times are wall-clock and include building each backend's model.",
        "",
        "### Optimal bundle: CP-SAT vs python-constraint",
        "",
        "Synthetic catalogs: n modules x 4 options (exactly one per module), 2n random pairwise excludes, a weight "
        "budget and a power budget (each 55% of the heaviest bundle), random utility per option. python-constraint has "
        f"no objective: it enumerates every solution and keeps the best. CP-SAT: median and best of {args.repeat} runs; python-constraint: "
        f"one run, stopped after {args.pc_timeout:g} s (then the time is a lower bound, marked >).",
        "",
        "| bundle | search space | CP-SAT ms (median / best) | python-constraint s | speed-up (median) | same optimum |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in bundles:
        bound = ">" if row.timed_out else ""
        ratio = row.pc_s / row.cpsat_s
        same = "yes" if row.pc_value == row.cpsat_value else ("not finished" if row.timed_out else "NO")
        lines.append(
            f"| {row.size} | {row.space:,} | {ms(row.cpsat_s)} / {ms(row.cpsat_best_s)} | {bound}{row.pc_s:,.1f} "
            f"| {bound}{ratio:,.0f}x | {same} |"
        )
    logical = [row["solve_best"] for row in large if not row["budget"]]
    knapsack = [row["solve_best"] for row in large if row["budget"]]
    tuned = [row["tuned_best"] for row in large if row["budget"]]

    def under(times: list[float]) -> str:
        return f"{sum(t < 0.05 for t in times)}/{len(times)} instances under 50 ms, worst {ms(max(times))} ms"

    verdict_large = (
        f"judged on the best of {args.large_repeat} runs, {'met' if max(logical) < 0.05 else 'missed'} with the logical rules "
        f"({under(logical)}); with the weight "
        f"budget, default parameters: {under(knapsack)}; linearization_level=2: {under(tuned)}"
    )
    last = bundles[-1]
    verdict = "met" if last.pc_s / last.cpsat_s >= 1000 else "missed"
    lines += [
        "",
        f"Target >= 1000x at {last.size}: {verdict} ({'>' if last.timed_out else ''}{last.pc_s / last.cpsat_s:,.0f}x).",
        "",
        "### Large catalog: 50 modules x 8 options, 200 rules",
        "",
        f"Random catalogs ({len(large) // 2} seed(s)): 50 modules x 8 options (every fifth module optional), 200 rules: pairwise "
        "excludes, guarded requires, implications and forbidden tables; random utility per option. The second group "
        "makes one of the 200 rules a weight budget over every module (a multiple-choice knapsack). "
        f"{large[0]['variables']} variables, search space {large[0]['space']:.2e}. CP-SAT to a proven optimum, "
        f"median and best of {args.large_repeat} runs, model building included: the default backend (1 worker, default parameters), and the "
        "same model solved with `linearization_level=2` (a stronger LP relaxation).",
        "",
        "| rules | seed | compile ms | CP-SAT default ms (median / best) | CP-SAT linearization_level=2 ms (median / best) |",
        "| --- | ---: | ---: | ---: | ---: |",
        *[
            f"| {'199 logical + weight budget' if row['budget'] else '200 logical'} | {row['seed']} "
            f"| {ms(row['compile_s'])} | {ms(row['solve_s'])} / {ms(row['solve_best'])} "
            f"| {ms(row['tuned_s'])} / {ms(row['tuned_best'])} |"
            for row in large
        ],
        "",
        f"Target < 50 ms: {verdict_large}.",
        "",
    ]
    return "\n".join(lines + report_sessions(sessions, args))


def machine_line(args: argparse.Namespace) -> str:
    """The interpreter, machine, load and solver versions of this run."""
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()} "
        f"(1-minute load average {args.load:.1f} when the run started: other jobs shared the machine); "
        f"OR-Tools {version('ortools')} (CP-SAT, 1 search worker), python-constraint2 {version('python-constraint2')}"
    )


def report_sessions(sessions: list[dict[str, Any]], args: argparse.Namespace) -> list[str]:
    """The Markdown subsection of the session operations (its lines, ending with an empty line)."""
    alone = (
        f" Measured in a run of this part alone (`--sessions-only`) on {commit()}, {machine_line(args)}."
        if args.sessions_only
        else ""
    )
    lines = [
        SUBSECTION,
        "",
        "`ConfigurationSession` on 2026-11-23 (default: decision diagram for domains and counts; without one, the "
        "solver's propagator on the kept incremental SAT kernel `configurator.solver.sat` where the problem suits "
        "it, else CP-SAT; CP-SAT for optimisation). Times are one process's first questions: the first one of "
        "an engine includes building it (a server pays that once per catalog and process). diagram: "
        "compiling the catalog into a decision diagram (once per session; given up beyond its "
        "node, 64 MiB CUDD memory or 10 s budget, then domains come from the solver's propagator). domains: exact "
        "valid domains with no choice, through the session's engine; through the solver's propagator in a fresh "
        'session (`propagation="solver"`: one CP-SAT model with the choices as assumptions, solves that each '
        "look for many unproven options at once, solutions kept as witnesses); and through the former "
        "propagation, one CP-SAT solve per value not yet seen in a solution (all three agree). solver steps: "
        "the propagator's session kept along every one-choice step (each option shown, chosen alone), median "
        "and max. after a choice: the session's engine after the first option, in catalog order, whose choice "
        "removes an option of another module; why: minimal conflict for an option that choice removed; "
        "complete: defaults strategy (median of 3); count: exact, in a child process stopped after "
        f"{args.count_timeout:g} s.{alone}",
        "",
        "| catalog | variables | search space | compile Problem ms | domains engine | diagram ms | domains ms "
        "| domains via solver ms | solver steps ms (median / max) | former per-value propagation ms "
        "| domains after a choice ms | why ms | complete ms | count | count s |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for entry in sessions:
        counted = entry["count"]
        if counted is None:
            count_text, count_time = "not finished", f"> {args.count_timeout:g}"
        else:
            count_text = f"{counted[1]:,}" if isinstance(counted[1], int) else "refused (below)"
            count_time = f"{counted[0]:.2f}"
        steps = entry["steps"]
        lines.append(
            f"| {entry['name']} | {entry['variables']} | {entry['space']:.2e} | {ms(entry['compile_s'])} "
            f"| {entry['engine']} | {ms(entry['diagram_s'])} | {ms(entry['domains_s'])} | {ms(entry['solver_s'])} "
            f"| {ms(statistics.median(steps))} / {ms(max(steps))} | {ms(entry['baseline_s'])} "
            f"| {ms(entry['step_s'])} | {ms(entry['why_s'])} | {ms(entry['complete_s'])} | {count_text} | {count_time} |"
        )
    slow = [e for e in sessions if e["engine"] != "diagram"]
    for e in slow:
        worst = max(e["steps"])
        lines += [
            "",
            f"{e['name']} does not compile into a decision diagram within the session's budget (the attempt gives "
            f"up after {ms(e['diagram_s'])} ms, once per process: later sessions skip it), so its domains come from "
            f"the solver's propagator: {ms(e['domains_s'])} ms with no choice (building the engine included), then "
            f"{ms(statistics.median(e['steps']))} ms per step at the median and at most {ms(worst)} ms "
            f"({'interactive' if worst < 0.5 else 'NOT interactive'}; the former per-value propagation took "
            f"{ms(e['baseline_s'])} ms)"
            + (
                "; its exact count needs a larger diagram budget (below)."
                if e["count"] and isinstance(e["count"][1], str)
                else "."
            ),
        ]
    refused = [(e["name"], e["count"][1]) for e in sessions if e["count"] and isinstance(e["count"][1], str)]
    if refused:
        lines += ["", "Counts refused:", ""]
        lines += [f"- {name}: {message}" for name, message in refused]
        for e in sessions:
            if e["count_large"] is not None:
                seconds, value = e["count_large"]
                found = f"{value:,}" if isinstance(value, int) else f"refused again ({value})"
                lines.append(
                    f"- {e['name']} with a diagram budget of {LARGE_BUDGET:,} nodes "
                    f"(`configurator count --max-nodes {LARGE_BUDGET}`): {found} in {seconds:.1f} s"
                )
    lines += ["", "Choices and conflicts explained:", ""]
    for entry in sessions:
        lines.append(f"- {entry['name']}: chose `{entry['choice']}`; why not `{entry['why']}`")
    lines.append("")
    return lines


def update_sessions_doc(subsection: str, args: argparse.Namespace) -> None:
    """Replace only the session subsection of the Solver section (appended to the section when missing).

    The section keeps its own provenance line (the other parts were measured then); the subsection names its
    commit in its text.
    """
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    _, marker, rest = current.partition(SECTION + "\n")
    if not marker:
        publish(SECTION, f"{SECTION}\n\n{subsection}", args, DOC)
        return
    body = rest[: rest.find("\n## ") + 1] if "\n## " in rest else rest
    kept = body.partition(SUBSECTION + "\n")[0].rstrip("\n")
    publish(SECTION, f"{SECTION}\n{kept}\n\n{subsection}", args, DOC, stamp=False)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the tables, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[8] if quick() else [8, 10, 12])
    parser.add_argument(
        "--pc-timeout", type=float, default=pick(120, 10), help="seconds for one python-constraint run"
    )
    parser.add_argument("--repeat", type=int, default=pick(5, 2), help="CP-SAT runs per bundle size")
    parser.add_argument("--large-seeds", type=int, default=pick(3, 1), help="seeds of the 50 x 8 catalogs")
    parser.add_argument("--large-repeat", type=int, default=pick(7, 2), help="runs per 50 x 8 catalog")
    parser.add_argument("--count-timeout", type=float, default=pick(20, 5), help="seconds for one count")
    parser.add_argument(
        "--large-count-timeout",
        type=float,
        default=pick(900, 0),
        help="seconds for a refused count retried with a larger diagram budget (0: not retried)",
    )
    parser.add_argument("--seed", type=int, default=2026)
    add_doc_options(parser)
    parser.add_argument(
        "--sessions-only", action="store_true", help="run only (c) and rewrite only its subsection"
    )
    args = parser.parse_args(argv)
    args.load = os.getloadavg()[0]
    started = time.perf_counter()
    if args.sessions_only:
        sessions = bench_sessions(args.count_timeout, args.large_count_timeout)
        subsection = "\n".join(report_sessions(sessions, args))
        print(subsection)
        print(f"(total {time.perf_counter() - started:.0f} s)", file=sys.stderr)
        update_sessions_doc(subsection, args)
        return 0
    bundles = bench_bundles(args.sizes, args.pc_timeout, args.seed, args.repeat)
    large = bench_large([args.seed + k for k in range(args.large_seeds)], args.large_repeat)
    sessions = bench_sessions(args.count_timeout, args.large_count_timeout)
    section = report(bundles, large, sessions, args)
    print(section)
    print(f"(total {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    publish(SECTION, section, args, DOC)
    return 0


if __name__ == "__main__":
    sys.exit(main())
