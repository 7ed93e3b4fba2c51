"""The CP-SAT backend (OR-Tools): the default, for satisfaction and optimisation with numeric constraints.

Encoding: one integer variable per Problem variable; "``x`` in S" literals through one-hot channelling
booleans ``x == v`` (a 0/1 variable is its own literal); boolean connectives by full reification (each sub-formula gets a literal equivalent to
it); linear constraints natively (reified when nested); tables natively when at the top level and without
wildcards, else as a disjunction of row matches. Lexicographic objectives are solved one after another,
each optimum fixed before the next. :class:`CpSatOptimizer` keeps one model of a problem for many
optimisations (an interactive session's optimise and top-k calls): choices, budgets and diversity constraints
are added per call to a copy of it.

Example:
    >>> from configurator.solver.problem import Problem, Variable, Constraint, Linear, Objective
    >>> p = Problem((Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2))),
    ...             (Constraint("sum", Linear(((1, "a"), (1, "b")), "<=", 3)),))
    >>> r = CpSatBackend().solve(p, objectives=[Objective(((2, "a"), (1, "b")))])
    >>> r.status.value, r.objectives, r.assignment
    ('optimal', (5,), {'a': 2, 'b': 1})
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from configurator.errors import BackendLimitError, SolverError
from configurator.solver.backend import Capability, Fixed, Result, Status
from configurator.solver.problem import (
    And,
    BoolExpr,
    Const,
    Constraint,
    Iff,
    Implies,
    Linear,
    Lit,
    Not,
    Objective,
    Or,
    Problem,
    Table,
    Term,
    Variable,
    scope,
)

if TYPE_CHECKING:
    from configurator.solver.sat import SatKernel

__all__ = [
    "CpSatBackend",
    "CpSatModel",
    "CpSatOptimizer",
    "CpSatPropagator",
    "SatFirstPropagator",
    "quick_solver",
]

_NEGATED = {"<=": ">", ">=": "<", "==": "!=", "!=": "==", "<": ">=", ">": "<="}


def _add_cmp(model: cp_model.CpModel, expr: Any, op: str, rhs: int) -> Any:
    if op == "<=":
        return model.add(expr <= rhs)
    if op == ">=":
        return model.add(expr >= rhs)
    if op == "==":
        return model.add(expr == rhs)
    if op == "!=":
        return model.add(expr != rhs)
    if op == "<":
        return model.add(expr < rhs)
    return model.add(expr > rhs)


class CpSatModel:
    """A Problem translated to a CP-SAT model (reusable for several objectives and enumerations)."""

    def __init__(self, problem: Problem, fixed: Fixed | None = None) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.vars: dict[str, cp_model.IntVar] = {}
        self.eq: dict[tuple[str, int], Any] = {}
        self.cache: dict[BoolExpr, Any] = {}
        self.infeasible = False
        self._true: Any = None
        for var in problem.variables:
            domain = list(var.domain)
            if fixed and var.name in fixed:
                domain = [v for v in domain if v in fixed[var.name]]
            if not domain:
                self.infeasible = True
                domain = [var.domain[0]] if var.domain else [0]
            self.vars[var.name] = self.model.new_int_var_from_domain(
                cp_model.Domain.from_values(domain), var.name
            )
        for constraint in problem.constraints:
            self.enforce(constraint.expr)

    @property
    def true(self) -> Any:
        """A literal fixed to true."""
        if self._true is None:
            self._true = self.model.new_bool_var("true")
            self.model.add(self._true == 1)
        return self._true

    def value_literal(self, name: str, value: int) -> Any:
        """The literal ``name == value`` (one-hot channelled, created on first use)."""
        key = (name, value)
        if key not in self.eq:
            var = self.vars[name]
            domain = self.problem.var(name).domain
            if value not in domain:
                return self.true.Not()
            if tuple(domain) == (0, 1):  # a 0/1 variable is its own literal: no channelling needed
                self.eq[(name, 1)] = var
                self.eq[(name, 0)] = var.Not()
                return self.eq[key]
            for v in domain:
                b = self.model.new_bool_var(f"{name}=={v}")
                self.model.add(var == v).only_enforce_if(b)
                self.model.add(var != v).only_enforce_if(b.Not())
                self.eq[(name, v)] = b
            self.model.add_exactly_one([self.eq[(name, v)] for v in domain])
        return self.eq[key]

    def term(self, term: Term) -> Any:
        """A linear term: an integer variable or a 0/1 literal."""
        if isinstance(term, str):
            return self.vars[term]
        return self.literal(term)

    def linear_expr(self, terms: tuple[tuple[int, Term], ...]) -> Any:
        """``sum(coef * term)`` as a CP-SAT linear expression."""
        return sum((coef * self.term(t) for coef, t in terms), start=0)

    def literal(self, expr: BoolExpr) -> Any:
        """A CP-SAT literal equivalent to ``expr`` (full reification, cached per sub-expression)."""
        if expr in self.cache:
            return self.cache[expr]
        m = self.model
        lit: Any
        match expr:
            case Const(value=value):
                lit = self.true if value else self.true.Not()
            case Lit(var=var, values=values):
                domain = self.problem.var(var).domain
                inside = [v for v in domain if v in values]
                if not inside:
                    lit = self.true.Not()
                elif len(inside) == len(domain):
                    lit = self.true
                elif len(inside) == 1:
                    lit = self.value_literal(var, inside[0])
                else:
                    lit = m.new_bool_var("in")
                    m.add(sum(self.value_literal(var, v) for v in inside) == 1).only_enforce_if(lit)
                    m.add(sum(self.value_literal(var, v) for v in inside) == 0).only_enforce_if(lit.Not())
            case Not(arg=arg):
                lit = self.literal(arg).Not()
            case And(args=args):
                parts = [self.literal(a) for a in args]
                lit = m.new_bool_var("and")
                m.add_bool_and(parts).only_enforce_if(lit) if parts else None
                m.add_bool_or([p.Not() for p in parts] or [self.true.Not()]).only_enforce_if(lit.Not())
            case Or(args=args):
                parts = [self.literal(a) for a in args]
                lit = m.new_bool_var("or")
                m.add_bool_or(parts or [self.true.Not()]).only_enforce_if(lit)
                if parts:
                    m.add_bool_and([p.Not() for p in parts]).only_enforce_if(lit.Not())
            case Implies(a=a, b=b):
                lit = self.literal(Or((Not(a), b)))
            case Iff(a=a, b=b):
                la, lb = self.literal(a), self.literal(b)
                lit = m.new_bool_var("iff")
                m.add(la == lb).only_enforce_if(lit)
                m.add(la != lb).only_enforce_if(lit.Not())
            case Linear(terms=terms, op=op, rhs=rhs):
                lit = m.new_bool_var("lin")
                linear = self.linear_expr(terms)
                _add_cmp(m, linear, op, rhs).only_enforce_if(lit)
                _add_cmp(m, linear, _NEGATED[op], rhs).only_enforce_if(lit.Not())
            case Table(vars=names, rows=rows, allowed=allowed):
                matches = [
                    And(
                        tuple(
                            Lit(n, frozenset({c})) for n, c in zip(names, row, strict=True) if c is not None
                        )
                    )
                    for row in rows
                ]
                inner = self.literal(Or(tuple(matches)))
                lit = inner if allowed else inner.Not()
            case _:  # pragma: no cover
                raise TypeError(f"not a boolean expression: {expr!r}")
        self.cache[expr] = lit
        return lit

    def enforce(self, expr: BoolExpr) -> None:
        """Add ``expr`` as a hard constraint, natively where CP-SAT has the constraint."""
        m = self.model
        match expr:
            case Const(value=True):
                return
            case And(args=args):
                for a in args:
                    self.enforce(a)
            case Or(args=args):
                m.add_bool_or([self.literal(a) for a in args] or [self.true.Not()])
            case Implies(a=a, b=b):
                m.add_bool_or([self.literal(a).Not(), self.literal(b)])
            case Linear(terms=terms, op=op, rhs=rhs):
                _add_cmp(m, self.linear_expr(terms), op, rhs)
            case Table(vars=names, rows=rows, allowed=allowed) if all(
                c is not None for row in rows for c in row
            ):
                variables = [self.vars[n] for n in names]
                tuples = [[c for c in row if c is not None] for row in rows]
                if allowed:
                    m.add_allowed_assignments(variables, tuples)
                else:
                    m.add_forbidden_assignments(variables, tuples)
            case Lit(var=var, values=values):
                allowed_values = [v for v in self.problem.var(var).domain if v in values]
                m.add_linear_expression_in_domain(
                    self.vars[var], cp_model.Domain.from_values(allowed_values or [])
                )
                if not allowed_values:
                    m.add_bool_or([self.true.Not()])
            case _:
                m.add_bool_or([self.literal(expr)])

    def prepare(self, expr: BoolExpr) -> None:
        """Create (in this model, once) every literal :meth:`enforce` needs for ``expr``, adding no constraint of it.

        After this, :meth:`enforce` of ``expr`` adds only constraints of ``expr`` itself, no definitions.
        """
        _ = self.true
        match expr:
            case Const():
                return
            case And(args=args):
                for a in args:
                    self.prepare(a)
            case Or(args=args):
                for a in args:
                    self.literal(a)
            case Implies(a=a, b=b):
                self.literal(a)
                self.literal(b)
            case Linear(terms=terms):
                for _coef, t in terms:
                    self.term(t)
            case Table(rows=rows) if all(c is not None for row in rows for c in row):
                return
            case Lit():
                return
            case _:
                self.literal(expr)

    def objective_expr(self, objective: Objective) -> Any:
        """The objective as a CP-SAT linear expression (offset included)."""
        return self.linear_expr(objective.terms) + objective.offset

    def assignment(self, solver: cp_model.CpSolver) -> dict[str, int]:
        """The solution values of the Problem's variables."""
        return {name: int(solver.value(var)) for name, var in self.vars.items()}


