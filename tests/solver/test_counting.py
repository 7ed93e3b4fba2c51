"""Exact counting: the Ganak engine against brute force and the diagram, projection, and the portfolio."""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.cli import main
from configurator.errors import BackendLimitError, SolverError
from configurator.solver import operations
from configurator.solver.counting import (
    Attempt,
    Cnf,
    CountResult,
    choose,
    count_cnf,
    count_portfolio,
    digits,
    encode,
    ganak_count,
    race,
    run_in_child,
)
from configurator.solver.counting.portfolio import RACE_NICE
from configurator.solver.dd import CompiledDiagram
from configurator.solver.problem import (
    Constraint,
    Iff,
    Implies,
    Linear,
    Lit,
    Not,
    Or,
    Problem,
    Variable,
)
from strategies import PROBLEM_VALUES, expressions
from support import has_module, needs_cudd

needs_ganak = pytest.mark.skipif(not has_module("pyganak"), reason="the 'pyganak' package is not installed")

SETTINGS = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Problems of 1-5 variables with 1-12 values (log and one-hot domains) and up to 4 random constraints."""
    n = draw(st.integers(min_value=1, max_value=5))
    variables = tuple(
        Variable(
            f"v{i}",
            tuple(draw(st.lists(PROBLEM_VALUES | st.integers(6, 12), min_size=1, max_size=12, unique=True))),
        )
        for i in range(n)
    )
    constraints = draw(st.lists(expressions([v.name for v in variables], max_leaves=6), max_size=4))
    return Problem(variables, tuple(Constraint(f"c{k}", e) for k, e in enumerate(constraints)))


def brute_force(problem: Problem) -> int:
    """The number of full assignments that pass ``problem.check``."""
    return sum(1 for a in problem.assignments() if problem.check(a))


def feature_model(n: int) -> Problem:
    """A root with ``n`` optional Boolean features, each needing the root, and a cross-tree chain of excludes."""
    f = [Variable(f"f{i}", (0, 1)) for i in range(n)]
    on = frozenset({1})
    constraints = [Constraint("root", Lit("f0", on))]
    constraints += [Constraint(f"parent{i}", Implies(Lit(f"f{i}", on), Lit("f0", on))) for i in range(1, n)]
    constraints += [
        Constraint(
            f"x{i}",
            Not(Lit(f"f{i}", on)) if i % 7 == 0 else Or((Not(Lit(f"f{i}", on)), Lit(f"f{i + 1}", on))),
        )
        for i in range(1, n - 1, 3)
    ]
    return Problem(tuple(f), tuple(constraints), name=f"fm{n}")


@needs_ganak
@needs_cudd
@SETTINGS
@given(problems(), st.sampled_from(["log", "one-hot"]))
def test_ganak_counts_like_brute_force_and_the_diagram(problem: Problem, domains: str) -> None:
    """Ganak's count of the CNF (log or one-hot domains) equals brute force and the decision diagram."""
    expected = brute_force(problem)
    assert count_cnf(encode(problem, domains=domains)) == expected  # type: ignore[arg-type]
    assert CompiledDiagram.compile(problem).count() == expected


GROUP_BOUNDS: list[tuple[Literal["==", ">=", "<=", ">", "<"], int]] = [
    ("==", 1),
    (">=", 1),
    ("<=", 1),
    (">", 0),
    ("<", 2),
    ("==", 2),
]


@st.composite
def group_problems(draw: st.DrawFn) -> Problem:
    """Boolean problems with feature-group constraints: a guard implies a cardinality over 0/1 terms."""
    n = draw(st.integers(min_value=2, max_value=7))
    names = [f"f{i}" for i in range(n)]
    on = frozenset({1})
    constraints = []
    for k in range(draw(st.integers(min_value=1, max_value=4))):
        children = draw(st.lists(st.sampled_from(names), min_size=2, max_size=5, unique=True))
        terms = tuple((1, c if draw(st.booleans()) else Lit(c, on)) for c in children)
        op, rhs = draw(st.sampled_from(GROUP_BOUNDS))
        guard = draw(st.sampled_from([*names, None]))
        expr = Linear(terms, op, rhs)
        constraints.append(Constraint(f"g{k}", expr if guard is None else Implies(Lit(guard, on), expr)))
    return Problem(tuple(Variable(x, (0, 1)) for x in names), tuple(constraints))


