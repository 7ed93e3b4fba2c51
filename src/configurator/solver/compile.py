"""Compile a catalog (on a date) into a backend-neutral :class:`~configurator.solver.problem.Problem`.

Encoding:

- a module that allows at most one option is one variable named after the module, whose values are
  ``0`` (nothing, only when the module is not mandatory) and ``1..n`` (its options in catalog order);
- a module that allows several options has one variable per option, ``module.option``, whose value is the
  selected quantity (``0`` = not selected), with the module's cardinality as a linear constraint;
- an option of a single-choice module that may be ordered in quantities > 1 also gets a quantity variable
  ``module.option#qty`` tied to the module's choice;
- options, modules and rules not in force on the date are removed (options) or skipped (rules);
- decimal attributes are scaled to integers per constraint (``sum(capacity_wh) <= 2.5`` becomes ``x10``).

Expressions must be linear: ``x * y`` of two non-constant terms is a :class:`SolverError`.

Example:
    >>> from configurator.catalog.models import Catalog
    >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}},
    ...                 "motor": {"choose": "optional", "options": {"hub": {}}}},
    ...     "rules": [{"id": "no-hub", "excludes": ["frame.carbon", "motor.hub"]}]})
    >>> cp = compile_catalog_problem(cat)
    >>> [(v.name, v.domain, v.labels) for v in cp.problem.variables]
    [('frame', (1, 2), ('alu', 'carbon')), ('motor', (0, 1), ('-', 'hub'))]
    >>> cp.to_configuration({"frame": 2, "motor": 0}).selections
    {'frame': {'carbon': 1}}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from configurator.catalog.compiled import compiled
from configurator.catalog.configuration import Configuration
from configurator.catalog.models import Catalog
from configurator.errors import SolverError
from configurator.rules import ast
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
)

__all__ = ["CatalogProblem", "SolverError", "compile_catalog_problem"]


Number = Fraction
_LinMap = dict[Term, Fraction]


@dataclass
class _Lin:
    """A linear expression with rational coefficients: ``sum(coef * term) + const``."""

    coefs: _LinMap = field(default_factory=dict)
    const: Fraction = Fraction(0)

    def add(self, other: _Lin, sign: int = 1) -> _Lin:
        coefs = dict(self.coefs)
        for term, coef in other.coefs.items():
            coefs[term] = coefs.get(term, Fraction(0)) + sign * coef
        return _Lin({t: c for t, c in coefs.items() if c != 0}, self.const + sign * other.const)

    def scale(self, factor: Fraction) -> _Lin:
        return _Lin({t: c * factor for t, c in self.coefs.items() if c * factor != 0}, self.const * factor)


def _fraction(value: int | Decimal) -> Fraction:
    return Fraction(value)


@dataclass(frozen=True)
class CatalogProblem:
    """A catalog compiled to a Problem, with the encoding needed to map solutions back.

    Attributes:
        catalog: the source catalog.
        problem: the Problem.
        on: the date effective dates were applied for (None: ignored).
        single: single-choice modules (one variable each), with their option ids by value.
        multi: multi-choice modules, with their option variable names by option id.
        qty_vars: quantity variables of options in single-choice modules, by ``(module, option)``.
    """

    catalog: Catalog
    problem: Problem
    on: dt.date | None
    single: Mapping[str, tuple[str, ...]]
    multi: Mapping[str, Mapping[str, str]]
    qty_vars: Mapping[tuple[str, str], str]

    def selected(self, module: str, option: str) -> BoolExpr:
        """The literal "``module.option`` is selected"."""
        if module in self.single:
            options = self.single[module]
            if option not in options:
                return Const(False)
            return Lit(module, frozenset({options.index(option) + 1}))
        name = self.multi[module].get(option)
        if name is None:
            return Const(False)
        return Lit(name, frozenset(range(1, self.catalog.option(module, option).qty.max + 1)))

    def quantity_term(self, module: str, option: str) -> tuple[tuple[int, Term], ...]:
        """Linear terms for the quantity of ``module.option``."""
        if (module, option) in self.qty_vars:
            return ((1, self.qty_vars[(module, option)]),)
        if module in self.single:
            return ((1, self.selected(module, option)),)
        name = self.multi[module].get(option)
        return ((1, name),) if name is not None else ()

    def option_literals(self) -> dict[tuple[str, str], BoolExpr]:
        """The selection literal of every option that can be selected on the date."""
        out: dict[tuple[str, str], BoolExpr] = {}
        for module, options in self.single.items():
            for option in options:
                out[(module, option)] = self.selected(module, option)
        for module, by_option in self.multi.items():
            for option in by_option:
                out[(module, option)] = self.selected(module, option)
        return out

    def to_configuration(self, assignment: Mapping[str, int]) -> Configuration:
        """The configuration of a (full) solution."""
        selections: dict[str, dict[str, int]] = {}
        for module, options in self.single.items():
            value = assignment.get(module, 0)
            if value > 0:
                option = options[value - 1]
                qty_var = self.qty_vars.get((module, option))
                selections.setdefault(module, {})[option] = assignment[qty_var] if qty_var else 1
        for module, by_option in self.multi.items():
            for option, name in by_option.items():
                if assignment.get(name, 0) > 0:
                    selections.setdefault(module, {})[option] = assignment[name]
        ordered = {m: selections[m] for m in self.catalog.modules if m in selections}
        return Configuration(ordered, catalog=self.catalog.catalog)

    def to_assignment(self, configuration: Configuration) -> dict[str, int]:
        """The assignment of a configuration's choices (unselected options get 0 / none)."""
        assignment: dict[str, int] = {}
        for module, options in self.single.items():
            chosen = [o for o, q in configuration.selections.get(module, {}).items() if q > 0]
            assignment[module] = options.index(chosen[0]) + 1 if chosen and chosen[0] in options else 0
        for module, by_option in self.multi.items():
            for option, name in by_option.items():
                assignment[name] = configuration.quantity(module, option)
        for (module, option), name in self.qty_vars.items():
            assignment[name] = configuration.quantity(module, option)
        return assignment

    def price_objective(self, sense: str = "min") -> Objective:
        """The list price of a configuration, in cents, as an objective."""
        terms: list[tuple[int, Term]] = []
        for (module, option), _ in self.option_literals().items():
            cents = int(self.catalog.option(module, option).price * 100)
            terms.extend((cents * c, t) for c, t in self.quantity_term(module, option))
        return Objective(tuple(terms), 0, "min" if sense == "min" else "max")


