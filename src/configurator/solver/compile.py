"""Compile a catalog (on a date) into a backend-neutral :class:`~configurator.solver.problem.Problem`.

Encoding:

- a module that allows at most one option is one variable named after the module, whose values are
  ``0`` (nothing, only when the module is not mandatory) and ``1..n`` (its options in catalog order);
- a module that allows several options has one variable per option, ``module.option``, whose value is the
  selected quantity (``0`` = not selected), with the module's cardinality as a linear constraint;
- an option of a single-choice module that may be ordered in quantities > 1 also gets a quantity variable
  ``module.option#qty`` tied to the module's choice;
- options, modules and rules not in force on the date are removed (options) or skipped (rules);
- decimal attributes are scaled to integers per constraint (``sum(capacity_wh) <= 2.5`` becomes ``x10``);
- a sub-assembly option (``product:``) brings its product's modules into the same Problem, named with the
  option as a prefix (``tall_units.oven_tower/housing``, ``mounting.manifold/stations.station_single``;
  constraint ids likewise, ``tall_units.oven_tower/module:housing:choose``): its cardinalities and rules hold
  when the option is selected, and when it is not every variable of the sub-assembly is 0 (constraint
  ``option:M.O:sub``), so each valid configuration is one solution. Every unit of a sub-assembly ordered in a
  quantity > 1 shares the one sub-configuration (as the checker reads ``Configuration.sub``); its options count
  once per unit in :meth:`CatalogProblem.bundle_quantities` (prices, weights).

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

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
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

__all__ = ["CatalogCompiler", "CatalogProblem", "SolverError", "compile_catalog_problem", "several_units"]


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
        prefix: the prefix of every variable name (``""``, or ``module.option/`` for a sub-assembly).
        subs: the compiled sub-assemblies (sharing ``problem``), by ``(module, option)`` of their option.
    """

    catalog: Catalog
    problem: Problem
    on: dt.date | None
    single: Mapping[str, tuple[str, ...]]
    multi: Mapping[str, Mapping[str, str]]
    qty_vars: Mapping[tuple[str, str], str]
    prefix: str = ""
    subs: Mapping[tuple[str, str], CatalogProblem] = field(default_factory=dict)

    def locate(self, module: str) -> tuple[CatalogProblem, str]:
        """The (sub-)problem that declares ``module`` and the module's id there.

        A sub-assembly's module is named by a path, ``module.option/submodule`` (nested with ``/``).

        Raises:
            KeyError: when the path names no sub-assembly.
        """
        head, slash, rest = module.partition("/")
        if not slash:
            return self, module
        parent, _, option = head.partition(".")
        return self.subs[(parent, option)].locate(rest)

    def selected(self, module: str, option: str) -> BoolExpr:
        """The literal "``module.option`` is selected" (``module`` may be a sub-assembly path)."""
        if "/" in module:
            owner, local = self.locate(module)
            return owner.selected(local, option)
        if module in self.single:
            options = self.single[module]
            if option not in options:
                return Const(False)
            return Lit(self.prefix + module, frozenset({options.index(option) + 1}))
        name = self.multi[module].get(option)
        if name is None:
            return Const(False)
        return Lit(name, frozenset(range(1, self.catalog.option(module, option).qty.max + 1)))

    def quantity_term(self, module: str, option: str) -> tuple[tuple[int, Term], ...]:
        """Linear terms for the quantity of ``module.option`` (per unit of its sub-assembly, if in one)."""
        if "/" in module:
            owner, local = self.locate(module)
            return owner.quantity_term(local, option)
        if (module, option) in self.qty_vars:
            return ((1, self.qty_vars[(module, option)]),)
        if module in self.single:
            return ((1, self.selected(module, option)),)
        name = self.multi[module].get(option)
        return ((1, name),) if name is not None else ()

    def option_literals(self) -> dict[tuple[str, str], BoolExpr]:
        """The selection literal of every option of this catalog (not its sub-assemblies') on the date."""
        out: dict[tuple[str, str], BoolExpr] = {}
        for module, options in self.single.items():
            for option in options:
                out[(module, option)] = self.selected(module, option)
        for module, by_option in self.multi.items():
            for option in by_option:
                out[(module, option)] = self.selected(module, option)
        return out

    def all_option_literals(self) -> dict[tuple[str, str], BoolExpr]:
        """:meth:`option_literals` and those of every sub-assembly, keyed by ``(module path, option)``."""
        out = {(self.prefix + m, o): lit for (m, o), lit in self.option_literals().items()}
        for sub in self.subs.values():
            out.update(sub.all_option_literals())
        return out

    def bundle_quantities(self) -> list[tuple[str, str, Catalog, tuple[tuple[int, Term], ...]]]:
        """``(module path, option, declaring catalog, terms)`` for every option of the bundle on the date.

        The terms sum to the option's quantity in the whole bundle: a sub-assembly's option counts once per
        unit of the option that holds the sub-assembly (all units share one sub-configuration).
        """
        return self._quantities(())

    def _quantities(
        self, factors: tuple[str, ...]
    ) -> list[tuple[str, str, Catalog, tuple[tuple[int, Term], ...]]]:
        out: list[tuple[str, str, Catalog, tuple[tuple[int, Term], ...]]] = []
        for module, option in self.option_literals():
            terms = self.quantity_term(module, option)
            for factor in factors:
                terms = self._times(terms, factor)
            out.append((self.prefix + module, option, self.catalog, terms))
        for (module, option), sub in self.subs.items():
            units = tuple(
                t
                for _, t in self.quantity_term(module, option)
                if isinstance(t, str) and max(self.problem.var(t).domain) > 1
            )
            out.extend(sub._quantities((*factors, *units)))
        return out

    def _times(self, terms: tuple[tuple[int, Term], ...], factor: str) -> tuple[tuple[int, Term], ...]:
        """``terms x factor`` as linear terms, for terms that are 0 whenever the variable ``factor`` is 0.

        ``T x F = T + sum over k >= 2 of (k - 1) x [F = k] x T``, each product an indicator of a conjunction.
        """
        out = list(terms)
        for k in self.problem.var(factor).domain:
            if k < 2:
                continue
            at_k = Lit(factor, frozenset({k}))
            for coef, term in terms:
                if isinstance(term, str):
                    out.extend(
                        (coef * (k - 1) * v, And((at_k, Lit(term, frozenset({v})))))
                        for v in self.problem.var(term).domain
                        if v > 0
                    )
                else:
                    out.append((coef * (k - 1), And((at_k, term))))
        return tuple(out)

    def to_configuration(self, assignment: Mapping[str, int]) -> Configuration:
        """The configuration of a (full) solution, with the sub-configuration of each selected sub-assembly."""
        selections: dict[str, dict[str, int]] = {}
        for module, options in self.single.items():
            value = assignment.get(self.prefix + module, 0)
            if value > 0:
                option = options[value - 1]
                qty_var = self.qty_vars.get((module, option))
                selections.setdefault(module, {})[option] = assignment[qty_var] if qty_var else 1
        for module, by_option in self.multi.items():
            for option, name in by_option.items():
                if assignment.get(name, 0) > 0:
                    selections.setdefault(module, {})[option] = assignment[name]
        ordered = {m: selections[m] for m in self.catalog.modules if m in selections}
        sub = {
            (module, option): product.to_configuration(assignment)
            for (module, option), product in self.subs.items()
            if ordered.get(module, {}).get(option, 0) > 0
        }
        return Configuration(ordered, sub, catalog=self.catalog.catalog)

    def to_assignment(self, configuration: Configuration) -> dict[str, int]:
        """The assignment of a configuration's choices (unselected options get 0 / none).

        Sub-assemblies are read from ``configuration.sub``; those of unselected options get 0 everywhere.
        """
        assignment: dict[str, int] = {}
        for module, options in self.single.items():
            chosen = [o for o, q in configuration.selections.get(module, {}).items() if q > 0]
            value = options.index(chosen[0]) + 1 if chosen and chosen[0] in options else 0
            assignment[self.prefix + module] = value
        for module, by_option in self.multi.items():
            for option, name in by_option.items():
                assignment[name] = configuration.quantity(module, option)
        for (module, option), name in self.qty_vars.items():
            assignment[name] = configuration.quantity(module, option)
        for (module, option), product in self.subs.items():
            inner = (
                configuration.sub.get((module, option)) if configuration.quantity(module, option) else None
            )
            assignment.update(product.to_assignment(inner or Configuration()))
        return assignment

    def price_objective(self, sense: str = "min") -> Objective:
        """The list price of a configuration, in cents, as an objective (sub-assemblies' options included)."""
        terms: list[tuple[int, Term]] = []
        for module, option, catalog, quantity in self.bundle_quantities():
            cents = int(catalog.option(module.rpartition("/")[2], option).price * 100)
            terms.extend((cents * c, t) for c, t in quantity)
        return Objective(tuple(terms), 0, "min" if sense == "min" else "max")


