"""Incremental SAT on a problem's CNF: exact checks under assumptions in a fraction of a millisecond.

A session without a compiled diagram (the kitchen catalog: its cabinet sums make the diagram too large) asks
the solver, after each choice, which values are still possible and why the others are not. CP-SAT answers
each such question in 3-5 ms, most of it loading the model again; a SAT solver keeps its clauses and what
it learned between calls, and answers a small catalog's questions in tens of microseconds.

:class:`SatKernel` encodes the problem once (:class:`~configurator.solver.counting.cnf.Encoder`, one-hot
domains, every auxiliary a full equivalence) into an incremental solver of ``python-sat`` (Glucose). Every
constraint sits under a selector literal, so any set of constraints can be assumed on or left out;
expressions met later (choices, targets, rules) are encoded on first use and their clauses added as they
come. Its two questions are those of the CP-SAT engines it stands in for:

- :meth:`SatKernel.cover`: a solution meeting the required expressions and at least one target (the
  :class:`~configurator.solver.operations.Propagator`'s covering solve), the targets' literals tried true
  first so that one solution witnesses many of them;
- :meth:`SatKernel.minimal`: an irreducible subset of soft constraints that conflicts with the hard ones
  (deletion, each infeasible check shrinking the candidates to the solver's core of failed assumptions).

Both are exact: a solution is a model of the CNF, whose variables encode the problem's values, and an
infeasible answer is the solver's proof. :func:`sat_kernel` builds one when the problem suits the encoding
(``python-sat`` installed, tables and sums small enough), else returns None so that the caller keeps CP-SAT.

Example:
    >>> from configurator.solver.problem import Constraint, Linear, Lit, Problem, Variable
    >>> p = Problem((Variable("a", (0, 1, 2)), Variable("b", (0, 1, 2))),
    ...             (Constraint("sum", Linear(((1, "a"), (1, "b")), "<=", 2)),))
    >>> kernel = SatKernel(p)
    >>> kernel.cover([Lit("a", frozenset({2}))], [Lit("b", frozenset({0, 1}))])
    {'a': 2, 'b': 0}
    >>> kernel.cover([Lit("b", frozenset({1, 2}))], [Lit("a", frozenset({2}))]) is None
    True
    >>> soft = [Constraint("a=2", Lit("a", frozenset({2}))), Constraint("b>0", Lit("b", frozenset({1, 2})))]
    >>> kernel.minimal(list(p.constraints), soft), kernel.minimal([], soft) is None
    (('a=2', 'b>0'), True)
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from configurator.errors import SolverError
from configurator.solver.counting.cnf import CnfLit, Encoder
from configurator.solver.deletion import irreducible
from configurator.solver.problem import BoolExpr, Constraint, Problem, Table, nodes

__all__ = ["MAX_KERNELS", "MAX_LINEAR_NODES", "MAX_TABLE_ROWS", "SatKernel", "sat_kernel", "suits"]

MAX_TABLE_ROWS = 500_000
"""Problems whose tables hold more rows than this keep CP-SAT. Each row is encoded once per process (about 3 s
per 100,000 rows), which a few CP-SAT solves on such tables cost too (Renault CLib megane: 0.4 s each)."""
MAX_LINEAR_NODES = 50_000
"""The most nodes the encoder may spend on the sums of one kernel (beyond it the kernel is refused)."""
MAX_KERNELS = 16
"""Kernels kept per process by :func:`sat_kernel` (one per problem: a catalog version on a date)."""


def _import_solvers() -> Any:
    from pysat import solvers  # an optional dependency: the ``solver`` extra

    return solvers


def suits(problem: Problem, *, max_rows: int | None = None) -> bool:
    """Whether the problem's tables hold at most ``max_rows`` rows in all (sums are checked while encoding).

    ``max_rows`` defaults to :data:`MAX_TABLE_ROWS`; a caller may allow more or fewer (lint has its own).

    Example:
        >>> from configurator.solver.problem import Constraint, Problem, Table, Variable
        >>> suits(Problem((Variable("a", (0, 1)),), (Constraint("t", Table(("a",), ((1,),))),)))
        True
    """
    rows = sum(
        len(node.rows) for c in problem.constraints for node in nodes(c.expr) if isinstance(node, Table)
    )
    return rows <= (MAX_TABLE_ROWS if max_rows is None else max_rows)


class SatKernel:
    """One incremental SAT solver holding a problem's CNF, for many exact checks under assumptions.

    Thread-safe: a lock serialises the calls (each a fraction of a millisecond on a catalog).

    Args:
        problem: the problem; its constraints are assumed by :meth:`cover`, never by :meth:`minimal` (which
            names its own).
        max_linear_nodes: the encoder's budget for sums.

    Raises:
        SolverError: ``python-sat`` is missing, or the sums need more than ``max_linear_nodes`` nodes.
    """

    def __init__(self, problem: Problem, *, max_linear_nodes: int = MAX_LINEAR_NODES) -> None:
        try:
            solvers = _import_solvers()
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise SolverError(
                "incremental SAT needs the 'python-sat' package: pip install 'configurator[solver]'"
            ) from exc
        self.problem = problem
        self.checks = 0
        self._enc = Encoder(problem, max_linear_nodes, "one-hot")
        for variable in problem.variables:
            self._enc.variable(variable)
        self._true = self._enc.new()
        self._enc.clause([self._true])
        self._solver = solvers.Solver(name="glucose4")
        self._enc.linear_nodes = 0  # from here on the budget holds for each expression encoded on demand
        # freed when the kernel goes, and at the latest at exit, before the interpreter tears python-sat down
        self._free = weakref.finalize(self, self._solver.delete)
        self._literals: dict[BoolExpr, int] = {}
        self._selectors: dict[Constraint, int] = {}
        self._lock = threading.Lock()
        self._base = [self._selector(c) for c in problem.constraints]
        self._sync()

    def close(self) -> None:
        """Free the solver now (also done when the kernel is garbage-collected, or at exit)."""
        with self._lock:
            self._free()

    def _sync(self) -> None:
        """Give the solver the clauses the encoder added since the last call (the encoder keeps none of them)."""
        clauses = self._enc.cnf.clauses
        for clause in clauses:
            self._solver.add_clause(clause)
        clauses.clear()

    def _lit(self, value: CnfLit) -> int:
        if value is True:
            return self._true
        if value is False:
            return -self._true
        return int(value)

    def _literal(self, expr: BoolExpr) -> int:
        """A literal equivalent to ``expr`` (encoded on first use)."""
        found = self._literals.get(expr)
        if found is None:
            self._enc.linear_nodes = 0
            found = self._literals[expr] = self._lit(self._enc.expr(expr))
        return found

    def _selector(self, constraint: Constraint) -> int:
        """A literal that, assumed true, enforces ``constraint``."""
        found = self._selectors.get(constraint)
        if found is None:
            self._enc.linear_nodes = 0
            selector = self._enc.new()
            self._enc.constraint(constraint.expr, (selector,))
            found = self._selectors[constraint] = selector
        return found

    def _solve(self, assumptions: Sequence[int]) -> bool:
        self._sync()
        self.checks += 1
        return bool(self._solver.solve(assumptions=list(assumptions)))

    def _assignment(self) -> dict[str, int]:
        model = self._solver.get_model()
        true = {lit for lit in model if lit > 0}
        solution: dict[str, int] = {}
        for variable in self.problem.variables:
            for value, lit in self._enc.values[variable.name].items():
                if lit is True or (
                    not isinstance(lit, bool) and (lit in true if lit > 0 else -lit not in true)
                ):
                    solution[variable.name] = value
                    break
            else:  # pragma: no cover - one-hot clauses make exactly one value true
                raise SolverError(f"the SAT model gives {variable.name!r} no value")
        return solution

    def cover(self, targets: Sequence[BoolExpr], required: Sequence[BoolExpr] = ()) -> dict[str, int] | None:
        """A solution of the problem meeting every ``required`` expression and at least one target; None if none.

        Without targets there is nothing to meet: None.
        """
        if not targets:
            return None
        with self._lock:
            wanted = [self._literal(t) for t in targets]
            needed = [self._literal(r) for r in required]
            switch = self._enc.new()  # this call's clause "some target holds", retired afterwards
            self._enc.clause([-switch, *wanted])
            self._solver.set_phases(wanted)
            try:
                found = self._solve([*self._base, *needed, switch])
                return self._assignment() if found else None
            finally:
                self._enc.clause([-switch])

    def feasible(self, constraints: Sequence[Constraint]) -> bool:
        """Whether some assignment of the problem's variables satisfies every one of ``constraints``.

        Only ``constraints`` are assumed (the problem's own are not, unless they are among them).

        Raises:
            SolverError: a constraint's sum needs more nodes than the encoder's budget.
        """
        with self._lock:
            return self._solve([self._selector(c) for c in constraints])

    def _core(self, hard: Sequence[int], soft: Sequence[int]) -> list[int] | None:
        """None when the hard and soft literals hold together; else a core: indexes into ``soft``."""
        if self._solve([*hard, *soft]):
            return None
        failed = set(self._solver.get_core() or ())
        return [k for k, lit in enumerate(soft) if lit in failed]

    def minimal(self, hard: Sequence[Constraint], soft: Sequence[Constraint]) -> tuple[str, ...] | None:
        """Ids of an irreducible subset of ``soft`` infeasible with ``hard`` (in ``soft``'s order); None if all hold."""
        with self._lock:
            hard_literals = [self._selector(c) for c in hard]
            found = irreducible(
                list(soft), lambda trial: self._core(hard_literals, [self._selector(c) for c in trial])
            )
            return None if found is None else tuple(c.id for c in found)


_kernels: OrderedDict[Problem, SatKernel | None] = OrderedDict()
_kernels_lock = threading.Lock()


def sat_kernel(problem: Problem) -> SatKernel | None:
    """The process's :class:`SatKernel` of ``problem``, or None when it does not suit the encoding.

    Made on first use and kept (the least recently used beyond ``MAX_KERNELS`` is dropped); a problem that
    does not suit is remembered as such.

    Example:
        >>> from configurator.solver.problem import Problem, Variable
        >>> p = Problem((Variable("a", (0, 1)),))
        >>> sat_kernel(p) is sat_kernel(Problem((Variable("a", (0, 1)),)))
        True
    """
    with _kernels_lock:
        if problem in _kernels:
            _kernels.move_to_end(problem)
            return _kernels[problem]
    kernel: SatKernel | None = None
    if suits(problem):
        try:
            kernel = SatKernel(problem)
        except SolverError:
            kernel = None
    with _kernels_lock:
        _kernels[problem] = kernel
        _kernels.move_to_end(problem)
        while len(_kernels) > MAX_KERNELS:
            _kernels.popitem(last=False)
    return kernel