class _Compiler:
    def __init__(self, catalog: Catalog, on: dt.date | None) -> None:
        self.catalog = catalog
        self.on = on
        self.variables: list[Variable] = []
        self.constraints: list[Constraint] = []
        self.single: dict[str, tuple[str, ...]] = {}
        self.multi: dict[str, dict[str, str]] = {}
        self.qty_vars: dict[tuple[str, str], str] = {}
        self.cp: CatalogProblem | None = None

    def effective_options(self, module_id: str) -> list[str]:
        module = self.catalog.modules[module_id]
        if not module.effective(self.on):
            return []
        return [oid for oid, o in module.options.items() if o.effective(self.on)]

    def structure(self) -> None:
        for mid, module in self.catalog.modules.items():
            options = self.effective_options(mid)
            if module.max_choices <= 1:
                all_options = tuple(module.options)
                values = ([0] if module.choose.min == 0 else []) + [all_options.index(o) + 1 for o in options]
                labels = (["-"] if module.choose.min == 0 else []) + options
                self.single[mid] = all_options
                self.variables.append(Variable(mid, tuple(values), tuple(labels)))
                if not values:
                    self.constraints.append(Constraint(f"module:{mid}:choose", Const(False), "cardinality"))
                for oid in options:
                    q = module.options[oid].qty
                    if q.max > 1:
                        name = f"{mid}.{oid}#qty"
                        self.qty_vars[(mid, oid)] = name
                        self.variables.append(Variable(name, (0, *range(q.min, q.max + 1))))
                        chosen = Lit(mid, frozenset({all_options.index(oid) + 1}))
                        self.constraints.append(
                            Constraint(
                                f"option:{mid}.{oid}:qty",
                                Iff(chosen, Lit(name, frozenset(range(1, q.max + 1)))),
                                "quantity",
                            )
                        )
            else:
                self.multi[mid] = {}
                lits: list[tuple[int, Term]] = []
                for oid in module.options:
                    q = module.options[oid].qty
                    name = f"{mid}.{oid}"
                    domain = (0, *range(q.min, q.max + 1)) if oid in options else (0,)
                    self.multi[mid][oid] = name
                    self.variables.append(Variable(name, domain))
                    if oid in options:
                        lits.append((1, Lit(name, frozenset(v for v in domain if v > 0))))
                low, high = module.choose.min, module.max_choices
                cardinality: BoolExpr = And((Linear(tuple(lits), ">=", low), Linear(tuple(lits), "<=", high)))
                if low == 0 and high >= len(lits):
                    cardinality = Const(True)
                self.constraints.append(Constraint(f"module:{mid}:choose", cardinality, "cardinality"))
        self.cp = CatalogProblem(self.catalog, Problem(()), self.on, self.single, self.multi, self.qty_vars)

    # --- expressions -------------------------------------------------------------------------------
    def options_where(self, module: str | None, attr: str, accept: object) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for mid, mod in self.catalog.modules.items():
            if module is not None and mid != module:
                continue
            for oid, option in mod.options.items():
                value = option.attrs.get(attr)
                if value is not None and (accept is None or (callable(accept) and accept(value))):
                    out.append((mid, oid))
        return out

    def boolean(self, node: ast.Expr) -> BoolExpr:
        assert self.cp is not None
        cp = self.cp
        match node:
            case ast.Literal(value=bool() as value):
                return Const(value)
            case ast.OptionRef(module=m, option=o):
                return cp.selected(m, o)
            case ast.ModuleRef(module=m):
                return Or(tuple(cp.selected(m, o) for o in self.catalog.modules[m].options))
            case ast.ModuleAttr(module=m, attr=a):  # a bool attribute
                return Or(
                    tuple(cp.selected(mm, o) for mm, o in self.options_where(m, a, lambda v: v is True))
                )
            case ast.Not(operand=operand):
                return Not(self.boolean(operand))
            case ast.Binary(op="&", left=left, right=right):
                return And((self.boolean(left), self.boolean(right)))
            case ast.Binary(op="|", left=left, right=right):
                return Or((self.boolean(left), self.boolean(right)))
            case ast.Binary(op="->", left=left, right=right):
                return Implies(self.boolean(left), self.boolean(right))
            case ast.Binary(op="<->", left=left, right=right):
                return Iff(self.boolean(left), self.boolean(right))
            case ast.InList(operand=ast.ModuleAttr(module=m, attr=a), values=values, negated=negated):
                accepted = {str(v) for v in values}
                found: BoolExpr = Or(
                    tuple(cp.selected(mm, o) for mm, o in self.options_where(m, a, lambda v: v in accepted))
                )
                return Not(found) if negated else found
            case ast.Compare(op=op, left=left, right=right):
                return self.compare(op, left, right)
        raise SolverError(f"cannot compile {ast.to_text(node)!r} for the solver")

    def compare(self, op: str, left: ast.Expr, right: ast.Expr) -> BoolExpr:
        assert self.cp is not None
        if (
            isinstance(left, ast.ModuleAttr)
            and isinstance(right, ast.Literal)
            and isinstance(right.value, str)
        ):
            value = right.value
            found: BoolExpr = Or(
                tuple(
                    self.cp.selected(m, o)
                    for m, o in self.options_where(left.module, left.attr, lambda v: v == value)
                )
            )
            return found if op == "==" else Not(found)
        if self.is_boolean(left):
            a, b = self.boolean(left), self.boolean(right)
            return Iff(a, b) if op == "==" else Not(Iff(a, b))
        diff = self.linear(left).add(self.linear(right), -1)
        denominators = [c.denominator for c in diff.coefs.values()] + [diff.const.denominator]
        factor = 1
        for d in denominators:
            factor = factor * d // _gcd(factor, d)
        scaled = diff.scale(Fraction(factor))
        terms = tuple((int(c), t) for t, c in scaled.coefs.items())
        rhs = -int(scaled.const)
        if not terms:
            return Const(
                {"<=": rhs >= 0, ">=": rhs <= 0, "==": rhs == 0, "!=": rhs != 0, "<": rhs > 0, ">": rhs < 0}[
                    op
                ]
            )
        return Linear(terms, op, rhs)  # type: ignore[arg-type]

    def is_boolean(self, node: ast.Expr) -> bool:
        if isinstance(node, ast.Literal):
            return isinstance(node.value, bool)
        if isinstance(node, ast.ModuleAttr):
            attr = self.catalog.attributes[node.attr]
            return attr.type == "bool"
        return isinstance(
            node, ast.OptionRef | ast.ModuleRef | ast.Not | ast.Binary | ast.Compare | ast.InList
        )

    def linear(self, node: ast.Expr) -> _Lin:
        assert self.cp is not None
        cp = self.cp
        match node:
            case ast.Literal(value=value) if isinstance(value, int | Decimal) and not isinstance(value, bool):
                return _Lin({}, _fraction(value))
            case ast.SumAttr(attr=a) | ast.ModuleAttr(attr=a):
                module = node.module if isinstance(node, ast.ModuleAttr) else None
                coefs: _LinMap = {}
                for m, o in self.options_where(module, a, None):
                    value = self.catalog.option(m, o).attrs[a]
                    if isinstance(value, bool) or not isinstance(value, int | Decimal):
                        continue
                    for c, term in cp.quantity_term(m, o):
                        coefs[term] = coefs.get(term, Fraction(0)) + c * _fraction(value)
                return _Lin({t: c for t, c in coefs.items() if c != 0})
            case ast.Count(module=m, option=None):
                total = _Lin()
                for o in self.catalog.modules[m].options:
                    total = total.add(_Lin({t: Fraction(c) for c, t in cp.quantity_term(m, o)}))
                return total
            case ast.Count(module=m, option=o) if o is not None:
                return _Lin({t: Fraction(c) for c, t in cp.quantity_term(m, o)})
            case ast.Neg(operand=operand):
                return self.linear(operand).scale(Fraction(-1))
            case ast.Arith(op="+", left=left, right=right):
                return self.linear(left).add(self.linear(right))
            case ast.Arith(op="-", left=left, right=right):
                return self.linear(left).add(self.linear(right), -1)
            case ast.Arith(op="*", left=left, right=right):
                lhs, rhs = self.linear(left), self.linear(right)
                if not lhs.coefs:
                    return rhs.scale(lhs.const)
                if not rhs.coefs:
                    return lhs.scale(rhs.const)
                raise SolverError(f"not linear: {ast.to_text(node)!r} multiplies two variable quantities")
        raise SolverError(f"cannot compile {ast.to_text(node)!r} as a number for the solver")

    def table(
        self, rule_id: str, columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...], mode: str
    ) -> BoolExpr:
        encoded: list[tuple[int | None, ...]] = []
        for row in rows:
            cells: list[int | None] = []
            for column, cell in zip(columns, row, strict=True):
                if cell == "*":
                    cells.append(None)
                elif cell == "-":
                    cells.append(0)
                else:
                    cells.append(self.single[column].index(cell) + 1)
            encoded.append(tuple(cells))
        return Table(columns, tuple(encoded), mode == "allowed")

    def rules(self) -> None:
        for crule in compiled(self.catalog).rules:
            rule = crule.rule
            if not rule.effective(self.on):
                continue
            if crule.table is not None:
                expr = self.table(rule.id, crule.table.columns, crule.table.rows, crule.table.mode)
            else:
                body = [self.boolean(b) for b in crule.body]
                if isinstance(rule.excludes, tuple):
                    expr = Linear(tuple((1, b) for b in body), "<=", 1)
                elif rule.excludes is not None:
                    expr = Not(body[0])
                else:
                    expr = body[0]
                if crule.guard is not None:
                    expr = Implies(self.boolean(crule.guard), expr)
            self.constraints.append(Constraint(rule.id, expr, rule.kind))

    def build(self) -> CatalogProblem:
        self.structure()
        self.rules()
        problem = Problem(
            tuple(self.variables),
            tuple(self.constraints),
            self.catalog.catalog,
            {"catalog": self.catalog.catalog, "on": self.on},
        )
        return CatalogProblem(self.catalog, problem, self.on, self.single, self.multi, self.qty_vars)


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def compile_catalog_problem(catalog: Catalog, on: dt.date | None = None) -> CatalogProblem:
    """Compile ``catalog`` into a Problem for the date ``on`` (None: ignore effective dates).

    Raises:
        SolverError: when a rule is not linear.
    """
    return _Compiler(catalog, on).build()