class CpSatBackend:
    """OR-Tools CP-SAT: optimisation with numeric constraints, time limits, enumeration.

    Args:
        workers: search workers (default 1 for reproducible results; raise it for hard optimisation).
        seed: random seed.
    """

    name = "cpsat"
    capabilities = frozenset(
        {Capability.SOLVE, Capability.OPTIMIZE, Capability.ENUMERATE, Capability.COUNT, Capability.TIME_LIMIT}
    )

    def __init__(self, workers: int = 1, seed: int = 0) -> None:
        self.workers = workers
        self.seed = seed

    def _solver(self, time_limit: float | None) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.seed
        # Stronger LP relaxation: neutral on small bundles, 2-3x faster on budgets summed over many modules.
        solver.parameters.linearization_level = 2
        if time_limit is not None:
            solver.parameters.max_time_in_seconds = max(0.001, time_limit)
        return solver

    def _run(self, model: cp_model.CpModel, time_limit: float | None) -> tuple[cp_model.CpSolver, Any]:
        solver = self._solver(time_limit)
        return solver, solver.solve(model)

    def solve(
        self,
        problem: Problem,
        *,
        fixed: Fixed | None = None,
        objectives: Sequence[Objective] = (),
        time_limit: float | None = None,
    ) -> Result:
        """One solution, or the lexicographically best one; status optimal|feasible|infeasible|timed_out."""
        started = time.perf_counter()
        built = CpSatModel(problem, fixed)
        if built.infeasible:
            return Result(Status.INFEASIBLE, wall_s=time.perf_counter() - started)
        return _lexicographic(built, built.model, objectives, self._run, time_limit, started)

    def solutions(
        self, problem: Problem, *, fixed: Fixed | None = None, limit: int | None = None
    ) -> Iterator[dict[str, int]]:
        """Enumerate solutions by solving and blocking each one found."""
        built = CpSatModel(problem, fixed)
        if built.infeasible:
            return
        found = 0
        names = list(built.vars)
        while limit is None or found < limit:
            solver = self._solver(None)
            if solver.solve(built.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return
            assignment = built.assignment(solver)
            found += 1
            yield assignment
            built.model.add_bool_or([built.value_literal(n, assignment[n]).Not() for n in names])

    def minimal_core(
        self, variables: tuple[Variable, ...], hard: Sequence[Constraint], soft: Sequence[Constraint]
    ) -> tuple[str, ...] | None:
        """Ids of an irreducible subset of ``soft`` infeasible with ``hard`` (None: all hold), on a kept model.

        The kept incremental SAT solver of the variables answers (:mod:`configurator.solver.sat`); where the
        constraints do not suit its encoding, a kept CP-SAT model (:mod:`configurator.solver.backends.cpsat_core`).
        """
        from configurator.solver.backends.cpsat_core import kept_cores
        from configurator.solver.sat import sat_kernel, suits

        candidates = Problem(variables, (*hard, *soft))
        kernel = sat_kernel(Problem(variables, ())) if suits(candidates) else None
        if kernel is not None:
            try:
                return kernel.minimal(hard, soft)
            except SolverError:
                pass  # a sum too large for the encoding: CP-SAT takes it
        return kept_cores(variables, seed=self.seed).minimal(hard, soft)

    def optimizer(self, problem: Problem) -> CpSatOptimizer:
        """A model of ``problem`` kept for many optimisations (see :class:`CpSatOptimizer`)."""
        return CpSatOptimizer(problem, workers=self.workers, seed=self.seed)

    def propagator(self, problem: Problem) -> CpSatPropagator | SatFirstPropagator:
        """An incremental engine of ``problem`` for propagation's covering solves.

        The process's incremental SAT solver of the problem (:func:`configurator.solver.sat.sat_kernel`: a
        fraction of a millisecond per solve) when the problem suits its encoding, else a kept CP-SAT model
        (:class:`CpSatPropagator`, a few milliseconds).
        """
        from configurator.solver.sat import sat_kernel

        kernel = sat_kernel(problem)
        if kernel is None:
            return CpSatPropagator(problem, seed=self.seed)
        return SatFirstPropagator(kernel, problem, seed=self.seed)

    def count(self, problem: Problem, *, fixed: Fixed | None = None, time_limit: float | None = None) -> int:
        """The exact number of solutions, by CP-SAT's enumeration of all solutions (for small problems).

        Raises:
            BackendLimitError: when the enumeration does not finish within ``time_limit``.
        """
        built = CpSatModel(problem, fixed)
        if built.infeasible:
            return 0
        solver = self._solver(time_limit)
        solver.parameters.enumerate_all_solutions = True

        class _Counter(cp_model.CpSolverSolutionCallback):
            def __init__(self) -> None:
                super().__init__()
                self.n = 0

            def on_solution_callback(self) -> None:
                self.n += 1

        counter = _Counter()
        # Unused one-hot literals would be counted as distinct solutions: restrict search to the variables.
        built.model.add_decision_strategy(
            list(built.vars.values()), cp_model.CHOOSE_FIRST, cp_model.SELECT_MIN_VALUE
        )
        solver.parameters.keep_all_feasible_solutions_in_presolve = True
        code = solver.solve(built.model, counter)
        # a finished enumeration ends optimal (or infeasible: none); a stopped one feasible or unknown
        if code not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            if time_limit is None:
                raise SolverError(f"CP-SAT could not count the solutions: {solver.status_name(code)}")
            raise BackendLimitError(
                f"the cpsat backend did not finish counting within the time limit of {time_limit} s "
                "(raise the time limit, or count with the decision diagram)"
            )
        return counter.n


def _lexicographic(
    built: CpSatModel,
    model: cp_model.CpModel,
    objectives: Sequence[Objective],
    run: Callable[[cp_model.CpModel, float | None], tuple[cp_model.CpSolver, Any]],
    time_limit: float | None,
    started: float,
    exprs: Sequence[Any] | None = None,
) -> Result:
    """Solve ``model`` (``built``'s model or a copy of it) for the objectives in turn, fixing each optimum.

    ``run(model, seconds)`` solves once and returns the solver and its status; ``exprs`` are the objectives'
    expressions when the caller has them already.
    """
    values: list[int] = []
    status = Status.OPTIMAL
    assignment: dict[str, int] | None = None
    remaining = time_limit
    levels: list[Objective | None] = [*objectives] or [None]
    for i, objective in enumerate(levels):
        if objective is not None:
            expr = exprs[i] if exprs is not None else built.objective_expr(objective)
            if objective.sense == "max":
                model.maximize(expr)
            else:
                model.minimize(expr)
        solver, code = run(model, remaining)
        if code == cp_model.INFEASIBLE or code == cp_model.MODEL_INVALID:
            return Result(Status.INFEASIBLE, wall_s=time.perf_counter() - started)
        if code == cp_model.UNKNOWN:
            return Result(Status.TIMED_OUT, assignment, tuple(values), time.perf_counter() - started)
        assignment = built.assignment(solver)
        if objective is not None:
            value = round(solver.objective_value)
            values.append(value)
            if code != cp_model.OPTIMAL:
                status = Status.FEASIBLE
                break
            model.add(expr == value)  # fix this level before optimising the next
            model.clear_objective()  # type: ignore[no-untyped-call]
        if time_limit is not None:  # what is left for the next level (a limit of 0 stays a limit)
            remaining = max(0.001, time_limit - (time.perf_counter() - started))
    return Result(status, assignment, tuple(values), time.perf_counter() - started)


class CpSatOptimizer:
    """One CP-SAT model of a problem, kept for the many optimisations of an interactive session.

    The problem is translated once. Each :meth:`solve` copies the model (a protobuf copy inside OR-Tools, no
    Python model building), adds that call's required expressions (the user's choices, a budget, the
    diversity constraints of a top-k search) and its objectives to the copy, and solves the copy: calls never
    see each other's constraints. The literals a call's expressions need are defined in the kept model (a
    definition constrains nothing, so it is valid for every call), so later calls find them ready; objective
    expressions are kept per objective.

    Configuration models are small and solved in a few milliseconds, where CP-SAT's presolve, probing,
    symmetry detection and LP relaxation cost more than the search itself. Each solve therefore first runs a
    quick search without them, within ``quick_dtime`` deterministic seconds (about ten times what the example
    catalogs need); a model it does not settle (optimal or infeasible) in that time is solved again with the
    backend's full parameters. Either way the answer is proven optimal (or the time limit is reported).

    Example:
        >>> from configurator.solver.problem import Problem, Variable, Constraint, Linear, Lit, Objective
        >>> p = Problem((Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2))),
        ...             (Constraint("sum", Linear(((1, "a"), (1, "b")), "<=", 3)),))
        >>> opt = CpSatOptimizer(p)
        >>> best = Objective(((2, "a"), (1, "b")))
        >>> opt.solve([best]).objectives, opt.solve([best], [Lit("a", frozenset({0}))]).assignment
        ((5,), {'a': 0, 'b': 2})
    """

    def __init__(
        self, problem: Problem, *, workers: int = 1, seed: int = 0, quick_dtime: float | None = 0.1
    ) -> None:
        self.problem = problem
        self.workers = workers
        self.seed = seed
        self.quick_dtime = quick_dtime
        self.built = CpSatModel(problem)
        _ = self.built.true
        self.solves = 0
        self.fallbacks = 0
        self._copy = cp_model.CpModel()
        self._exprs: dict[Objective, Any] = {}
        self._full = CpSatBackend(workers, seed)

    def _quick(self, time_limit: float | None) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = self.workers
        params.random_seed = self.seed
        params.cp_model_presolve = False
        params.cp_model_probing_level = 0
        params.symmetry_level = 0
        params.use_sat_inprocessing = False
        params.linearization_level = 0
        if self.quick_dtime is not None:
            params.max_deterministic_time = self.quick_dtime
        if time_limit is not None:
            params.max_time_in_seconds = max(0.001, time_limit)
        return solver

    def _run(self, model: cp_model.CpModel, time_limit: float | None) -> tuple[cp_model.CpSolver, Any]:
        started = time.perf_counter()
        solver = self._quick(time_limit)
        code = solver.solve(model)
        if code in (cp_model.OPTIMAL, cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
            return solver, code
        remaining = None if time_limit is None else time_limit - (time.perf_counter() - started)
        if remaining is not None and remaining <= 0.001:
            return solver, code  # out of time: what the quick search found (feasible) or timed out
        self.fallbacks += 1
        return self._full._run(model, remaining)

    def _expr(self, objective: Objective) -> Any:
        found = self._exprs.get(objective)
        if found is None:
            found = self.built.objective_expr(objective)
            self._exprs[objective] = found
            while len(self._exprs) > 64:
                del self._exprs[next(iter(self._exprs))]
        return found

    def solve(
        self,
        objectives: Sequence[Objective] = (),
        required: Sequence[BoolExpr] = (),
        *,
        time_limit: float | None = None,
    ) -> Result:
        """The lexicographically best solution meeting every ``required`` expression (as :meth:`CpSatBackend.solve`)."""
        started = time.perf_counter()
        built = self.built
        for expr in required:
            built.prepare(expr)
        exprs = [self._expr(o) for o in objectives]
        base = built.model
        marks = (len(built.cache), len(built.eq))
        copy = self._copy
        copy.proto.copy_from(base.proto)
        copy.rebuild_constant_map()
        built.model = copy
        try:
            for expr in required:
                built.enforce(expr)
            result = _lexicographic(built, copy, objectives, self._run, time_limit, started, exprs)
        finally:
            built.model = base
            # anything defined while the copy was the model exists in the copy only: forget it
            for key in list(built.cache)[marks[0] :]:
                del built.cache[key]
            for pair in list(built.eq)[marks[1] :]:
                del built.eq[pair]
        self.solves += 1
        return result


def quick_solver(seed: int, *, fixed_search: bool = True) -> cp_model.CpSolver:
    """A CP-SAT solver for small, quick checks: one worker, no presolve, probing, inprocessing or LP.

    Args:
        seed: the random seed.
        fixed_search: follow the model's decision strategy (covering solves set one).
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = 1
    params.random_seed = seed
    params.cp_model_presolve = False
    params.cp_model_probing_level = 0
    params.use_sat_inprocessing = False
    params.symmetry_level = 0
    params.linearization_level = 0
    if fixed_search:
        params.search_branching = cp_model.FIXED_SEARCH
    return solver


class SatFirstPropagator:
    """Covering solves on the incremental SAT kernel, falling back to a kept CP-SAT model for good.

    The fallback happens at the first question the kernel cannot encode (an expression whose sum is beyond
    the encoder's budget).

    Args:
        kernel: the problem's SAT kernel (shared by the process).
        problem: the problem.
        seed: CP-SAT's seed, should it take over.
    """

    def __init__(self, kernel: SatKernel, problem: Problem, *, seed: int = 0) -> None:
        self.kernel = kernel
        self.problem = problem
        self.seed = seed
        self.fallback: CpSatPropagator | None = None

    def cover(self, targets: Sequence[BoolExpr], required: Sequence[BoolExpr] = ()) -> dict[str, int] | None:
        """As :meth:`CpSatPropagator.cover`."""
        if self.fallback is None:
            try:
                return self.kernel.cover(targets, required)
            except SolverError:
                self.fallback = CpSatPropagator(self.problem, seed=self.seed)
        return self.fallback.cover(targets, required)


class CpSatPropagator:
    """One CP-SAT model of a problem, kept for the many small solves of propagation.

    The model is built once; the user's choices arrive as assumptions (reified literals, created on first use
    and cached), so a session of changing choices never rebuilds it. :meth:`cover` asks for a solution that
    makes at least one of several target literals true: one clause of the model, rewritten in place for each
    call, holds the targets; a fixed search strategy tries to make every target true in turn (round robin over
    their variables), so one solution tends to witness many of them, and an infeasible answer refutes all of
    them at once. Solves are small and feasible almost at once, so presolve, probing and inprocessing (which
    cost more than the search here) are off.

    Example:
        >>> from configurator.solver.problem import Problem, Variable, Constraint, Linear, Lit
        >>> p = Problem((Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2))),
        ...             (Constraint("sum", Linear(((1, "a"), (1, "b")), "<=", 2)),))
        >>> prop = CpSatPropagator(p)
        >>> prop.cover([Lit("a", frozenset({2})), Lit("b", frozenset({2}))], [Lit("a", frozenset({2}))])
        {'a': 2, 'b': 0}
        >>> prop.cover([Lit("b", frozenset({1, 2}))], [Lit("a", frozenset({2}))]) is None
        True
    """

    def __init__(self, problem: Problem, *, seed: int = 0) -> None:
        self.problem = problem
        self.seed = seed
        self.built = CpSatModel(problem)
        self.solves = 0
        # the cover clause: its literals are rewritten by every call (a placeholder that always holds until then)
        self._clause = self.built.model.add_bool_or([self.built.true]).index

    def _solver(self) -> cp_model.CpSolver:
        return quick_solver(self.seed)

    def cover(self, targets: Sequence[BoolExpr], required: Sequence[BoolExpr] = ()) -> dict[str, int] | None:
        """A solution meeting every ``required`` expression and at least one target; None when none exists.

        The search prefers solutions that meet many targets (it tries each target true, in turn), but
        guarantees only one. Without targets there is nothing to meet: None.
        """
        built = self.built
        if built.infeasible or not targets:
            return None
        model = built.model
        literals = [built.literal(t) for t in targets]
        clause = model.proto.constraints[self._clause].bool_or.literals
        clause.clear()
        clause.extend(lit.index for lit in literals)
        model.clear_assumptions()
        model.add_assumptions([built.literal(r) for r in required])
        # round robin over the targets' variables: the first target of each, then the second, ...; every
        # other call from each variable's last target (for a quantity: its largest open value, whose
        # neighbours differ from those of the smallest)
        rounds: dict[str, int] = {}
        keyed: list[tuple[int, int, Any]] = []
        order = list(enumerate(zip(targets, literals, strict=True)))
        for k, (target, lit) in reversed(order) if self.solves % 2 else order:
            key = min(scope(target), default="")
            rank = rounds.get(key, 0)
            rounds[key] = rank + 1
            keyed.append((rank, k, lit))
        keyed.sort(key=lambda item: (item[0], item[1]))
        model.proto.search_strategy.clear()
        model.add_decision_strategy(
            [lit for _, _, lit in keyed], cp_model.CHOOSE_FIRST, cp_model.SELECT_MAX_VALUE
        )
        solver = self._solver()
        code = solver.solve(model)
        self.solves += 1
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return built.assignment(solver)
        if code == cp_model.INFEASIBLE:
            return None
        raise SolverError(f"CP-SAT could not decide a propagation step: {solver.status_name(code)}")
