"""Hypothesis strategies: small random catalogs that load without errors, and configurations of them.

Catalogs are drawn as plain data (what a YAML file holds) by :func:`catalog_data`, so that fuzz tests can
perturb them; :func:`catalogs` validates that data into a :class:`~configurator.catalog.models.Catalog`.
Every reference, type, default and table cell of a drawn catalog is valid, so ``load_catalog`` accepts it
(missing translations may still be reported as warnings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from configurator.catalog.models import Catalog
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
    Table,
    Term,
    Variable,
)

__all__ = [
    "LOCALES",
    "PROBLEM_OPS",
    "PROBLEM_VALUES",
    "TIERS",
    "Shape",
    "bool_expressions",
    "catalog_data",
    "catalogs",
    "configurations",
    "context_expressions",
    "expression_texts",
    "expressions",
    "numeric_expressions",
    "perturbations",
    "yamlish_trees",
]

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false"})
RESERVED = KEYWORDS | {"tier", "country"}
TIERS = ("mvc", "mgc", "standard", "below_zero")
LOCALES = ("en", "pt", "es", "sv", "de", "fr", "pt_BR")
COUNTRIES = ("PT", "ES", "SE", "DE", "US")
TRICKY_IDS = ("yes", "no", "on", "off", "null", "y", "n", "sum", "count", "qty", "e1", "inf", "nan", "x_")

plain_ids = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(lambda s: s not in RESERVED)
ids = st.one_of(plain_ids, st.sampled_from(TRICKY_IDS))
dashed_ids = st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True)
texts = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)
prices = st.decimals(min_value=0, max_value=99_999, places=2, allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)
currencies = st.from_regex(r"[A-Z]{3}", fullmatch=True)
dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@dataclass(frozen=True)
class Shape:
    """What expressions may refer to: module -> option ids, and attribute -> (type, enum values)."""

    modules: dict[str, tuple[str, ...]]
    attributes: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)

    def attrs_of(self, *types: str) -> list[str]:
        """Attribute ids of the given types."""
        return [a for a, (t, _) in self.attributes.items() if t in types]

    def options(self) -> list[tuple[str, str]]:
        """Every ``(module, option)``."""
        return [(m, o) for m, opts in self.modules.items() for o in opts]


def _pick(draw: st.DrawFn, items: Sequence[Any]) -> Any:
    """One of ``items`` (drawn by index: much cheaper than building a strategy per call)."""
    return items[draw(st.integers(0, len(items) - 1))]


def _some(draw: st.DrawFn, items: Sequence[Any], max_size: int, min_size: int = 0) -> list[Any]:
    """Distinct elements of ``items``, in a random order."""
    if not items:
        return []
    indexes = draw(
        st.lists(st.integers(0, len(items) - 1), min_size=min_size, max_size=max_size, unique=True)
    )
    return [items[i] for i in indexes]


def _quote(values: Sequence[str]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def gen_numeric(draw: st.DrawFn, shape: Shape, depth: int) -> str:
    """A type-correct numeric expression (int or decimal) over ``shape``."""
    modules = list(shape.modules)
    options = shape.options()
    numeric = shape.attrs_of("int", "decimal")
    choice = draw(st.integers(0, 11 if depth > 0 else 7))
    if choice == 0:
        return str(draw(st.integers(0, 5000)))
    if choice == 1:
        return f"{draw(st.integers(0, 500))}.{draw(st.integers(0, 99)):02d}"
    if choice == 2:
        return f"count({_pick(draw, modules)})"
    if choice == 3:
        return f"count({_pick(draw, modules)}.*)"
    if choice == 4:
        m, o = _pick(draw, options)
        return f"{_pick(draw, ['count', 'qty'])}({m}.{o})"
    if choice in (5, 6) and numeric:
        return f"sum({_pick(draw, numeric)})"
    if choice == 7 and numeric:
        return f"{_pick(draw, modules)}.{_pick(draw, numeric)}"
    if choice in (8, 9):
        op = _pick(draw, ["+", "-", "*"])
        return f"({gen_numeric(draw, shape, depth - 1)} {op} {gen_numeric(draw, shape, depth - 1)})"
    if choice == 10:
        return f"-{gen_numeric(draw, shape, depth - 1)}"
    return str(draw(st.integers(0, 100)))


def _enum_test(draw: st.DrawFn, shape: Shape, enums: list[str]) -> str:
    attr = _pick(draw, enums)
    values = shape.attributes[attr][1]
    ref = f"{_pick(draw, list(shape.modules))}.{attr}"
    form = draw(st.integers(0, 3))
    if form == 0:
        return f'{ref} {_pick(draw, ["==", "!="])} "{_pick(draw, values)}"'
    if form == 1:
        return f'"{_pick(draw, values)}" == {ref}'
    return f"{ref} {_pick(draw, ['in', 'not in'])} [{_quote(_some(draw, values, 3))}]"


def gen_bool(draw: st.DrawFn, shape: Shape, depth: int) -> str:
    """A type-correct boolean expression over ``shape``: every construct of the rule language but context."""
    modules = list(shape.modules)
    options = shape.options()
    flags = shape.attrs_of("bool")
    enums = shape.attrs_of("enum")
    choice = draw(st.integers(0, 14 if depth > 0 else 9))
    if choice in (0, 1, 2):
        m, o = _pick(draw, options)
        return f"{m}.{o}"
    if choice == 3:
        return f"{_pick(draw, modules)}.*"
    if choice == 4:
        return str(_pick(draw, modules))
    if choice == 5:
        return str(_pick(draw, ["true", "false"]))
    if choice == 6:
        op = _pick(draw, ["==", "!=", "<", "<=", ">", ">="])
        sub = min(depth, 1)
        return f"{gen_numeric(draw, shape, sub)} {op} {gen_numeric(draw, shape, sub)}"
    if choice == 7 and enums:
        return _enum_test(draw, shape, enums)
    if choice == 8 and flags:
        return f"{_pick(draw, modules)}.{_pick(draw, flags)}"
    if choice in (10, 11):
        op = _pick(draw, ["&", "|", "->", "<->", "and", "or"])
        return f"({gen_bool(draw, shape, depth - 1)} {op} {gen_bool(draw, shape, depth - 1)})"
    if choice == 12:
        return f"(({gen_bool(draw, shape, depth - 1)}) == ({gen_bool(draw, shape, depth - 1)}))"
    if choice in (13, 14):
        return f"{_pick(draw, ['!', 'not '])}({gen_bool(draw, shape, depth - 1)})"
    m, o = _pick(draw, options)
    return f"{m}.{o}"


def gen_context(draw: st.DrawFn, shape: Shape) -> str:
    """A boolean expression that also uses the quoting context (``tier``, ``country``)."""
    form = draw(st.integers(0, 4))
    if form == 0:
        text = f"tier {_pick(draw, ['in', 'not in'])} [{_quote(_some(draw, TIERS, 3, 1))}]"
    elif form == 1:
        text = f'tier {_pick(draw, ["==", "!="])} "{_pick(draw, TIERS)}"'
    elif form == 2:
        text = f"country in [{_quote(_some(draw, COUNTRIES, 3, 1))}]"
    else:
        text = f'country == "{_pick(draw, COUNTRIES)}"'
    if draw(st.booleans()):
        text = f"{text} {_pick(draw, ['&', '|'])} ({gen_bool(draw, shape, 1)})"
    return text


def gen_expression(draw: st.DrawFn, shape: Shape) -> str:
    """A boolean expression, sometimes written without outer parentheses."""
    form = draw(st.integers(0, 3))
    if form == 0:
        op = _pick(draw, ["->", "<->"])
        return f"{gen_bool(draw, shape, 1)} {op} {gen_bool(draw, shape, 1)}"
    if form == 1:
        op = _pick(draw, ["<=", ">"])
        return f"{gen_numeric(draw, shape, 2)} {op} {gen_numeric(draw, shape, 2)}"
    return gen_bool(draw, shape, 2)


@st.composite
def numeric_expressions(draw: st.DrawFn, shape: Shape, depth: int = 2) -> str:
    """Type-correct numeric expressions (int or decimal) over ``shape``."""
    return gen_numeric(draw, shape, depth)


@st.composite
def bool_expressions(draw: st.DrawFn, shape: Shape, depth: int = 2) -> str:
    """Type-correct boolean expressions over ``shape``."""
    return gen_bool(draw, shape, depth)


@st.composite
def context_expressions(draw: st.DrawFn, shape: Shape) -> str:
    """Boolean expressions that may also use ``tier`` and ``country``."""
    return gen_context(draw, shape)


@st.composite
def expression_texts(draw: st.DrawFn, shape: Shape) -> str:
    """Boolean expressions of every form over ``shape``."""
    return gen_expression(draw, shape)


def _text_field(draw: st.DrawFn, locales: tuple[str, ...]) -> Any:
    """Translated text: a mapping for some declared locales, or (sometimes) a plain string."""
    if draw(st.integers(0, 4)) == 0:
        return draw(texts)
    return {loc: draw(texts) for loc in _some(draw, locales, len(locales), 1)}


def _maybe_text(draw: st.DrawFn, locales: tuple[str, ...]) -> Any:
    return _text_field(draw, locales) if draw(st.booleans()) else None


def _dated(draw: st.DrawFn, out: dict[str, Any]) -> None:
    """Add valid_from / valid_to (ordered) to ``out``, sometimes."""
    which = draw(st.integers(0, 5))
    if which > 3:
        return
    start, end = sorted([draw(dates), draw(dates)])
    if which == 1:
        out["valid_from"] = start
    elif which == 2:
        out["valid_to"] = end
    elif which == 3:
        out["valid_from"], out["valid_to"] = start, end


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _choose(draw: st.DrawFn, n_options: int) -> tuple[Any, int, int | None]:
    """A ``choose`` value and its (min, max)."""
    kind = _pick(draw, ["default", "exactly_one", "optional", "any", "range", "range"])
    if kind == "default":
        return None, 1, 1
    if kind == "exactly_one":
        return "exactly_one", 1, 1
    if kind == "optional":
        return "optional", 0, 1
    if kind == "any":
        return "any", 0, None
    low = draw(st.integers(0, n_options))
    high = draw(st.none() | st.integers(max(low, 1), n_options + 1))
    value: dict[str, int] = {}
    if low or draw(st.booleans()):
        value["min"] = low
    if high is not None:
        value["max"] = high
    return value, low, high


def _attr_value(draw: st.DrawFn, kind: str, values: tuple[str, ...]) -> Any:
    if kind == "int":
        return draw(st.integers(-1000, 100_000))
    if kind == "decimal":
        if draw(st.booleans()):
            return draw(st.integers(0, 500))
        return Decimal(f"{_pick(draw, ['', '-'])}{draw(st.integers(0, 9999))}.{draw(st.integers(0, 99)):02d}")
    if kind == "bool":
        return draw(st.booleans())
    return _pick(draw, values)


def _fresh_ids(draw: st.DrawFn, n: int, taken: set[str], max_extra: int = 0) -> list[str]:
    """Between ``n`` and ``n + max_extra`` distinct ids not in ``taken``."""
    want = n + draw(st.integers(0, max_extra))
    out: list[str] = []
    while len(out) < want:
        candidate = draw(ids)
        while candidate in taken or candidate in out:
            candidate += "x"  # deterministic, so that small examples stay small
        out.append(candidate)
    return out


def _rule(draw: st.DrawFn, rid: str, shape: Shape, single_choice: list[str], locales: tuple[str, ...]) -> Any:
    kinds = ["requires", "requires_if", "excludes", "excludes_if", "excludes_list", "constraint"]
    if single_choice:
        kinds += ["table", "table"]
    kind = _pick(draw, kinds)
    rule: dict[str, Any] = {"id": rid}
    if kind.endswith("_if"):
        rule["if"] = gen_expression(draw, shape)
    if kind.startswith("requires"):
        rule["requires"] = gen_expression(draw, shape)
    elif kind == "excludes_list":
        rule["excludes"] = [gen_bool(draw, shape, 1) for _ in range(draw(st.integers(2, 3)))]
    elif kind.startswith("excludes"):
        rule["excludes"] = gen_expression(draw, shape)
    elif kind == "constraint":
        rule["constraint"] = gen_expression(draw, shape)
    else:
        columns = _some(draw, single_choice, 3, 1)
        rows = [
            [_pick(draw, [*shape.modules[c], "*", "-"]) for c in columns]
            for _ in range(draw(st.integers(1, 4)))
        ]
        table: dict[str, Any] = {"columns": columns, "rows": rows}
        _put(table, "mode", _pick(draw, [None, "allowed", "forbidden"]))
        rule["table"] = table
    _put(rule, "message", _maybe_text(draw, locales))
    if draw(st.integers(0, 3)) == 0:
        rule["description"] = _text_field(draw, locales)
    _dated(draw, rule)
    return rule


@st.composite
def catalog_data(draw: st.DrawFn, *, max_modules: int = 4, max_options: int = 4) -> dict[str, Any]:
    """Plain data of a small catalog that loads without errors."""
    locales = tuple(_some(draw, LOCALES, 4, 1))
    n_attrs = draw(st.integers(0, 4))
    n_modules = draw(st.integers(1, max_modules))
    names = _fresh_ids(draw, n_attrs + n_modules, set(RESERVED))
    attr_ids, module_ids = names[:n_attrs], names[n_attrs:]
    taken = set(names)
    data: dict[str, Any] = {
        "catalog": draw(dashed_ids),
        "version": _pick(draw, ["1", "2026.11", "1.0", "yes", "2026-01-01", "v3"])
        if draw(st.booleans())
        else draw(texts),
    }
    _put(data, "name", _maybe_text(draw, locales))
    _put(data, "description", _maybe_text(draw, locales))
    data["currency"] = _pick(draw, ["EUR", "SEK", "USD", "BRL"]) if draw(st.booleans()) else draw(currencies)
    data["locales"] = list(locales)

    attributes: dict[str, Any] = {}
    shape_attrs: dict[str, tuple[str, tuple[str, ...]]] = {}
    for attr in attr_ids:
        kind = _pick(draw, ["int", "decimal", "bool", "enum"])
        spec: dict[str, Any] = {"type": kind}
        values: tuple[str, ...] = ()
        if kind == "enum":
            values = tuple(_fresh_ids(draw, 1, set(), 3))
            spec["values"] = list(values)
        if kind in ("int", "decimal") and draw(st.booleans()):
            spec["unit"] = _pick(draw, ["g", "W", "Wh", "mm", "€"])
        _put(spec, "label", _maybe_text(draw, locales))
        attributes[attr] = spec
        shape_attrs[attr] = (kind, values)
    keep_empty: bool = draw(st.booleans())
    if attributes or keep_empty:
        data["attributes"] = attributes

    modules: dict[str, Any] = {}
    shape_modules: dict[str, tuple[str, ...]] = {}
    single_choice: list[str] = []
    for mid in module_ids:
        option_ids = _fresh_ids(draw, 1, taken, max_options - 1)
        choose, _low, high = _choose(draw, len(option_ids))
        module: dict[str, Any] = {}
        _put(module, "label", _maybe_text(draw, locales))
        _put(module, "description", _maybe_text(draw, locales))
        _put(module, "choose", choose)
        most = len(option_ids) if high is None else min(high, len(option_ids))
        default = _some(draw, option_ids, most)
        if len(default) == 1 and draw(st.booleans()):
            module["default"] = default[0]
        elif default:
            module["default"] = default
        recommended = _some(draw, option_ids, 2)
        if recommended:
            module["recommended"] = recommended
        _dated(draw, module)
        options: dict[str, Any] = {}
        for oid in option_ids:
            option: dict[str, Any] = {}
            _put(option, "label", _maybe_text(draw, locales))
            _put(option, "description", _maybe_text(draw, locales))
            if draw(st.integers(0, 5)):
                option["price"] = draw(prices)
            set_attrs = _some(draw, attr_ids, len(attr_ids))
            if set_attrs:
                option["attrs"] = {a: _attr_value(draw, *shape_attrs[a]) for a in set_attrs}
            if draw(st.integers(0, 3)) == 0:
                qmin = draw(st.integers(1, 3))
                option["qty"] = {"min": qmin, "max": draw(st.integers(qmin, 5))}
            _dated(draw, option)
            options[oid] = option
        module["options"] = options
        modules[mid] = module
        shape_modules[mid] = tuple(option_ids)
        if most <= 1:
            single_choice.append(mid)
    data["modules"] = modules
    shape = Shape(shape_modules, shape_attrs)

    rule_ids: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        rid = draw(dashed_ids)
        if rid not in rule_ids:
            rule_ids.append(rid)
    if rule_ids:
        data["rules"] = [_rule(draw, rid, shape, single_choice, locales) for rid in rule_ids]

    services: dict[str, Any] = {}
    for sid in _fresh_ids(draw, 0, taken, 3):
        service: dict[str, Any] = {"kind": _pick(draw, ["post_sale", "training", "advisory"])}
        _put(service, "label", _maybe_text(draw, locales))
        if draw(st.booleans()):
            service["price"] = draw(prices)
        if draw(st.booleans()):
            service["eligible"] = gen_context(draw, shape)
        if draw(st.booleans()):
            service["requires"] = gen_bool(draw, shape, 1)
        included = _some(draw, TIERS, 2)
        if included:
            service["included_for"] = included
        _dated(draw, service)
        services[sid] = service
    if services:
        data["services"] = services

    pricing: dict[str, Any] = {}
    breaks = sorted(set(draw(st.lists(st.integers(1, 500), max_size=3))))
    if breaks:
        pricing["volume"] = [{"min_qty": q, "discount_pct": draw(percents)} for q in breaks]
    bundles = []
    bundle_ids: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        bid = draw(dashed_ids)
        if bid in bundle_ids:
            continue
        bundle_ids.append(bid)
        when = gen_context(draw, shape) if draw(st.booleans()) else gen_bool(draw, shape, 2)
        bundle: dict[str, Any] = {"id": bid, "when": when}
        _put(bundle, "label", _maybe_text(draw, locales))
        if draw(st.booleans()):
            bundle["discount_pct"] = draw(percents)
        else:
            bundle["discount_amount"] = draw(prices)
        bundles.append(bundle)
    if bundles:
        pricing["bundles"] = bundles
    tiers = _some(draw, TIERS, 4)
    if tiers:
        pricing["tiers"] = {t: {"discount_pct": draw(percents)} for t in tiers}
    if pricing:
        data["pricing"] = pricing
    return data


def catalogs(*, max_modules: int = 4, max_options: int = 4) -> st.SearchStrategy[Catalog]:
    """Small random catalogs that load without errors."""
    return catalog_data(max_modules=max_modules, max_options=max_options).map(
        lambda data: Catalog.model_validate(data, context={"default_locale": data["locales"][0]})
    )


@st.composite
def configurations(draw: st.DrawFn, catalog: Catalog) -> dict[str, dict[str, int]]:
    """Random selections ``module -> {option: quantity}`` of ``catalog``: often valid, often not."""
    out: dict[str, dict[str, int]] = {}
    for mid, module in catalog.modules.items():
        if draw(st.integers(0, 5)) == 0:
            continue
        most = module.max_choices
        low = module.choose.min
        count = (
            draw(st.integers(low, most))
            if draw(st.integers(0, 3))
            else draw(st.integers(0, len(module.options)))
        )
        picked: dict[str, int] = {}
        for oid in _some(draw, list(module.options), count, count):
            qty = module.options[oid].qty
            picked[oid] = (
                qty.min if draw(st.booleans()) else draw(st.integers(max(0, qty.min - 1), qty.max + 1))
            )
        out[mid] = picked
    return out


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=10),
    st.dates(),
    st.sampled_from(
        ["catalog", "modules", "options", "en", "EUR", "1.5", "yes", "*", "-", "a.b", "&x", "!!str"]
    ),
)
_keys = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        [
            "catalog",
            "version",
            "currency",
            "locales",
            "modules",
            "options",
            "rules",
            "include",
            "choose",
            "attrs",
            "price",
            "qty",
            "table",
            "columns",
            "rows",
            "requires",
            "if",
            "id",
            "excludes",
            "library",
            "product",
            "<<",
        ]
    ),
)
yamlish_trees: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=5)),
    max_leaves=25,
)
"""Random nested dicts, lists and scalars (what ``yaml.safe_dump`` can write)."""


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out.extend(_paths(value, (*prefix, index)))
    return out


_junk = st.one_of(
    _scalars,
    st.just({}),
    st.just([]),
    st.lists(st.text(max_size=5), max_size=3),
    st.sampled_from(
        [
            "m.x",
            "sum(",
            "frame.*",
            "exactly_one",
            "-1",
            "1e999",
            "2026-13-45",
            "a\x00b.yaml",
            "x" * 300 + ".yaml",
            "../../..",
            "/",
            Decimal("-1.5"),
            Decimal("1E+40"),
            10**30,
            -1,
            0,
        ]
    ),
)


@st.composite
def perturbations(draw: st.DrawFn, data: Any) -> Any:
    """``data`` with one value replaced, one key deleted, or one unknown key added, at a random place."""
    import copy

    data = copy.deepcopy(data)
    path = draw(st.sampled_from(_paths(data)))
    if not path:
        return draw(_junk)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
    if action == "replace":
        parent[last] = draw(_junk)
    elif action == "delete":
        del parent[last]
    elif isinstance(parent, dict):
        parent[draw(_keys)] = draw(_junk)
    else:
        parent.append(draw(_junk))
    return data


PROBLEM_VALUES = st.integers(min_value=-2, max_value=5)
"""Values of random solver problems' variables (negative ones included)."""
PROBLEM_OPS = st.sampled_from(["<=", ">=", "==", "!=", "<", ">"])
"""Comparison operators of random linear constraints."""


