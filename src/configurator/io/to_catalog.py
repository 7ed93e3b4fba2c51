"""Export an imported model (a :class:`~configurator.solver.problem.Problem`) as catalog YAML data.

Each variable becomes a module. A 0/1 variable (a feature) becomes an ``optional`` module with the single option
``selected``, so ``feature.selected`` is the feature; any other variable becomes an ``exactly_one`` module with
one option ``v<value>`` per value (``vm1`` for -1), labelled with the variable's label for that value.
:class:`~configurator.solver.problem.Table` constraints become table rules; boolean formulas become
``constraint:`` rules; :class:`~configurator.solver.problem.Linear` constraints (also nested in formulas) become
comparisons of ``qty(module.option)`` sums. Anything else raises :class:`~configurator.errors.ModelFormatError`.

Example:
    >>> from configurator.solver.problem import Constraint, Implies, Lit, Problem, Variable
    >>> p = Problem(
    ...     (Variable("Car", (0, 1)), Variable("Turbo", (0, 1)), Variable("Gears", (4, 5, 6))),
    ...     (Constraint("ctc:1", Implies(Lit("Turbo", frozenset({1})), Lit("Gears", frozenset({6})))),),
    ... )
    >>> data = problem_to_catalog(p, catalog_id="car")
    >>> sorted(data["modules"]), sorted(data["modules"]["gears"]["options"])
    (['car', 'gears', 'turbo'], ['v4', 'v5', 'v6'])
    >>> data["rules"]
    [{'id': 'ctc-1', 'constraint': '(turbo.selected -> gears.v6)'}]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from configurator.errors import ModelFormatError
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
)

__all__ = ["FEATURE_OPTION", "dump_problem_catalog", "module_ids", "problem_to_catalog"]

_RESERVED = frozenset({"and", "or", "not", "in", "true", "false", "sum", "count", "qty", "tier", "country"})
_NUMBERISH = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
FEATURE_OPTION = "selected"
"""The option id of a 0/1 (feature) variable's module."""


def _unique(base: str, used: set[str], sep: str) -> str:
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}{sep}{n}"
    used.add(candidate)
    return candidate