class CatalogCompiler:
    """Compiles one catalog; a sub-assembly's compiler has a ``prefix`` and the ``guard`` "its option is selected".

    :func:`compile_catalog_problem` runs it whole (:meth:`build`). Lint and configuration sessions also use it
    piecewise: after :meth:`structure` (the variables), :meth:`boolean` compiles a further rule expression,
    such as a service's ``requires`` or a customer's requirement, over the same variables.

    Example:
        >>> from configurator.catalog.compiled import symbols_of
        >>> from configurator.catalog.models import Catalog
        >>> from configurator.rules.types import compile_expression
        >>> cat = Catalog.model_validate({"catalog": "c", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}}}})
        >>> compiler = CatalogCompiler(cat, None)
        >>> compiler.structure()
        >>> compiler.boolean(compile_expression("frame.carbon", symbols_of(cat)))
        Lit(var='frame', values=frozenset({2}))
    """

    def __init__(
        self, catalog: Catalog, on: dt.date | None, prefix: str = "", guard: BoolExpr | None = None
    ) -> None:
        self.catalog = catalog
        self.on = on
        self.prefix = prefix
        self.guard = guard
        self.variables: list[Variable] = []
        self.constraints: list[Constraint] = []
        self.single: dict[str, tuple[str, ...]] = {}
        self.multi: dict[str, dict[str, str]] = {}
        self.qty_vars: dict[tuple[str, str], str] = {}
        self.subs: dict[tuple[str, str], CatalogProblem] = {}
        self.cp: CatalogProblem | None = None

    def held(self, expr: BoolExpr) -> BoolExpr:
        """``expr`` as it holds in the Problem: only when the sub-assembly's option is selected."""
        return expr if self.guard is None else Implies(self.guard, expr)

    def effective_options(self, module_id: str) -> list[str]:
        """The options of a module on sale on the date (none when the module itself is not)."""
        module = self.catalog.modules[module_id]
        if not module.effective(self.on):
            return []
        return [oid for oid, o in module.options.items() if o.effective(self.on)]

    def structure(self) -> None:
        """The variables, cardinalities and quantity links of the catalog's own modules (not its sub-assemblies)."""
        prefix = self.prefix
        for mid, module in self.catalog.modules.items():
            options = self.effective_options(mid)
            if module.max_choices <= 1:
                all_options = tuple(module.options)
                none = module.choose.min == 0 or self.guard is not None  # a sub-assembly may be absent
                values = ([0] if none else []) + [all_options.index(o) + 1 for o in options]
                labels = (["-"] if none else []) + options
                self.single[mid] = all_options
                self.variables.append(Variable(prefix + mid, tuple(values), tuple(labels)))
                if self.guard is None and not values:
                    self.constraints.append(Constraint(f"module:{mid}:choose", Const(False), "cardinality"))
                elif self.guard is not None and module.choose.min > 0:
                    some = frozenset(v for v in values if v > 0)
                    self.constraints.append(
                        Constraint(
                            f"{prefix}module:{mid}:choose",
                            self.held(Lit(prefix + mid, some) if some else Const(False)),
                            "cardinality",
                        )
                    )
                for oid in options:
                    q = module.options[oid].qty
                    if q.max > 1:
                        name = f"{prefix}{mid}.{oid}#qty"
                        self.qty_vars[(mid, oid)] = name
                        self.variables.append(Variable(name, (0, *range(q.min, q.max + 1))))
                        chosen = Lit(prefix + mid, frozenset({all_options.index(oid) + 1}))
                        self.constraints.append(
                            Constraint(
                                f"{prefix}option:{mid}.{oid}:qty",
                                Iff(chosen, Lit(name, frozenset(range(1, q.max + 1)))),
                                "quantity",
                            )
                        )
            else:
                self.multi[mid] = {}
                lits: list[tuple[int, Term]] = []
                for oid in module.options:
                    q = module.options[oid].qty
                    name = f"{prefix}{mid}.{oid}"
                    domain = (0, *range(q.min, q.max + 1)) if oid in options else (0,)
                    self.multi[mid][oid] = name
                    self.variables.append(Variable(name, domain))
                    if oid in options:
                        lits.append((1, Lit(name, frozenset(v for v in domain if v > 0))))
                low, high = module.choose.min, module.max_choices
                cardinality: BoolExpr = And((Linear(tuple(lits), ">=", low), Linear(tuple(lits), "<=", high)))
                if low == 0 and high >= len(lits):
                    cardinality = Const(True)
                elif self.guard is not None:
                    cardinality = self.held(cardinality)
                self.constraints.append(
                    Constraint(f"{prefix}module:{mid}:choose", cardinality, "cardinality")
                )
        self.cp = CatalogProblem(
            self.catalog, Problem(()), self.on, self.single, self.multi, self.qty_vars, prefix, self.subs
        )

    def subassemblies(self) -> None:
        """Compile the product of every sub-assembly option on sale into the same Problem."""
        assert self.cp is not None
        for (mid, oid), product in self.catalog.products.items():
            if oid not in self.effective_options(mid):
                continue  # never selected on this date: nothing to configure
            compiler = CatalogCompiler(
                product, self.on, f"{self.prefix}{mid}.{oid}/", self.cp.selected(mid, oid)
            )
            self.subs[(mid, oid)] = compiler.compile()
            assert compiler.guard is not None
            unset = And(
                tuple(
                    Lit(v.name, frozenset({0}))
                    for v in compiler.variables
                    if v.name.startswith(compiler.prefix)
                )
            )
            self.variables.extend(compiler.variables)
            self.constraints.extend(compiler.constraints)
            self.constraints.append(
                Constraint(
                    f"{self.prefix}option:{mid}.{oid}:sub", Implies(Not(compiler.guard), unset), "cardinality"
                )
            )

    # --- expressions -------------------------------------------------------------------------------
    def options_where(self, module: str | None, attr: str, accept: object) -> list[tuple[str, str]]:
        """The ``(module, option)`` pairs whose attribute ``attr`` passes ``accept`` (one module or all)."""
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
        """A boolean rule expression as a solver expression (after :meth:`structure`)."""
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
        """A comparison of rule expressions: options with an attribute value, booleans' equivalence, or linear."""
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
        """Whether a rule expression is boolean (compiled by :meth:`boolean`, not :meth:`linear`)."""
        if isinstance(node, ast.Literal):
            return isinstance(node.value, bool)
        if isinstance(node, ast.ModuleAttr):
            attr = self.catalog.attributes[node.attr]
            return attr.type == "bool"
        return isinstance(
            node, ast.OptionRef | ast.ModuleRef | ast.Not | ast.Binary | ast.Compare | ast.InList
        )

    def linear(self, node: ast.Expr) -> _Lin:
        """A numeric rule expression as a linear map from solver terms to rational coefficients."""
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
        """A table rule (``allowed`` or forbidden rows of options) as a solver table constraint."""
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
        return Table(tuple(self.prefix + c for c in columns), tuple(encoded), mode == "allowed")

    def rules(self) -> None:
        """A constraint for every rule in force on the date (held only when a sub-assembly is selected)."""
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
            self.constraints.append(Constraint(self.prefix + rule.id, self.held(expr), rule.kind))

    def compile(self) -> CatalogProblem:
        """Structure, sub-assemblies and rules; the result's ``problem`` is a placeholder until :meth:`build`."""
        self.structure()
        self.subassemblies()
        self.rules()
        assert self.cp is not None
        return self.cp

    def build(self) -> CatalogProblem:
        """The whole catalog as a :class:`CatalogProblem`, sub-assemblies sharing one Problem."""
        self.compile()
        problem = Problem(
            tuple(self.variables),
            tuple(self.constraints),
            self.catalog.catalog,
            {"catalog": self.catalog.catalog, "on": self.on},
        )
        return _sharing(
            CatalogProblem(
                self.catalog, problem, self.on, self.single, self.multi, self.qty_vars, self.prefix, self.subs
            ),
            problem,
        )


def _sharing(cp: CatalogProblem, problem: Problem) -> CatalogProblem:
    """``cp`` and its sub-assemblies, all with the whole ``problem``."""
    subs = {key: _sharing(sub, problem) for key, sub in cp.subs.items()}
    return dataclasses.replace(cp, problem=problem, subs=subs)


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def compile_catalog_problem(catalog: Catalog, on: dt.date | None = None) -> CatalogProblem:
    """Compile ``catalog`` into a Problem for the date ``on`` (None: ignore effective dates).

    Raises:
        SolverError: when a rule is not linear.
    """
    return CatalogCompiler(catalog, on).build()


def several_units(problem: Problem, quantity: Sequence[tuple[int, Term]]) -> bool:
    """Whether the terms of an option's quantity can add up to more than one unit (a quantity to choose).

    Example:
        >>> from configurator.solver.problem import Variable
        >>> p = Problem((Variable("q", (0, 1, 2, 3)), Variable("s", (0, 1))), ())
        >>> several_units(p, ((1, "q"),)), several_units(p, ((1, "s"),))
        (True, False)
    """
    return len(quantity) > 1 or any(
        isinstance(term, str) and max(problem.var(term).domain, default=0) > 1 for _, term in quantity
    )