@needs_ganak
@SETTINGS
@given(group_problems())
def test_feature_groups_become_clauses_that_count_right(problem: Problem) -> None:
    """Cardinality groups under a guard, encoded as clauses without auxiliaries, count like brute force."""
    assert count_cnf(encode(problem)) == brute_force(problem)


@needs_ganak
@SETTINGS
@given(problems())
def test_auxiliaries_are_defined_so_projection_changes_nothing(problem: Problem) -> None:
    """Counting over every CNF variable equals counting over the projection set: auxiliaries are functions."""
    cnf = encode(problem)
    assert cnf.defined
    projected = count_cnf(cnf, project=True, simplified=False)
    assert count_cnf(cnf, project=False, simplified=False) == projected
    assert count_cnf(cnf) == projected  # simplified, over every variable


@needs_ganak
def test_projection_counts_only_the_problems_variables() -> None:
    """With an undefined auxiliary, the sampling set counts the projected solutions, not the CNF's models."""
    cnf = Cnf(nvars=3, clauses=[[1, 2], [-1, 3]], projection=(1, 2))  # 3 is free when 1 is false
    assert not cnf.defined
    assert count_cnf(cnf) == 3
    assert count_cnf(cnf, project=False) == 4


def test_projection_set_is_the_value_encoding() -> None:
    """The projection set holds one variable per Boolean, the bits of a log domain, none for a constant."""
    p = Problem(
        (Variable("b", (0, 1)), Variable("c", (7,)), Variable("m", tuple(range(5)))),
        (Constraint("r", Iff(Lit("b", frozenset({1})), Linear(((2, "m"),), ">=", 4))),),
    )
    cnf = encode(p)
    assert len(cnf.projection) == 1 + 0 + 3
    assert cnf.nvars > len(cnf.projection)  # the constraint needed auxiliaries
    assert len(encode(p, domains="one-hot").projection) == 1 + 0 + 5


@needs_ganak
def test_ganak_counts_exactly_beyond_doubles_and_under_fixed_values() -> None:
    """Counts past 2**53 are exact ints, and fixed values narrow the domains."""
    p = Problem(tuple(Variable(f"v{i}", tuple(range(10))) for i in range(20)))
    assert ganak_count(p) == 10**20
    assert ganak_count(p, {"v0": [1, 2]}) == 2 * 10**19
    assert type(ganak_count(p)) is int


@needs_ganak
def test_unsatisfiable_and_empty_problems() -> None:
    """A contradiction counts 0, an empty domain counts 0, no variables count 1."""
    on = frozenset({1})
    assert (
        ganak_count(
            Problem(
                (Variable("a", (0, 1)),), (Constraint("x", Lit("a", on)), Constraint("y", Not(Lit("a", on))))
            )
        )
        == 0
    )
    assert ganak_count(Problem((Variable("a", ()),))) == 0
    assert ganak_count(Problem(())) == 1


def test_linear_constraints_beyond_the_node_budget_are_refused() -> None:
    """A linear constraint needing more nodes than allowed is refused as unsuited, naming the budget."""
    p = Problem(
        tuple(Variable(f"q{i}", tuple(range(0, 50, 7))) for i in range(6)),
        (Constraint("sum", Linear(tuple((i + 1, f"q{i}") for i in range(6)), "==", 294)),),
    )
    with pytest.raises(SolverError, match="unsuited"):
        encode(p, max_linear_nodes=5)


