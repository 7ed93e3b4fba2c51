"""Size estimates the quote sandbox checks BEFORE an operation builds a string or a list.

A template can ask one C-level operation to build gigabytes (``s.replace('x', big)``, ``'{:>99999999}'.format(1)``,
``big_list|join``, ``str(['x' * 100000] * 100000)``); checking the result afterwards is too late, and no time
budget can interrupt it. Each function here estimates, from its inputs only, how long the result would be and
raises :class:`~jinja2.exceptions.SecurityError` when that passes ``limit`` (characters or items). Estimates are
upper bounds within a small constant factor (escaping, quotes in a ``repr``); the sandbox still checks every
result against the exact limit afterwards.

Example:
    >>> replace_size("a-b-c", "-", "+++", -1)
    9
    >>> text_size(["ab", ["c"]], 100)
    15
    >>> check_method("x", "center", (10**9,), {}, 1000)
    Traceback (most recent call last):
    ...
    jinja2.exceptions.SecurityError: str.center() would build 1000000000 characters (limit 1000)
"""

from __future__ import annotations

import collections
import decimal
import re
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, Sequence, ValuesView
from typing import Any

from jinja2.environment import TemplateModule
from jinja2.exceptions import SecurityError
from jinja2.filters import make_attrgetter
from jinja2.utils import Namespace

__all__ = [
    "arg",
    "bounded_items",
    "check_filter",
    "check_method",
    "check_printf",
    "check_spec",
    "check_text",
    "replace_size",
    "text_size",
    "walk",
]

_TEXT = (str, bytes, bytearray)
_CONTAINERS = (list, tuple, set, frozenset, collections.deque, KeysView, ValuesView, ItemsView)
_END = object()
_UNKNOWN = 64
"""What an object of another kind counts for (its ``str`` is short: a macro, a range, an undefined value)."""

_PRINTF = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[-+ #0]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?(?P<kind>.)", re.S
)
_DIGITS = re.compile(r"\d+")


def walk(value: Any, limit: int) -> tuple[int, int, int]:
    """``(size, nodes, depth)`` of ``value`` written as text: an upper estimate, stopping past ``limit``.

    Containers are walked without recursion and each node counts at least one character, so the walk itself
    visits at most about ``limit`` nodes, however the value was built (``['x' * 10**5] * 10**5`` stops at once).

    Example:
        >>> walk({"a": [1, 2]}, 1000)
        (15, 6, 4)
    """
    size = nodes = depth = 0
    stack: list[tuple[Iterator[Any], int]] = [(iter((value,)), 1)]
    while stack and size <= limit:
        items, level = stack[-1]
        item = next(items, _END)
        if item is _END:
            stack.pop()
            continue
        nodes += 1
        depth = max(depth, level)
        if isinstance(item, _TEXT):
            size += len(item) * (4 if isinstance(item, bytes | bytearray) else 1) + 4
        elif isinstance(item, bool) or item is None:
            size += 5
        elif isinstance(item, int):
            size += item.bit_length() // 3 + 2
        elif isinstance(item, decimal.Decimal):
            size += len(str(item)) + (abs(item.adjusted()) if item.is_finite() else 0) + 2
        elif isinstance(item, float):
            size += 26
        elif isinstance(item, TemplateModule):  # an imported template writes its whole output
            size += sum(len(part) for part in getattr(item, "_body_stream", ()))
        elif isinstance(item, Namespace):
            size += 13
            stack.append((iter(object.__getattribute__(item, "_Namespace__attrs").items()), level + 1))
        elif isinstance(item, Mapping):
            size += 2
            stack.append((iter(item.items()), level + 1))
        elif isinstance(item, _CONTAINERS):
            size += 2
            stack.append((iter(item), level + 1))
        else:
            size += _UNKNOWN
    return size, nodes, depth


def text_size(value: Any, limit: int) -> int:
    """About how long ``str(value)`` is (exact for a string), stopping once past ``limit``."""
    if isinstance(value, str):
        return len(value)
    return walk(value, limit)[0]


def check_text(value: Any, limit: int, what: str) -> None:
    """Refuse ``value`` (not a string) whose text would be longer than ``limit`` before it is written.

    Example:
        >>> check_text(["x" * 600] * 1000, 1000, "output")
        Traceback (most recent call last):
        ...
        jinja2.exceptions.SecurityError: output would write about 1210 characters (limit 1000)
    """
    if not isinstance(value, _TEXT):
        size = text_size(value, limit)
        if size > limit:
            raise SecurityError(f"{what} would write about {size} characters (limit {limit})")


def arg(args: Sequence[Any], kwargs: Mapping[str, Any], index: int, name: str, default: Any = None) -> Any:
    """The argument at ``index`` or named ``name`` (``default`` when not given)."""
    if index < len(args):
        return args[index]
    return kwargs.get(name, default)