def expressions(names: Sequence[str], max_leaves: int = 5) -> st.SearchStrategy[BoolExpr]:
    """Random solver expressions over variable ``names``: every kind (tables, linear, connectives), nested."""
    name = st.sampled_from(list(names))
    tables = st.builds(
        lambda cols, rows, allowed: Table(tuple(cols), tuple(tuple(r[: len(cols)]) for r in rows), allowed),
        st.lists(name, min_size=1, max_size=3),
        st.lists(st.lists(st.one_of(PROBLEM_VALUES, st.none()), min_size=3, max_size=3), max_size=5),
        st.booleans(),
    )
    leaves: st.SearchStrategy[BoolExpr] = st.one_of(
        st.builds(Const, st.booleans()),
        st.builds(Lit, name, st.frozensets(PROBLEM_VALUES, max_size=3)),
        tables,
        st.builds(
            lambda terms, op, rhs: Linear(tuple(terms), op, rhs),
            st.lists(st.tuples(st.integers(-3, 3), name), min_size=1, max_size=3),
            PROBLEM_OPS,
            st.integers(-8, 12),
        ),
    )

    def extend(children: st.SearchStrategy[BoolExpr]) -> st.SearchStrategy[BoolExpr]:
        terms: st.SearchStrategy[Term] = st.one_of(name, children)
        return st.one_of(
            st.builds(Not, children),
            st.builds(lambda a: And(tuple(a)), st.lists(children, max_size=3)),
            st.builds(lambda a: Or(tuple(a)), st.lists(children, max_size=3)),
            st.builds(Implies, children, children),
            st.builds(Iff, children, children),
            st.builds(
                lambda t, op, rhs: Linear(tuple(t), op, rhs),
                st.lists(st.tuples(st.integers(-3, 3), terms), min_size=1, max_size=3),
                PROBLEM_OPS,
                st.integers(-6, 10),
            ),
        )

    return st.recursive(leaves, extend, max_leaves=max_leaves)


def small_variables(min_size: int = 2, max_size: int = 5) -> st.SearchStrategy[tuple[Variable, ...]]:
    """Variables ``v0``, ``v1``, ... (between ``min_size`` and ``max_size``), each with 1-3 values."""
    domain = st.lists(PROBLEM_VALUES, min_size=1, max_size=3, unique=True).map(tuple)
    return st.lists(domain, min_size=min_size, max_size=max_size).map(
        lambda domains: tuple(Variable(f"v{i}", d) for i, d in enumerate(domains))
    )