def test_unknown_fixed_variable_is_refused() -> None:
    """Fixed values on a variable the problem lacks are refused."""
    with pytest.raises(SolverError, match="unknown variable 'nope'"):
        encode(Problem((Variable("a", (0, 1)),)), {"nope": [1]})


def test_the_plan_follows_the_shape() -> None:
    """Large Boolean problems race with Ganak first; multi-valued and small ones try the diagram first."""
    assert choose(feature_model(150))[:2] == ("race", ("ganak", "diagram"))
    assert choose(feature_model(20))[:2] == ("sequential", ("diagram", "ganak"))
    assert choose(Problem((Variable("m", (0, 1, 2)),)))[:2] == ("sequential", ("diagram", "ganak"))


def random_3cnf(n: int, m: int, seed: int) -> Problem:
    """A seeded random 3-CNF over ``n`` Boolean variables with ``m`` clauses (its diagram is not tiny)."""
    rng = random.Random(seed)
    clauses = []
    for k in range(m):
        picked = rng.sample(range(n), 3)
        clauses.append(
            Constraint(f"c{k}", Or(tuple(Lit(f"x{i}", frozenset({rng.randint(0, 1)})) for i in picked)))
        )
    return Problem(tuple(Variable(f"x{i}", (0, 1)) for i in range(n)), tuple(clauses), name="random")


@needs_ganak
@needs_cudd
def test_ganak_counts_what_the_diagram_refuses() -> None:
    """A problem the diagram refuses at a tiny node limit is counted by Ganak, and the answer says so."""
    p = random_3cnf(30, 80, seed=3)
    expected = CompiledDiagram.compile(p).count()
    result = count_portfolio(p, max_nodes=1000, time_limit=60)
    assert (result.count, result.engine) == (expected, "ganak")
    assert [a.engine for a in result.attempts] == ["diagram", "ganak"]
    assert "node limit" in result.attempts[0].outcome
    assert result.attempts[1].outcome == "counted"


@needs_ganak
@needs_cudd
def test_a_race_returns_the_first_exact_answer() -> None:
    """A large Boolean problem races both engines; the winner's count is exact and named."""
    p = feature_model(150)
    result = count_portfolio(p, time_limit=60)
    assert result.plan == "race"
    assert result.engine in ("ganak", "diagram")
    assert result.count == CompiledDiagram.compile(p).count()
    assert result.attempts[-1] == next(a for a in result.attempts if a.outcome == "counted")


@needs_ganak
@needs_cudd
def test_engines_can_be_named() -> None:
    """``engines`` runs the named engines in order; an unknown name is refused."""
    p = feature_model(30)
    assert count_portfolio(p, engines=("ganak",)).engine == "ganak"
    assert count_portfolio(p, engines=("diagram",)).engine == "diagram"
    with pytest.raises(SolverError, match="unknown counting engine 'cpsat'"):
        count_portfolio(p, engines=("cpsat",))


@needs_cudd
def test_when_every_engine_gives_up_the_reasons_are_named() -> None:
    """Both engines refusing raises one error naming each engine's reason."""
    with pytest.raises(SolverError) as caught:
        count_portfolio(
            random_3cnf(30, 80, seed=3), engines=("diagram", "diagram"), max_nodes=1000, time_limit=30
        )
    assert str(caught.value).count("diagram gave up") == 2


def test_a_child_past_its_time_limit_is_killed() -> None:
    """A count in a child that passes its time limit is stopped with BackendLimitError, promptly."""

    def slow() -> int:
        time.sleep(30)
        return 1

    started = time.perf_counter()
    with pytest.raises(BackendLimitError, match=r"time limit of 0\.5 s"):
        run_in_child(slow, time_limit=0.5, what="a count")
    assert time.perf_counter() - started < 10