def replace_size(text: Any, old: Any, new: Any, count: Any) -> int:
    """The length of ``text.replace(old, new, count)`` (0 for arguments ``replace`` would refuse).

    Example:
        >>> replace_size("aaaa", "", "xy", 2), replace_size("aaaa", "a", "xyz", -1)
        (8, 12)
    """
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)) and not (
        isinstance(text, bytes | bytearray) and isinstance(old, bytes | bytearray) and isinstance(new, bytes)
    ):
        return 0
    hits = text.count(old)  # type: ignore[arg-type]
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * max(len(new) - len(old), 0)


def bounded_items(items: Iterable[Any], limit: int, separator: int, what: str) -> list[Any]:
    """``items`` as a list, refused as soon as their text plus a separator each passes ``limit``.

    Example:
        >>> bounded_items(iter(["ab", "cd"]), 10, 1, "join")
        ['ab', 'cd']
        >>> bounded_items(["x" * 6] * 1000, 100, 0, "join")
        Traceback (most recent call last):
        ...
        jinja2.exceptions.SecurityError: join would build more than 100 characters
    """
    found: list[Any] = []
    total = 0
    for item in items:
        total += text_size(item, limit) + separator
        if total > limit:
            raise SecurityError(f"{what} would build more than {limit} characters")
        found.append(item)
    return found


def check_spec(spec: str, limit: int, what: str) -> None:
    """Refuse a ``format()`` spec whose widths and precisions together pass ``limit`` (``{:>99999999}``).

    Example:
        >>> check_spec(">99999999", 1000, "a format field")
        Traceback (most recent call last):
        ...
        jinja2.exceptions.SecurityError: a format field: width 99999999 is too wide (limit 1000)
    """
    if spec:
        widths = [int(n) for n in _DIGITS.findall(spec)]
        if sum(widths) > limit:
            raise SecurityError(f"{what}: width {max(widths)} is too wide (limit {limit})")


def check_printf(fmt: Any, values: Any, limit: int) -> None:
    """Refuse ``fmt % values`` when its widths, precisions and filled-in values would pass ``limit``.

    Example:
        >>> check_printf("%(a)s" * 100, {"a": "x" * 50}, 1000)
        Traceback (most recent call last):
        ...
        jinja2.exceptions.SecurityError: %-format would build about 1050 characters (limit 1000)
    """
    if not isinstance(fmt, str) or "%" not in fmt:
        return
    total = len(fmt)
    seen: dict[Any, int] = {}
    position = 0
    for found in _PRINTF.finditer(fmt):
        if found["kind"] == "%":
            continue
        width, precision, key = found["width"], found["precision"], found["key"]
        if "*" in (width, precision):
            raise SecurityError("%-format width '*' is not allowed")
        if key is not None:
            value = values.get(key) if isinstance(values, Mapping) else None
        elif isinstance(values, tuple):
            value = values[position] if position < len(values) else None
            position += 1
        else:
            value = values
        if id(value) not in seen:
            seen[id(value)] = text_size(value, limit)
        total += int(width or 0) + int(precision or 0) + seen[id(value)]
        if total > limit:
            raise SecurityError(f"%-format would build about {total} characters (limit {limit})")


def check_method(owner: Any, name: str, args: Sequence[Any], kwargs: Mapping[str, Any], limit: int) -> Any:
    """Refuse a call of a ``str``/``bytes`` method that would build more than ``limit``; the arguments to call with.

    ``join`` gets its items as a list, read with the limit (a generator is consumed once, here). Methods of
    lists, tuples and dicts build nothing bigger than what they hold (the immutable sandbox refuses the ones
    that modify).

    Example:
        >>> check_method("-", "join", (iter("abc"),), {}, 100)
        ((['a', 'b', 'c'],), {})
        >>> check_method("\\t" * 10, "expandtabs", (10**6,), {}, 1000)
        Traceback (most recent call last):
        ...
        jinja2.exceptions.SecurityError: str.expandtabs() would build 10000010 characters (limit 1000)
    """
    if not isinstance(owner, _TEXT):
        return tuple(args), dict(kwargs)
    size = 0
    if name == "replace":
        size = replace_size(
            owner, arg(args, kwargs, 0, "old"), arg(args, kwargs, 1, "new"), arg(args, kwargs, 2, "count", -1)
        )
    elif name in ("center", "ljust", "rjust", "zfill"):
        width = arg(args, kwargs, 0, "width", 0)
        size = width if isinstance(width, int) else 0
    elif name == "expandtabs":
        tabsize = arg(args, kwargs, 0, "tabsize", 8)
        tab = "\t" if isinstance(owner, str) else b"\t"
        size = len(owner) + owner.count(tab) * (tabsize if isinstance(tabsize, int) else 0)  # type: ignore[arg-type]
    elif name == "translate":
        table = arg(args, kwargs, 0, "table")
        if isinstance(table, Mapping):
            longest = max((len(v) for v in table.values() if isinstance(v, _TEXT)), default=1)
            size = len(owner) * max(longest, 1)
    elif name == "join" and args:
        items = bounded_items(args[0], limit, len(owner), f"{type(owner).__name__}.join()")
        return (items, *args[1:]), dict(kwargs)
    if size > limit:
        raise SecurityError(f"{type(owner).__name__}.{name}() would build {size} characters (limit {limit})")
    return tuple(args), dict(kwargs)