def _module_id(name: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
    base = re.sub(r"_+", "_", base) or "m"
    if not base[0].isalpha():
        base = f"m_{base}"
    if base in _RESERVED:
        base = f"{base}_"
    return _unique(base, used, "_")


def _rule_id(name: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    base = re.sub(r"-+", "-", base) or "rule"
    if not base[0].isalpha():
        base = f"r-{base}"
    return _unique(base, used, "-")


def _value_option(value: int) -> str:
    return f"vm{-value}" if value < 0 else f"v{value}"


def _is_feature(variable: Variable) -> bool:
    return variable.domain == (0, 1)


class _Writer:
    """Renders expressions over the module/option ids chosen for one problem."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        used: set[str] = set()
        self.modules = {v.name: _module_id(v.name, used) for v in problem.variables}

    def options(self, variable: Variable) -> dict[int, str]:
        """Option id by value of ``variable`` (only value 1 of a feature)."""
        if _is_feature(variable):
            return {1: FEATURE_OPTION}
        return {value: _value_option(value) for value in variable.domain}

    def lit(self, lit: Lit, where: str) -> str:
        variable = self._var(lit.var, where)
        values = [v for v in variable.domain if v in lit.values]
        module = self.modules[variable.name]
        if len(values) == len(variable.domain):
            return "true"
        if not values:
            return "false"
        if _is_feature(variable):
            return f"{module}.{FEATURE_OPTION}" if values == [1] else f"!{module}.{FEATURE_OPTION}"
        refs = [f"{module}.{_value_option(v)}" for v in values]
        return refs[0] if len(refs) == 1 else "(" + " | ".join(refs) + ")"

    def formula(self, expr: BoolExpr, where: str) -> str:
        """The rule-language text of a boolean expression (fully parenthesised)."""
        match expr:
            case Const(value=value):
                return "true" if value else "false"
            case Lit():
                return self.lit(expr, where)
            case Not(arg=arg):
                return f"!{self.formula(arg, where)}"
            case And(args=args) | Or(args=args):
                if not args:
                    return "true" if isinstance(expr, And) else "false"
                parts = [self.formula(a, where) for a in args]
                return (
                    parts[0]
                    if len(parts) == 1
                    else "(" + (" & " if isinstance(expr, And) else " | ").join(parts) + ")"
                )
            case Implies(a=a, b=b):
                return f"({self.formula(a, where)} -> {self.formula(b, where)})"
            case Iff(a=a, b=b):
                return f"({self.formula(a, where)} <-> {self.formula(b, where)})"
            case Linear(terms=terms, op=op, rhs=rhs):
                return f"({self.linear(terms, where)} {op} {rhs})"
            case Table():
                return self.table_formula(expr, where)
        raise ModelFormatError(f"constraint {where!r}: cannot express {type(expr).__name__} in a catalog")

    def linear(self, terms: tuple[tuple[int, Term], ...], where: str) -> str:
        """A sum of ``qty(module.option)`` products and constants equal to ``sum(coef * term)``."""
        parts: list[tuple[int, str]] = []
        constant = 0
        for coef, term in terms:
            if isinstance(term, str):
                variable = self._var(term, where)
                parts.extend((coef * v, self._qty(variable, v)) for v in variable.domain if v != 0)
            elif isinstance(term, Const):
                constant += coef if term.value else 0
            elif isinstance(term, Lit):
                variable = self._var(term.var, where)
                values = [v for v in variable.domain if v in term.values]
                if _is_feature(variable) and values == [0]:
                    constant += coef
                    parts.append((-coef, self._qty(variable, 1)))
                elif _is_feature(variable) and values == [0, 1]:
                    constant += coef
                else:
                    parts.extend((coef, self._qty(variable, v)) for v in values)
            else:
                raise ModelFormatError(
                    f"constraint {where!r}: a linear term is the indicator of a {type(term).__name__}; "
                    "only variables, literals and constants can be written as qty(module.option) sums"
                )
        text = [f"{c} * {ref}" if c != 1 else ref for c, ref in parts if c != 0]
        if constant or not text:
            text.append(str(constant))
        return " + ".join(text)

    def table_formula(self, table: Table, where: str) -> str:
        rows = []
        for row in table.rows:
            cells = [
                Lit(n, frozenset({c})) if c is not None else Const(True)
                for n, c in zip(table.vars, row, strict=True)
            ]
            rows.append(And(tuple(cells)))
        matches: BoolExpr = Or(tuple(rows))
        return self.formula(matches if table.allowed else Not(matches), where)

    def table_rule(self, table: Table, where: str) -> dict[str, Any] | str:
        """A table rule body, or a formula when the columns repeat a variable or no row can match."""
        variables = [self._var(n, where) for n in table.vars]
        if len(set(table.vars)) != len(table.vars):
            return self.table_formula(table, where)
        rows: list[_Row] = []
        for row in table.rows:
            cells: list[str] = []
            for variable, cell in zip(variables, row, strict=True):
                if cell is None:
                    cells.append("*")
                elif cell not in variable.domain:
                    break
                elif _is_feature(variable):
                    cells.append(FEATURE_OPTION if cell == 1 else "-")
                else:
                    cells.append(_value_option(cell))
            else:
                rows.append(_Row(cells))
        if not rows:
            return "false" if table.allowed else "true"
        body: dict[str, Any] = {"columns": [self.modules[v.name] for v in variables], "rows": rows}
        if not table.allowed:
            body["mode"] = "forbidden"
        return body

    def _qty(self, variable: Variable, value: int) -> str:
        return f"qty({self.modules[variable.name]}.{self.options(variable)[value]})"

    def _var(self, name: str, where: str) -> Variable:
        try:
            return self.problem.var(name)
        except KeyError:
            raise ModelFormatError(f"constraint {where!r}: unknown variable {name!r}") from None


def _module(variable: Variable) -> dict[str, Any]:
    if _is_feature(variable):
        option: dict[str, Any] = {"label": variable.label(1)} if variable.labels else {}
        return {"label": variable.name, "choose": "optional", "options": {FEATURE_OPTION: option}}
    if not variable.domain:
        return {"label": variable.name, "choose": "exactly_one", "options": {"none": {}}}
    options = {_value_option(v): {"label": variable.label(v)} for v in variable.domain}
    return {"label": variable.name, "choose": "exactly_one", "options": options}


def problem_to_catalog(
    problem: Problem, *, catalog_id: str, currency: str = "EUR", locales: Iterable[str] = ("en",)
) -> dict[str, Any]:
    """The catalog YAML data (plain dicts and lists) of an imported model, with the same configurations.

    Args:
        problem: the model, e.g. from :func:`configurator.io.load_model`.
        catalog_id: the catalog id (``[a-z][a-z0-9_-]*``).
        currency: the ISO 4217 currency (options are priced 0).
        locales: the declared locales; labels are written as plain text of the first.

    Returns:
        A mapping for ``yaml.safe_dump``; ``meta`` is not part of it, but the module ids are in the order of
        ``problem.variables`` and each module's ``label`` is the original variable name.

    Raises:
        ModelFormatError: naming the constraint id when a constraint cannot be written in the rule language
            (a linear term over a compound formula), or when ``catalog_id`` is not a valid id.

    Example:
        >>> from configurator.solver.problem import Constraint, Table, Problem, Variable
        >>> p = Problem((Variable("a", (0, 1)), Variable("b", (-1, 2))), (Constraint("t", Table(("a", "b"), ((1, None), (0, -1)))),))
        >>> problem_to_catalog(p, catalog_id="ab")["rules"]
        [{'id': 't', 'table': {'columns': ['a', 'b'], 'rows': [['selected', '*'], ['-', 'vm1']]}}]
    """
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", catalog_id):
        raise ModelFormatError(f"catalog id {catalog_id!r} must match [a-z][a-z0-9_-]*")
    writer = _Writer(problem)
    modules = {writer.modules[v.name]: _module(v) for v in problem.variables}
    if not modules:
        raise ModelFormatError(
            f"{problem.name}: a catalog needs at least one module; the model has no variables"
        )
    rules: list[dict[str, Any]] = []
    rule_ids: set[str] = set()
    for variable in problem.variables:
        if not variable.domain:
            rule_id = _rule_id(f"empty-domain-{writer.modules[variable.name]}", rule_ids)
            rules.append({"id": rule_id, "constraint": "false"})
    for constraint in problem.constraints:
        rule_id = _rule_id(constraint.id, rule_ids)
        if isinstance(constraint.expr, Table):
            body = writer.table_rule(constraint.expr, constraint.id)
            rules.append(
                {"id": rule_id, "table": body}
                if isinstance(body, dict)
                else {"id": rule_id, "constraint": body}
            )
        else:
            rules.append({"id": rule_id, "constraint": writer.formula(constraint.expr, constraint.id)})
    data: dict[str, Any] = {
        "catalog": catalog_id,
        "version": "1",
        "name": problem.name,
        "currency": currency,
        "locales": list(locales),
        "modules": modules,
    }
    if rules:
        data["rules"] = rules
    return data


class _Row(list[str]):
    """A table row, written on one line (``[v0, v1]``): big tables stay readable and several times smaller."""


class _Dumper(yaml.SafeDumper):
    """Quotes strings that a YAML 1.2 core reader would take for numbers (``1e5``); table rows in flow style."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "'" if _NUMBERISH.match(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_row(dumper: yaml.SafeDumper, value: _Row) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Row, _represent_row)


def dump_problem_catalog(
    problem: Problem, *, catalog_id: str, currency: str = "EUR", locales: Iterable[str] = ("en",)
) -> str:
    """:func:`problem_to_catalog` as YAML text, ready for :func:`configurator.load_catalog`.

    Example:
        >>> from configurator.solver.problem import Problem, Variable
        >>> print(dump_problem_catalog(Problem((Variable("Turbo", (0, 1)),)), catalog_id="car"), end="")
        catalog: car
        version: '1'
        name: problem
        currency: EUR
        locales:
        - en
        modules:
          turbo:
            label: Turbo
            choose: optional
            options:
              selected: {}
    """
    data = problem_to_catalog(problem, catalog_id=catalog_id, currency=currency, locales=locales)
    text: str = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    return text


def module_ids(problem: Problem) -> Mapping[str, str]:
    """The module id :func:`problem_to_catalog` gives each variable, by variable name.

    Example:
        >>> from configurator.solver.problem import Problem, Variable
        >>> dict(module_ids(Problem((Variable("Not", (0, 1)), Variable("not", (0, 1)), Variable("2x", (0, 1))))))
        {'Not': 'not_', 'not': 'not__2', '2x': 'm_2x'}
    """
    return dict(_Writer(problem).modules)