def test_a_child_error_reaches_the_parent() -> None:
    """An error raised in the child is raised again in the parent with its message."""

    def fail() -> int:
        raise SolverError("no luck")

    with pytest.raises(SolverError, match="no luck"):
        run_in_child(fail, time_limit=30, what="a count")


def test_a_niced_count_runs_below_the_favourite() -> None:
    """A race runs each count at its own niceness: the named one lower, the others as the parent."""

    def niceness() -> int:
        return os.nice(0)

    base = os.nice(0)
    name, value, _, _ = race({"low": niceness}, time_limit=30, nice={"low": 5})
    assert (name, value) == ("low", min(base + 5, 19))
    assert race({"same": niceness}, time_limit=30)[1] == base


def test_the_portfolio_races_the_second_engine_niced(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a race plan the favourite keeps its priority and the other engine runs RACE_NICE steps lower."""
    from configurator.solver.counting import child

    seen: dict[str, object] = {}

    def fake_race(counts: object, **kwargs: object) -> tuple[str, int, float, list[tuple[str, float, str]]]:
        seen.update(kwargs)
        return "ganak", 1, 0.0, [("ganak", 0.0, "counted")]

    monkeypatch.setattr(child, "race", fake_race)
    assert count_portfolio(feature_model(150)).plan == "race"
    assert seen["nice"] == {"diagram": RACE_NICE}


def test_a_race_keeps_the_answer_when_the_other_fails() -> None:
    """In a race, a failing engine does not stop the other from answering; all failing names each."""

    def fail() -> int:
        raise SolverError("refused")

    name, value, _, tries = race({"a": fail, "b": lambda: 5}, time_limit=30)
    assert (name, value) == ("b", 5)
    assert ("a", "refused") in [(t[0], t[2]) for t in tries]
    with pytest.raises(SolverError, match=r"a gave up .*refused"):
        race({"a": fail}, time_limit=30)


@needs_ganak
@needs_cudd
def test_count_detail_names_the_engine_and_count_stays_an_int() -> None:
    """``operations.count_detail`` says which engine counted; ``operations.count`` returns the same int."""
    p = feature_model(40)
    detail = operations.count_detail(p, fixed={"f1": frozenset({1})})
    assert detail.engine == "diagram"
    assert (
        operations.count(p, fixed={"f1": frozenset({1})})
        == detail.count
        == CompiledDiagram.compile(p).count({"f1": 1})
    )


@needs_cudd
def test_the_kitchen_counts_within_the_default_budget(capsys: pytest.CaptureFixture[str]) -> None:
    """The kitchen catalog (cabinet widths and counts in several sums) counts by the diagram on the defaults."""
    kitchen = Path(__file__).resolve().parents[2] / "catalogs" / "kitchen.yaml"
    assert main(["count", str(kitchen), "--on", "2026-06-01", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["engine"] == "diagram"
    assert payload["count"] == "118179171866688672"  # as counted before under a 40M-node budget, other order


@needs_ganak
@needs_cudd
def test_cli_count_names_the_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``configurator count`` prints the engine before the count, and ``--json`` gives both with the tries."""
    model = tmp_path / "m.uvl"
    model.write_text("features\n    Root\n        optional\n            A\n            B\n", encoding="utf-8")
    assert main(["count", str(model)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == "4"
    assert lines[-2].startswith("engine: diagram (")
    assert main(["count", str(model), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["count"] == "4" and payload["engine"] == "diagram"
    assert payload["attempts"][0]["outcome"] == "counted"


def test_counts_past_the_default_digit_limit_print_in_full() -> None:
    """A count of more than 4,300 digits is printed in full (JSON), and its digits are counted exactly."""
    big = 3**20000
    result = CountResult(big, "diagram", 1.0, (Attempt("diagram", 1.0, "counted"),))
    text = result.as_dict()["count"]
    assert isinstance(text, str) and len(text) == digits(big) == 9543
    assert int(text[:5]) == int(str(big // 10 ** (9543 - 5)))