_STRUCTURAL = frozenset(
    [
        "attr",
        "batch",
        "count",
        "d",
        "default",
        "dictsort",
        "first",
        "groupby",
        "items",
        "join",
        "last",
        "length",
        "list",
        "map",
        "max",
        "min",
        "random",
        "reject",
        "rejectattr",
        "reverse",
        "select",
        "selectattr",
        "slice",
        "sort",
        "sum",
        "unique",
        "_loop_guard",
    ]
)
"""Filters that look at a container's items without writing the container as text."""


def check_filter(
    env: Any, name: str, args: Sequence[Any], kwargs: Mapping[str, Any], limit: int
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Refuse the filter ``name`` (``args[0]`` is the value) when it would build more than ``limit``.

    Returns the arguments to call it with: ``join`` and ``sum`` get their items as a list read with the limit.

    Example:
        >>> check_filter(None, "indent", ("\\n" * 100, 50), {}, 1000)
        Traceback (most recent call last):
        ...
        jinja2.exceptions.SecurityError: filter 'indent' would build about 5150 characters (limit 1000)
    """
    what = f"filter {name!r}"
    args, kwargs = tuple(args), dict(kwargs)
    value = args[0] if args else None
    if name not in _STRUCTURAL:
        check_text(value, limit, what)
    size = 0
    if name == "replace":
        count = arg(args, kwargs, 3, "count")
        size = replace_size(
            str(value), str(arg(args, kwargs, 1, "old")), str(arg(args, kwargs, 2, "new")), count
        )
    elif name == "center":
        width = arg(args, kwargs, 1, "width", 80)
        size = width if isinstance(width, int) else 0
    elif name == "indent":
        width = arg(args, kwargs, 1, "width", 4)
        prefix = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        text = str(value)
        size = len(text) + (text.count("\n") + 1) * prefix
    elif name == "wordwrap":
        text, width = str(value), arg(args, kwargs, 1, "width", 79)
        wrap = arg(args, kwargs, 3, "wrapstring") or "\n"
        lines = len(text) // max(width if isinstance(width, int) else 1, 1) + text.count("\n") + 1
        size = len(text) + lines * len(str(wrap))
    elif name == "urlize":
        text = str(value)
        extra = sum(len(str(arg(args, kwargs, i, key) or "")) for i, key in ((3, "target"), (4, "rel")))
        size = 3 * len(text) + len(text.split()) * (extra + 64)
    elif name == "format":
        check_printf(value, kwargs or args[1:], limit)
    elif name in ("tojson", "pprint"):
        indent = arg(args, kwargs, 1, "indent") if name == "tojson" else 1
        step = len(indent) if isinstance(indent, str) else indent if isinstance(indent, int) else 0
        written, nodes, depth = walk(value, limit)
        size = written + nodes * (depth * step + 2)
    elif name in ("batch", "slice"):
        count = arg(args, kwargs, 1, "linecount" if name == "batch" else "slices", 0)
        size = count if isinstance(count, int) else 0
    elif name in ("join", "sum"):
        return _gathered(env, name, args, kwargs, limit)
    if size > limit:
        raise SecurityError(f"{what} would build about {size} characters (limit {limit})")
    return args, kwargs


def _gathered(
    env: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], limit: int
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``join`` and ``sum`` with their items read into a list with the limit (attribute looked up first)."""
    attribute = arg(args, kwargs, 2 if name == "join" else 1, "attribute")
    items: Iterable[Any] = args[0] if args else ()
    if attribute is not None:
        items = map(make_attrgetter(env, attribute), items)
    if name == "join":
        separator = arg(args, kwargs, 1, "d", "")
        found = bounded_items(items, limit, len(str(separator)), "filter 'join'")
        kwargs.pop("attribute", None)
        kwargs.pop("d", None)
        return (found, separator), kwargs
    start = arg(args, kwargs, 2, "start", 0)
    if not isinstance(start, (*_TEXT, list, tuple)):
        return args, kwargs
    found = bounded_items(items, limit, 0, "filter 'sum'")
    kwargs.pop("attribute", None)
    kwargs.pop("start", None)
    return (found, None, start), kwargs
