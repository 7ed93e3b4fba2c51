"""A :class:`~configurator.solver.problem.Problem` as a CNF for a #SAT counter, with its projection set.

The encoding, variable by variable:

- a one-value domain is a constant (no CNF variable); an empty domain makes the formula false;
- a two-value domain is one CNF variable (true: the second value);
- a larger domain is log-encoded by default: ``ceil(log2 k)`` bits of the value's index, the indexes past
  the domain forbidden, "takes value v" a defined conjunction of bits made when a constraint needs it (Ganak
  is slow on one-hot domains: an exactly-one over 50 values alone takes it a second); or, when asked,
  one-hot: a CNF variable per value, at least one and at most one of them (pairwise up to eight values, above
  that a ladder of prefix disjunctions ``p_i <-> p_(i-1) or x_i``).

Constraints are encoded by Tseitin: every sub-formula that needs a name gets an auxiliary variable defined by
a full equivalence (``a <-> (b and c)``, not only the implication), structurally equal sub-formulas share it,
and constants are folded away. A linear constraint becomes a decision diagram over its terms: a node per
(term, partial sum) that is still undecided, the partial sum's range against the right-hand side pruning the
rest, each node defined by ``node <-> (x_v -> child_v)`` over the exclusive, exhaustive values ``x_v`` of its
term (a log-encoded variable over consecutive integers contributes its bits, one layer each). Linear
constraints whose diagram would exceed ``max_linear_nodes`` are refused as unsuited (the
decision diagram engine counts those).

Projection: the count wanted is the number of solutions of the problem, not of the CNF. Every auxiliary
variable (Tseitin names, ladder prefixes, linear nodes) is a function of the problem's own variables, so
each solution extends to exactly one CNF model and the plain model count is already right. The CNF still
carries the projection set (:attr:`Cnf.projection`: the variables that encode the problem's values), and the
counter is given it as its sampling set, so the count stays right even if an encoding step were not defined
(tests count both ways).

Example:
    >>> from configurator.solver.problem import Problem, Variable, Constraint, Lit, Or
    >>> p = Problem((Variable("a", (0, 1)), Variable("b", (0, 1, 2))),
    ...             (Constraint("r", Or((Lit("a", frozenset({1})), Lit("b", frozenset({2}))))),))
    >>> cnf = encode(p)
    >>> cnf.nvars, cnf.projection, cnf.clauses  # b: bits 2, 3; index 3 forbidden; 4 <-> b == 2
    (4, (1, 2, 3), [[-2, -3], [-4, 2, -3], [4, -2], [4, 3], [1, -4]])
    >>> encode(p, domains="one-hot").clauses  # b: 2, 3, 4, exactly one
    [[2, 3, 4], [-2, -3], [-2, -4], [-3, -4], [1, 4]]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from configurator.errors import SolverError
from configurator.solver.problem import (
    And,
    BoolExpr,
    Const,
    Iff,
    Implies,
    Linear,
    Lit,
    Not,
    Or,
    Problem,
    Table,
    Term,
    Variable,
    compare,
)

__all__ = [
    "DEFAULT_MAX_LINEAR_NODES",
    "LONG_CLAUSE",
    "PAIRWISE_GROUP",
    "PAIRWISE_UP_TO",
    "Cnf",
    "CnfLit",
    "Component",
    "DomainEncoding",
    "Encoder",
    "Simplified",
    "encode",
    "simplify",
    "split_long",
]

DEFAULT_MAX_LINEAR_NODES = 200_000
"""Most auxiliary nodes the linear constraints of one problem may take before the encoding is refused."""
PAIRWISE_GROUP = 16
"""Cardinality constraints ("exactly one of", "at most one of") up to this many terms become clauses directly."""
PAIRWISE_UP_TO = 8
"""Domains up to this size say "at most one value" pairwise; larger ones use a ladder of prefix disjunctions."""
LONG_CLAUSE = 3
"""Clauses of more literals are split by a ladder of defined disjunctions before counting (:func:`split_long`)."""

DomainEncoding = Literal["log", "one-hot"]
"""How domains of more than two values become CNF variables."""

CnfLit = int | bool
"""A CNF literal (a non-zero signed variable index) or a folded constant."""


@dataclass
class Cnf:
    """Clauses over variables ``1..nvars`` and the projection set that encodes the problem's values.

    Attributes:
        nvars: how many CNF variables there are (declared even when no clause mentions them).
        clauses: the clauses, each a list of non-zero signed variable indices.
        projection: the variables that encode the problem's own values (the counter's sampling set).
        unsatisfiable: a clause became empty while encoding (the count is 0 without counting).
        defined: every variable outside the projection is a function of the projection's variables (each
            solution extends to exactly one model), so the plain model count is the projected count.
    """

    nvars: int = 0
    clauses: list[list[int]] = field(default_factory=list)
    projection: tuple[int, ...] = ()
    unsatisfiable: bool = False
    defined: bool = False


class Encoder:
    """The encoding state: value literals per variable, shared Tseitin names, the clause list.

    :func:`encode` uses one for a whole problem; an incremental SAT user (:mod:`configurator.solver.sat`)
    keeps one and encodes more expressions as it goes (:meth:`expr` defines a literal equivalent to an
    expression, :meth:`constraint` asserts one under guard literals), reading the new clauses from
    ``cnf.clauses``. Call :meth:`variable` for every variable of the problem before anything else.
    """

    def __init__(self, problem: Problem, max_linear_nodes: int, domains: DomainEncoding) -> None:
        self.domains = domains
        self.bits: dict[str, list[int]] = {}
        self.cnf = Cnf()
        self.problem = problem
        self.max_linear_nodes = max_linear_nodes
        self.linear_nodes = 0
        self.values: dict[str, dict[int, CnfLit]] = {}
        self.projection: list[int] = []
        self.names: dict[object, CnfLit] = {}
        self.tables: dict[
            tuple[object, ...], CnfLit
        ] = {}  # "the row matches", per table (long to encode again)

    def new(self) -> int:
        """A fresh CNF variable."""
        self.cnf.nvars += 1
        return self.cnf.nvars

    def clause(self, literals: Iterable[CnfLit]) -> None:
        """Add a clause, dropping false constants; a true constant satisfies it, nothing left is a conflict."""
        out: list[int] = []
        for lit in literals:
            if lit is True:
                return
            if lit is False:
                continue
            out.append(lit)
        if not out:
            self.cnf.unsatisfiable = True
        self.cnf.clauses.append(out)

    def variable(self, var: Variable) -> None:
        """Declare the value literals of ``var`` and its exactly-one clauses."""
        domain = var.domain
        if len(domain) == 0:
            self.cnf.unsatisfiable = True
            self.values[var.name] = {}
        elif len(domain) == 1:
            self.values[var.name] = {domain[0]: True}
        elif len(domain) == 2:
            x = self.new()
            self.projection.append(x)
            self.values[var.name] = {domain[0]: -x, domain[1]: x}
        elif self.domains == "log":  # bits b_j of the value's index; indexes past the domain are forbidden
            bits = [self.new() for _ in range((len(domain) - 1).bit_length())]
            self.projection.extend(bits)
            self.bits[var.name] = bits
            for code in range(len(domain), 1 << len(bits)):
                self.clause([-b if code >> j & 1 else b for j, b in enumerate(bits)])
        else:
            xs = [self.new() for _ in domain]
            self.projection.extend(xs)
            self.values[var.name] = dict(zip(domain, xs, strict=True))
            self.clause(xs)
            if len(xs) <= PAIRWISE_UP_TO:
                for i, a in enumerate(xs):
                    for b in xs[i + 1 :]:
                        self.clause((-a, -b))
            else:  # p_i <-> p_(i-1) or x_i, and x_i excludes p_(i-1): at most one, with defined prefixes
                prefix = xs[0]
                for x in xs[1:]:
                    self.clause((-prefix, -x))
                    prefix = self.define_or((prefix, x))

    def value_literals(self, var: str) -> dict[int, CnfLit]:
        """Value -> literal of "``var`` takes it" (for a log-encoded variable: a defined conjunction of bits)."""
        if var not in self.values:
            domain = self.problem.var(var).domain
            self.values[var] = {value: self.code_literal(var, code) for code, value in enumerate(domain)}
        return self.values[var]

    def define_or(self, args: Sequence[int]) -> int:
        """A fresh variable ``n <-> or(args)`` (args are literals, not constants)."""
        n = self.new()
        self.clause((-n, *args))
        for a in args:
            self.clause((n, -a))
        return n

    def named(self, kind: str, args: list[CnfLit]) -> CnfLit:
        """The literal of ``and``/``or`` over ``args``, folded or shared by structure."""
        absorbing, neutral = (False, True) if kind == "and" else (True, False)
        kept: list[int] = []
        seen: set[int] = set()  # kept's members, for membership in constant time (tables have many rows)
        for a in args:
            if a is absorbing:
                return absorbing
            if a is not neutral and a not in seen:
                seen.add(int(a))
                kept.append(int(a))
        if not kept:
            return neutral
        if len(kept) == 1:
            return kept[0]
        if any(-a in seen for a in kept):
            return absorbing
        cache_key = (kind, frozenset(kept))
        if cache_key in self.names:
            return self.names[cache_key]
        if kind == "or":
            result: CnfLit = self.define_or(kept)
        else:
            result = -self.define_or([-a for a in kept])
        self.names[cache_key] = result
        return result

    def code_literal(self, var: str, code: int) -> CnfLit:
        """The defined conjunction of bits that says a log-encoded ``var`` takes its ``code``-th value."""
        return self.named("and", [b if code >> j & 1 else -b for j, b in enumerate(self.bits[var])])

    def lit_of(self, var: str, values: Iterable[int]) -> CnfLit:
        """The literal of "``var`` takes one of ``values``"."""
        wanted = set(values)
        if var in self.bits:  # log: the chosen codes, or the missing ones negated when fewer
            domain = self.problem.var(var).domain
            chosen_codes = [c for c, v in enumerate(domain) if v in wanted]
            if len(chosen_codes) * 2 <= len(domain):
                return self.named("or", [self.code_literal(var, c) for c in chosen_codes])
            missing = [c for c, v in enumerate(domain) if v not in wanted]
            return _neg(self.named("or", [self.code_literal(var, c) for c in missing]))
        table = self.values[var]
        chosen = [table[v] for v in wanted if v in table]
        if len(chosen) == len(table):
            return True
        if not chosen:
            return False
        if len(chosen) == 1:
            return chosen[0]
        if len(chosen) == len(table) - 1:  # exactly one value is true: "not the missing one"
            (missing_lit,) = (lit for lit in table.values() if lit not in chosen)
            return _neg(missing_lit)
        return self.named("or", list(chosen))

    def expr(self, e: BoolExpr) -> CnfLit:
        """The literal equivalent to ``e``."""
        match e:
            case Const(value=value):
                return value
            case Lit(var=var, values=values):
                return self.lit_of(var, values)
            case Not(arg=arg):
                return _neg(self.expr(arg))
            case And(args=args):
                return self.named("and", [self.expr(a) for a in args])
            case Or(args=args):
                return self.named("or", [self.expr(a) for a in args])
            case Implies(a=a, b=b):
                return self.named("or", [_neg(self.expr(a)), self.expr(b)])
            case Iff(a=a, b=b):
                return self.iff(self.expr(a), self.expr(b))
            case Table(vars=names, rows=rows, allowed=allowed) if (names, rows) in self.tables:
                matched = self.tables[names, rows]
                return matched if allowed else _neg(matched)
            case Table(vars=names, rows=rows, allowed=allowed):
                matched = self.tables[names, rows] = self.named(
                    "or",
                    [
                        self.named(
                            "and",
                            [self.lit_of(n, (c,)) for n, c in zip(names, row, strict=True) if c is not None],
                        )
                        for row in rows
                    ],
                )
                return matched if allowed else _neg(matched)
            case Linear():
                return self.linear(e)
        raise TypeError(f"not a boolean expression: {e!r}")  # pragma: no cover

    def iff(self, a: CnfLit, b: CnfLit) -> CnfLit:
        """The literal of ``a <-> b``."""
        if isinstance(a, bool):
            return b if a else _neg(b)
        if isinstance(b, bool):
            return a if b else -a
        if a == b:
            return True
        if a == -b:
            return False
        key = ("iff", frozenset((a, b)))
        if key in self.names:
            return self.names[key]
        n = self.new()
        self.clause((-n, -a, b))
        self.clause((-n, a, -b))
        self.clause((n, a, b))
        self.clause((n, -a, -b))
        self.names[key] = n
        return n

    def branches(self, term: Term) -> tuple[list[list[tuple[CnfLit, int]]], int]:
        """A linear term as layers of exclusive, exhaustive (literal, value) pairs whose sum plus an offset it is.

        A log-encoded variable whose domain is a run of consecutive integers is its first value plus its bits
        (one layer per bit, worth a power of two); any other variable is one layer of its value literals.
        """
        if isinstance(term, str):
            domain = self.problem.var(term).domain
            bits = self.bits.get(term)
            if bits is not None and domain == tuple(range(domain[0], domain[0] + len(domain))):
                return [[(-b, 0), (b, 1 << j)] for j, b in enumerate(bits)], domain[0]
            return [[(lit, value) for value, lit in self.value_literals(term).items()]], 0
        lit = self.expr(term)
        return [[(_neg(lit), 0), (lit, 1)]], 0

    def linear(self, e: Linear) -> CnfLit:
        """The literal of a linear constraint, by a decision diagram over its terms (see the module docstring)."""
        layers: list[list[tuple[CnfLit, int]]] = []
        offset = 0
        for coef, term in e.terms:
            parts, first = self.branches(term)
            offset += coef * first
            layers.extend([(lit, coef * value) for lit, value in layer] for layer in parts if layer)
        # The reachable range of the sum of the terms from position i on.
        low = [0] * (len(layers) + 1)
        high = [0] * (len(layers) + 1)
        for i in range(len(layers) - 1, -1, -1):
            low[i] = low[i + 1] + min(v for _, v in layers[i])
            high[i] = high[i + 1] + max(v for _, v in layers[i])
        # Forward: the undecided partial sums each position can be reached with; backward: their nodes.
        reached: list[set[int]] = [{offset}]
        for i, layer in enumerate(layers):
            following: set[int] = set()
            for partial in reached[i]:
                if _decided(partial + low[i], partial + high[i], e.op, e.rhs) is None:
                    following.update(partial + v for _, v in layer)
            reached.append(following)
        below: dict[int, CnfLit] = {}
        for i in range(len(layers), -1, -1):
            here: dict[int, CnfLit] = {}
            for partial in reached[i]:
                decided = _decided(partial + low[i], partial + high[i], e.op, e.rhs)
                if decided is None:
                    here[partial] = self.choice([(lit, below[partial + v]) for lit, v in layers[i]])
                else:
                    here[partial] = decided
            below = here
        return below[offset]

    def choice(self, children: list[tuple[CnfLit, CnfLit]]) -> CnfLit:
        """A node ``n <-> and(x -> child)`` over exclusive, exhaustive guards ``x`` (exactly one holds)."""
        distinct = {child for _, child in children}
        if len(distinct) == 1:
            return children[0][1]
        key = ("choice", tuple(children))
        if key in self.names:
            return self.names[key]
        self.linear_nodes += 1
        if self.linear_nodes > self.max_linear_nodes:
            raise SolverError(
                f"cannot encode {self.problem.name} for a #SAT counter: its linear constraints need more than "
                f"{self.max_linear_nodes:,} nodes (unsuited: count it with the decision diagram)"
            )
        n = self.new()
        for guard, child in children:
            self.clause((-n, _neg(guard), child))
            self.clause((n, _neg(guard), _neg(child)))
        self.names[key] = n
        return n

    def constraint(self, e: BoolExpr, guard: tuple[CnfLit, ...] = ()) -> None:
        """Assert ``guard -> e``: conjunctions split, disjunctions and small cardinalities become clauses directly.

        ``a -> b`` asserts ``b`` under the guard ``a`` (the conjuncts of ``a``), so a feature group ("the parent
        needs exactly one child") becomes clauses with the parent's literal and no auxiliary variable.
        """
        off = [_neg(g) for g in guard]
        match e:
            case And(args=args):
                for a in args:
                    self.constraint(a, guard)
            case Or(args=args):
                self.clause([*off, *(self.expr(a) for a in args)])
            case Implies(a=And(args=args), b=b):
                self.constraint(b, (*guard, *(self.expr(a) for a in args)))
            case Implies(a=a, b=b):
                self.constraint(b, (*guard, self.expr(a)))
            case Not(arg=Or(args=args)):
                for a in args:
                    self.constraint(Not(a), guard)
            case Not(arg=And(args=args)):
                self.clause([*off, *(_neg(self.expr(a)) for a in args)])
            case Not(arg=Not(arg=inner)):
                self.constraint(inner, guard)
            case Iff(a=a, b=b):
                x, y = self.expr(a), self.expr(b)
                self.clause((*off, _neg(x), y))
                self.clause((*off, x, _neg(y)))
            case Linear() if (card := self.cardinality(e)) is not None:
                literals, at_least, at_most = card
                if at_least:
                    self.clause((*off, *literals))
                if at_most:
                    for k, x in enumerate(literals):
                        for y in literals[k + 1 :]:
                            self.clause((*off, _neg(x), _neg(y)))
            case _:
                self.clause((*off, self.expr(e)))

    def cardinality(self, e: Linear) -> tuple[list[CnfLit], bool, bool] | None:
        """``e`` as "at least one" and/or "at most one" of up to ``PAIRWISE_GROUP`` 0/1 terms, or None."""
        if not 2 <= len(e.terms) <= PAIRWISE_GROUP or any(coef != 1 for coef, _ in e.terms):
            return None
        literals: list[CnfLit] = []
        for _, term in e.terms:
            if isinstance(term, str):
                if self.problem.var(term).domain != (0, 1):
                    return None
                literals.append(self.values[term][1])
            else:
                literals.append(self.expr(term))
        bounds = {("==", 1): (True, True), (">=", 1): (True, False), (">", 0): (True, False)}
        bounds |= {("<=", 1): (False, True), ("<", 2): (False, True)}
        found = bounds.get((e.op, e.rhs))
        return None if found is None else (literals, *found)


def _neg(lit: CnfLit) -> CnfLit:
    return (not lit) if isinstance(lit, bool) else -lit


def _decided(low: int, high: int, op: str, rhs: int) -> bool | None:
    """Whether ``s op rhs`` holds for every ``s`` in ``[low, high]`` (True), for none (False), or it depends."""
    if low == high:
        return compare(low, op, rhs)
    if op in ("<=", "<"):
        limit = rhs if op == "<=" else rhs - 1
        return True if high <= limit else False if low > limit else None
    if op in (">=", ">"):
        limit = rhs if op == ">=" else rhs + 1
        return True if low >= limit else False if high < limit else None
    outside = rhs < low or rhs > high
    if op == "==":
        return False if outside else None
    return True if outside else None  # "!="


def encode(
    problem: Problem,
    fixed: Mapping[str, Iterable[int]] | None = None,
    *,
    max_linear_nodes: int = DEFAULT_MAX_LINEAR_NODES,
    domains: DomainEncoding = "log",
) -> Cnf:
    """The CNF of ``problem`` (its domains narrowed to ``fixed``), with the projection set.

    Args:
        problem: the problem.
        fixed: allowed values per variable (a choice narrows a domain).
        max_linear_nodes: most nodes the linear constraints may take together.
        domains: ``"log"`` (default) or ``"one-hot"`` for domains of more than two values.

    Raises:
        SolverError: a variable of ``fixed`` is unknown, or the linear constraints need more than
            ``max_linear_nodes`` nodes (the problem is unsuited to this encoding).

    Example:
        >>> from configurator.solver.problem import Problem, Variable, Constraint, Linear
        >>> p = Problem((Variable("x", (0, 1, 2)), Variable("y", (0, 1, 2))),
        ...             (Constraint("sum", Linear(((1, "x"), (1, "y")), "<=", 2)),))
        >>> len(encode(p).projection), len(encode(p, {"x": [0]}).projection)  # two bits per variable
        (4, 2)
    """
    unknown = sorted(set(fixed or {}) - set(problem.names))
    if unknown:
        raise SolverError(f"unknown variable {unknown[0]!r} in the fixed values of {problem.name}")
    if fixed:
        problem = problem.restrict(
            {n: tuple(v for v in problem.var(n).domain if v in set(allowed)) for n, allowed in fixed.items()}
        )
    enc = Encoder(problem, max_linear_nodes, domains)
    for var in problem.variables:
        enc.variable(var)
    enc.cnf.projection = tuple(enc.projection)
    enc.cnf.defined = True  # every auxiliary is defined by a full equivalence (module docstring)
    for c in problem.constraints:
        enc.constraint(c.expr)
    return enc.cnf


@dataclass(frozen=True)
class Component:
    """One independent part of a simplified CNF: its clauses over its own variables, renumbered ``1..nvars``.

    Renumbering keeps the variables' order and the clauses are sorted, so two parts with the same structure
    over consecutive variables are equal (and hashable): their count is taken once.
    """

    nvars: int
    clauses: tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Simplified:
    """A CNF after unit propagation and merging of equivalent literals, split into independent components.

    Its model count (over every variable of the CNF) is ``2**free`` times the product of the components'
    counts, 0 when ``unsatisfiable``.

    Attributes:
        components: the independent parts, smallest first.
        free: how many variables no clause mentions any more (each doubles the count).
        fixed: how many variables unit propagation fixed.
        merged: how many variables were replaced by an equivalent literal.
        unsatisfiable: propagation found a conflict (the count is 0).
    """

    components: tuple[Component, ...] = ()
    free: int = 0
    fixed: int = 0
    merged: int = 0
    unsatisfiable: bool = False


def simplify(cnf: Cnf) -> Simplified:
    """``cnf``'s clauses simplified without changing the number of its models, and split into components.

    Unit propagation fixes variables (each has one value in every model); a cycle of binary implications
    makes literals equivalent, and each is replaced by one representative (its variable takes one value per
    model); both repeat until nothing changes. What is left splits into components that share no variable,
    whose counts multiply. Only the plain model count is kept: a projected count is the same only when the
    CNF is :attr:`Cnf.defined`.

    Example:
        >>> s = simplify(Cnf(nvars=7, clauses=[[1], [-1, 2], [-2, 3, 4], [-3, 4], [-4, 3], [5, 6]]))
        >>> s.fixed, s.merged, s.free, [c.clauses for c in s.components]  # 4 is 3; 1, 2, 3 fixed; 7 free
        (3, 1, 1, [((1, 2),)])
    """
    if cnf.unsatisfiable:
        return Simplified(unsatisfiable=True)
    clauses: list[list[int]] | None = _normalise(cnf.clauses)
    value: dict[int, bool] = {}
    merged = 0
    while clauses is not None:
        clauses = _propagate(clauses, value)
        if clauses is None:
            break
        representative = _equivalences(clauses)
        if representative is None:
            clauses = None
            break
        if not representative:
            break
        merged += len(representative)
        clauses = _normalise(
            [[representative.get(x, x) if x > 0 else -representative.get(-x, -x) for x in c] for c in clauses]
        )
    if clauses is None:
        return Simplified(unsatisfiable=True)
    components = _components(clauses)
    used = sum(c.nvars for c in components)
    return Simplified(components, cnf.nvars - used - len(value) - merged, len(value), merged)


def _normalise(clauses: Iterable[Iterable[int]]) -> list[list[int]]:
    """Clauses without repeated literals, tautologies or duplicates."""
    out: list[list[int]] = []
    seen: set[frozenset[int]] = set()
    for c in clauses:
        lits = frozenset(c)
        if lits in seen or any(-x in lits for x in lits):
            continue
        seen.add(lits)
        out.append(sorted(lits, key=abs))
    return out


def _propagate(clauses: list[list[int]], value: dict[int, bool]) -> list[list[int]] | None:
    """Unit propagation into ``value``: the clauses left (None on a conflict), none of them a unit."""
    queue = [c[0] for c in clauses if len(c) == 1]
    if not queue:
        return clauses
    occurs: dict[int, list[int]] = {}
    for i, c in enumerate(clauses):
        for x in c:
            occurs.setdefault(x, []).append(i)
    satisfied = bytearray(len(clauses))
    open_literals = [len(c) for c in clauses]
    while queue:
        lit = queue.pop()
        if abs(lit) in value:
            if value[abs(lit)] != (lit > 0):
                return None
            continue
        value[abs(lit)] = lit > 0
        for i in occurs.get(lit, ()):
            satisfied[i] = 1
        for i in occurs.get(-lit, ()):
            if satisfied[i]:
                continue
            open_literals[i] -= 1
            if open_literals[i] == 0:
                return None
            if open_literals[i] == 1:  # the one literal not yet false must hold
                queue.extend(x for x in clauses[i] if abs(x) not in value)
    return [[x for x in c if abs(x) not in value] for i, c in enumerate(clauses) if not satisfied[i]]


def _equivalences(clauses: list[list[int]]) -> dict[int, int] | None:
    """Variable -> equivalent literal of a representative, from the cycles of binary implications.

    The strongly connected components of the implication graph (``a or b``: ``-a -> b``, ``-b -> a``) are
    classes of equivalent literals; each class's literal of the smallest variable represents it. None when a
    literal is equivalent to its negation (no model).
    """
    graph: dict[int, list[int]] = {}
    for c in clauses:
        if len(c) == 2:
            a, b = c
            graph.setdefault(-a, []).append(b)
            graph.setdefault(-b, []).append(a)
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    representative: dict[int, int] = {}
    for start in graph:
        if start in index:
            continue
        work = [(start, 0)]
        while work:  # Tarjan's algorithm without recursion: (node, next successor to look at)
            node, k = work.pop()
            if k == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            successors = graph.get(node, [])
            while k < len(successors) and successors[k] in index:
                if successors[k] in on_stack:
                    low[node] = min(low[node], index[successors[k]])
                k += 1
            if k < len(successors):
                work += [(node, k + 1), (successors[k], 0)]
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] != index[node]:
                continue
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == node:
                    break
            if len(members) < 2:
                continue
            rep = min(members, key=abs)
            if -rep in members:
                return None
            for member in members:
                if abs(member) != abs(rep) and abs(member) not in representative:
                    representative[abs(member)] = rep if member > 0 else -rep
    return representative


def _components(clauses: list[list[int]]) -> tuple[Component, ...]:
    """The clauses split into parts that share no variable, each renumbered, smallest first."""
    parent: dict[int, int] = {}

    def root(v: int) -> int:
        while parent.setdefault(v, v) != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for c in clauses:
        first = root(abs(c[0]))
        for x in c[1:]:
            other = root(abs(x))
            if other != first:
                parent[other] = first
    groups: dict[int, list[list[int]]] = {}
    for c in clauses:
        groups.setdefault(root(abs(c[0])), []).append(c)
    parts = []
    for group in groups.values():
        number = {v: i for i, v in enumerate(sorted({abs(x) for c in group for x in c}), start=1)}
        renumbered = sorted(tuple(number[x] if x > 0 else -number[-x] for x in c) for c in group)
        parts.append(Component(len(number), tuple(renumbered)))
    return tuple(sorted(parts, key=lambda p: (p.nvars, len(p.clauses))))


def split_long(
    nvars: int, clauses: Iterable[Sequence[int]], width: int = LONG_CLAUSE
) -> tuple[int, list[list[int]]]:
    """The clauses with those of more than ``width`` literals split by a ladder of defined disjunctions.

    ``x1 or x2 or ... or xk`` becomes ``p2 <-> x1 or x2``, ``p3 <-> p2 or x3``, ..., and ``p(k-1) or xk``: each
    new variable is a function of the others, so the model count is unchanged, and the clause no longer links
    its ``k`` variables pairwise in the primal graph a counter decomposes (a feature group of 77 children is
    one clause of 77 literals: a tree decomposition at least 76 wide, searched for tens of seconds). Ganak
    counts the split CNF of a 1,920-feature model in 44 s instead of 75, of a 2,513-feature one in 12 s
    instead of 22.

    Returns:
        The number of variables (new ones numbered after ``nvars``) and the clauses.

    Example:
        >>> split_long(4, [[1, 2, 3, 4], [-1, 2]])
        (6, [[-5, 1, 2], [5, -1], [5, -2], [-6, 5, 3], [6, -5], [6, -3], [6, 4], [-1, 2]])
    """
    out: list[list[int]] = []
    for c in clauses:
        if len(c) <= width:
            out.append(list(c))
            continue
        prefix = c[0]
        for x in c[1:-1]:
            nvars += 1
            out += [[-nvars, prefix, x], [nvars, -prefix], [nvars, -x]]
            prefix = nvars
        out.append([prefix, c[-1]])
    return nvars, out
