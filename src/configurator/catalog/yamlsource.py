"""Safe YAML reading that keeps line numbers and refuses hostile input.

The document is built from the YAML parser's event stream by a small iterative composer, so that:

- every value's position (line, column) is remembered by key path, for error messages;
- scalars follow YAML 1.2 core rules (``yes``/``no``/``on``/``off`` stay strings) and numbers with a
  decimal point become :class:`~decimal.Decimal`, never float;
- duplicate keys, tabs, binary garbage, files over the size limit, nesting deeper than the depth limit,
  recursive aliases and alias expansion past the node budget ("billion laughs") are clear
  :class:`~configurator.errors.CatalogError` problems, never a traceback or a hang;
- no Python object is ever constructed from a tag.

Example:
    >>> doc = parse_yaml("price: 12.50\\nok: yes\\nwhen: 2026-01-31\\n", "x.yaml")
    >>> doc.data
    {'price': Decimal('12.50'), 'ok': 'yes', 'when': datetime.date(2026, 1, 31)}
    >>> doc.where(("price",))
    Location(file='x.yaml', line=1, column=8, path='price')
"""

from __future__ import annotations

import datetime as dt
import errno
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from configurator.catalog.files import read_limited
from configurator.errors import CatalogError, Location, Problem

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "YamlDocument",
    "format_path",
    "parse_yaml",
    "quoted",
    "read_yaml",
    "scalar_value",
]

MAX_BYTES = 8 * 1024 * 1024
"""Largest YAML file accepted (8 MiB): a catalog of 10,000 options is well under 2 MiB."""
MAX_NODES = MAX_BYTES // 2
"""Largest number of values a document may expand to, aliases included (4,194,304).

A file within :data:`MAX_BYTES` written out in full (flow style, ``[a,b,...]``) holds at most about this
many values, so only aliases that multiply each other (an "alias bomb") go beyond it; a converted Renault
model of 1.4 million table cells stays well inside."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences accepted."""

PathKey = tuple[str | int, ...]

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = re.compile(r"[-+]?[0-9]+\Z")
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


def quoted(text: str) -> str:
    """``text`` as a YAML quoted scalar, for hints that say "quote it".

    Example:
        >>> print(quoted("Frame: light"), quoted('say "hi"'))
        "Frame: light" 'say "hi"'
    """
    if '"' in text or "\\" in text:
        return "'" + text.replace("'", "''") + "'"
    return f'"{text}"'


def _syntax_hint(problem: str, context: str, line: str, column: int, context_column: int) -> tuple[str, str]:
    """A plainer message and a "quote it" hint for YAML syntax errors that unquoted text causes."""
    if "mapping values are not allowed" in problem:
        head, sep, value = line.partition(": ")
        if sep and value.strip():
            key = head.strip().removeprefix("- ").strip()
            return (
                f"found ': ' inside the value of {key!r}, which YAML reads as a new key",
                f"quote it: {head.strip()}: {quoted(value.strip())}",
            )
    if context in ("while scanning an alias", "while scanning an anchor"):
        rest = line[context_column - 1 :]
        token = re.split(r"[,\]\}]", rest, maxsplit=1)[0].strip() or rest.strip()
        what = "an alias" if "alias" in context else "an anchor"
        return (
            f"found {token[:1]!r} (the start of {what}) where a value was expected",
            f"quote it: {quoted(token)}",
        )
    if "cannot start any token" in problem and "\t" not in line[: column + 1]:
        token = re.split(r"[,\]\}]|\s#", line[column - 1 :], maxsplit=1)[0].strip()
        if token:
            return (
                f"found {token[0]!r} at the start of a value, which YAML reserves",
                f"quote it: {quoted(token)}",
            )
    return problem, ""


def format_path(path: Sequence[str | int]) -> str:
    """Render a key path the way users read it.

    Example:
        >>> format_path(("modules", "frame", "options", "alu_m", "price"))
        'modules.frame.options.alu_m.price'
        >>> format_path(("rules", 3, "requires"))
        'rules[3].requires'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class YamlDocument:
    """A parsed YAML document: plain data plus the position of every value and key."""

    file: str
    data: Any
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    bare_keys: set[PathKey] = field(default_factory=set)
    """Keys written without ``:`` in a flow mapping (``{en: Frame, light}``): usually an unquoted comma."""

    def where(self, path: Sequence[str | int], *, key: bool = False) -> Location:
        """Location of the value (or, with ``key=True``, of the key) at ``path``, or of its nearest parent."""
        probe = tuple(path)
        table = self.key_positions if key else self.positions
        while probe:
            if probe in table:
                line, col = table[probe]
                return Location(self.file, line, col, format_path(path))
            if key and probe in self.positions:
                line, col = self.positions[probe]
                return Location(self.file, line, col, format_path(path))
            probe = probe[:-1]
        line, col = self.positions.get((), (1, 1))
        return Location(self.file, line, col, format_path(path))


def scalar_value(value: str, plain: bool) -> Any:
    """Resolve a scalar with YAML 1.2 core semantics; decimals stay exact; quoted scalars stay strings."""
    if not plain:
        return value
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        return int(value)
    if _DECIMAL.match(value):
        try:
            return Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern only admits valid decimals
            return value
    if _DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


class _Frame:
    """A mapping or sequence being composed."""

    __slots__ = ("anchor", "container", "key_end", "merges", "nodes", "path", "pending_key", "start")

    def __init__(
        self, container: dict[str, Any] | list[Any], path: PathKey, anchor: str | None, start: tuple[int, int]
    ) -> None:
        self.container = container
        self.path = path
        self.anchor = anchor
        self.start = start
        self.pending_key: str | None = None
        self.key_end: tuple[int, int] | None = None
        self.merges: list[tuple[Any, tuple[int, int]]] = []
        self.nodes = 1


class _Composer:
    """Build plain data from parser events, iteratively, with limits."""

    def __init__(self, file: str, max_nodes: int, max_depth: int) -> None:
        self.file = file
        self.max_nodes = max_nodes
        self.max_depth = max_depth
        self.doc = YamlDocument(file, None)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Frame] = []
        self.total = 0
        self.documents = 0

    def fail(self, mark: tuple[int, int], message: str, hint: str = "", path: PathKey = ()) -> CatalogError:
        return CatalogError(
            [Problem(Location(self.file, mark[0], mark[1], format_path(path)), message, hint)]
        )

    def count(self, n: int, mark: tuple[int, int]) -> None:
        self.total += n
        if self.total > self.max_nodes:
            raise self.fail(
                mark,
                f"document expands to more than {self.max_nodes:,} values",
                "aliases that multiply each other (an 'alias bomb') are refused",
            )

    def child_path(self, mark: tuple[int, int]) -> tuple[PathKey, bool]:
        """Path of the next value, and whether it is a mapping key rather than a value."""
        if not self.stack:
            return (), False
        top = self.stack[-1]
        if isinstance(top.container, list):
            return (*top.path, len(top.container)), False
        if top.pending_key is None:
            return top.path, True
        return (*top.path, top.pending_key), False

    def add(self, value: Any, mark: tuple[int, int], nodes: int) -> None:
        """Attach a finished value to the enclosing container (or make it the document)."""
        if not self.stack:
            self.doc.data = value
            return
        top = self.stack[-1]
        top.nodes += nodes
        if isinstance(top.container, list):
            top.container.append(value)
            return
        key = top.pending_key
        assert key is not None
        top.pending_key = None
        if key == "<<":
            top.merges.append((value, mark))
            return
        top.container[key] = value

    def set_key(self, value: str, mark: tuple[int, int], end: tuple[int, int] = (0, 0)) -> None:
        top = self.stack[-1]
        path = (*top.path, value)
        if value in top.container:
            first = self.doc.key_positions.get(path, (0, 0))
            raise self.fail(mark, f"duplicate key {value!r} (first defined at line {first[0]})", path=path)
        self.doc.key_positions.setdefault(path, mark)
        top.pending_key = value
        top.key_end = end

    def finish_mapping(self, frame: _Frame) -> None:
        assert isinstance(frame.container, dict)
        for merged, mark in frame.merges:
            sources = merged if isinstance(merged, list) else [merged]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.fail(
                        mark, "a merge key '<<' takes a mapping or a list of mappings", path=frame.path
                    )
                for k, v in source.items():
                    frame.container.setdefault(k, v)

    def check_tag(self, event: Any, mark: tuple[int, int]) -> None:
        """Refuse any tag but the standard ones; a local tag on a value is usually text to quote."""
        tag = event.tag
        if tag is not None and tag != "!" and tag not in _STANDARD_TAGS:
            local = tag.startswith("!") and isinstance(event, yaml.ScalarEvent)
            text = f"{tag} {event.value}".strip() if isinstance(event, yaml.ScalarEvent) else tag
            raise self.fail(
                mark,
                f"YAML tag {tag!r} is not allowed",
                f"catalogs are plain data: '!' starts a YAML tag; to write the text, quote it: {quoted(text)}"
                if local
                else "catalogs are plain data",
            )

    def run(self, events: Any) -> YamlDocument:
        for event in events:
            mark = (event.start_mark.line + 1, event.start_mark.column + 1)
            if isinstance(event, yaml.DocumentStartEvent):
                self.documents += 1
                if self.documents > 1:
                    raise self.fail(mark, "expected a single YAML document, found a second one ('---')")
                continue
            if isinstance(event, yaml.ScalarEvent | yaml.MappingStartEvent | yaml.SequenceStartEvent):
                self.check_tag(event, mark)
            if isinstance(event, yaml.AliasEvent):
                if event.anchor in self.open_anchors:
                    raise self.fail(
                        mark,
                        f"alias *{event.anchor} refers to its own enclosing anchor",
                        "recursive structures are refused",
                    )
                if event.anchor not in self.anchors:
                    raise self.fail(
                        mark,
                        f"unknown alias *{event.anchor}",
                        f"'*' starts an alias; to write the text, quote it: {quoted('*' + str(event.anchor))}",
                    )
                value, nodes = self.anchors[event.anchor]
                self.count(nodes, mark)
                path, is_key = self.child_path(mark)
                if is_key:
                    if not isinstance(value, str | int | Decimal | bool) or value is None:
                        raise self.fail(mark, "mapping keys must be plain scalars", path=path)
                    self.set_key(str(value), mark)
                    continue
                self.doc.positions.setdefault(path, mark)
                self.add(value, mark, nodes)
            elif isinstance(event, yaml.ScalarEvent):
                self.count(1, mark)
                path, is_key = self.child_path(mark)
                plain = bool(event.implicit[0])
                if is_key:
                    end = event.end_mark
                    self.set_key(event.value, mark, (end.line + 1, end.column + 1) if end else (0, 0))
                    if event.anchor:
                        self.anchors[event.anchor] = (event.value, 1)
                    continue
                value = scalar_value(event.value, plain)
                top = self.stack[-1] if self.stack else None
                if plain and event.value == "" and top is not None and top.key_end == mark:
                    self.doc.bare_keys.add(path)  # '{en: Frame, light}': 'light' has no ':' and no value
                if event.tag == "tag:yaml.org,2002:str":
                    value = event.value
                self.doc.positions.setdefault(path, mark)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
                self.add(value, mark, 1)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                self.count(1, mark)
                path, is_key = self.child_path(mark)
                if is_key:
                    raise self.fail(mark, "mapping keys must be plain scalars", path=path)
                if len(self.stack) >= self.max_depth:
                    raise self.fail(mark, f"nesting deeper than {self.max_depth} levels")
                self.doc.positions.setdefault(path, mark)
                container: dict[str, Any] | list[Any] = (
                    {} if isinstance(event, yaml.MappingStartEvent) else []
                )
                if event.anchor:
                    self.open_anchors.add(event.anchor)
                self.stack.append(_Frame(container, path, event.anchor, mark))
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                frame = self.stack.pop()
                if isinstance(frame.container, dict):
                    self.finish_mapping(frame)
                if frame.anchor:
                    self.open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = (frame.container, frame.nodes)
                self.add(frame.container, frame.start, frame.nodes)
        self.doc.positions.setdefault((), (1, 1))
        return self.doc


def parse_yaml(
    text: str, file: str = "<string>", *, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH
) -> YamlDocument:
    """Parse YAML text into plain data with positions; every failure is a :class:`CatalogError`.

    Args:
        text: the YAML source.
        file: the name used in error messages.
        max_nodes: refuse documents that expand (aliases included) to more values than this.
        max_depth: refuse nesting deeper than this.

    Example:
        >>> parse_yaml("a: 1\\na: 2\\n", "dup.yaml")
        Traceback (most recent call last):
        ...
        configurator.errors.CatalogError: dup.yaml:2:1: a: duplicate key 'a' (first defined at line 1)
    """
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise CatalogError(
            [
                Problem(
                    Location(file, line, 1),
                    "file contains NUL bytes",
                    "this looks like a binary file, not YAML",
                )
            ]
        )
    composer = _Composer(file, max_nodes, max_depth)
    try:
        return composer.run(yaml.parse(text, Loader=_LOADER))
    except CatalogError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        problem = exc.problem or exc.context or "invalid YAML"
        lines = text.splitlines()
        bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
        hint = "indent with spaces; YAML does not allow tabs" if "\t" in bad_line[: col + 1] else ""
        if not hint:
            context_col = exc.context_mark.column + 1 if exc.context_mark is not None else col
            problem, hint = _syntax_hint(problem, exc.context or "", bad_line, col, context_col)
            if exc.context in ("while scanning an alias", "while scanning an anchor"):
                col = context_col  # point at the '*' or '&', not where the scanner gave up
        raise CatalogError([Problem(Location(file, line, col), f"invalid YAML: {problem}", hint)]) from None
    except yaml.reader.ReaderError as exc:
        raise CatalogError(
            [
                Problem(
                    Location(file, 0, 0),
                    f"invalid YAML: {exc.reason}",
                    f"character {exc.character!r} at offset {exc.position}",
                )
            ]
        ) from None
    except (yaml.YAMLError, RecursionError, MemoryError, UnicodeError, ValueError) as exc:
        raise CatalogError([Problem(Location(file, 0, 0), f"invalid YAML: {exc}")]) from None


def read_yaml(path: str | Path, *, max_bytes: int = MAX_BYTES, display: str | None = None) -> YamlDocument:
    """Read and parse a YAML file with the size, encoding and structure limits of :func:`parse_yaml`.

    Args:
        path: the file.
        max_bytes: refuse larger files before reading them.
        display: the name used in messages (default: the path as given).
    """
    name = display or str(path)
    p = Path(path)
    try:
        raw = read_limited(p, max_bytes)  # a regular file only, read with the limit (a FIFO never blocks)
    except FileNotFoundError:
        raise CatalogError([Problem(Location(name), "file not found")]) from None
    except IsADirectoryError:
        raise CatalogError([Problem(Location(name), "expected a YAML file, found a directory")]) from None
    except OSError as exc:
        if exc.errno == errno.EFBIG:
            try:  # the size for the message only: the limit was enforced by reading
                size = f"{p.stat().st_size:,} bytes"
            except OSError:
                size = "larger"
            raise CatalogError(
                [
                    Problem(
                        Location(name),
                        f"file is {size}, larger than the limit of {max_bytes:,} bytes",
                        "split it with 'include:'",
                    )
                ]
            ) from None
        raise CatalogError([Problem(Location(name), f"cannot read file: {exc.strerror}")]) from None
    if b"\x00" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\x00")) + 1
        raise CatalogError(
            [
                Problem(
                    Location(name, line, 1),
                    "file contains NUL bytes",
                    "this looks like a binary file, not YAML",
                )
            ]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise CatalogError(
            [
                Problem(
                    Location(name, line, 1),
                    "file is not valid UTF-8",
                    f"byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                )
            ]
        ) from None
    return parse_yaml(text, name)
