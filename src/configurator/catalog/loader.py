"""Load catalogs from YAML: includes, sub-assemblies, structural and cross-reference checks, located errors.

Loading collects every problem it can in one pass and raises one :class:`~configurator.errors.CatalogError`
whose lines read ``file:line:col: key.path: message (hint)``.

Example:
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "c.yaml").write_text('''
    ... catalog: demo
    ... version: "1"
    ... currency: EUR
    ... locales: [en]
    ... modules:
    ...   frame: {options: {alu_m: {price: 420.00}, carbon_m: {price: 1190.00}}}
    ... rules:
    ...   - {id: r1, requires: "frame.alu"}
    ... ''')
    >>> load_catalog(d / "c.yaml")
    Traceback (most recent call last):
    ...
    configurator.errors.CatalogError: ...c.yaml:9:24: rules[0].requires: unknown option or attribute 'frame.alu' at column 1 of 'frame.alu' (did you mean 'frame.alu_m'?)
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from configurator.catalog import models
from configurator.catalog.compiled import CompiledCatalog
from configurator.catalog.files import inside
from configurator.catalog.models import Catalog, Library
from configurator.catalog.semantics import analyse
from configurator.catalog.yamlsource import YamlDocument, format_path, quoted, read_yaml
from configurator.errors import CatalogError, Location, Problem, suggest

__all__ = ["LoadReport", "load_catalog", "load_catalogs", "validate_catalog"]

_PATTERN_NAMES = {
    models.ID_PATTERN: "an id (lowercase letters, digits and '_', starting with a letter)",
    models.DASHED_ID_PATTERN: "an id (lowercase letters, digits, '_' and '-', starting with a letter)",
    models.LOCALE_PATTERN: "a locale code such as 'en' or 'pt_BR'",
    r"^[A-Z]{3}$": "an ISO 4217 currency code such as 'EUR'",
}


def _known_keys() -> list[str]:
    keys: set[str] = set()
    for cls in vars(models).values():
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            for name, info in cls.model_fields.items():
                keys.add(info.alias or name)
    return sorted(keys)


_KEYS = _known_keys()


@dataclass
class LoadReport:
    """The outcome of validating one catalog file: the catalog (when valid), errors and warnings."""

    path: str
    catalog: Catalog | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the catalog loaded without errors."""
        return self.catalog is not None and not self.errors


def _short(value: Any) -> str:
    """A value as the author wrote it: ``240.00``, ``2026-01-31``, ``true``, ``'text'``, ``a mapping``.

    Example:
        >>> from decimal import Decimal
        >>> _short(Decimal("240.00")), _short(True), _short("yes"), _short(None), _short([1])
        ('240.00', 'true', "'yes'", 'nothing (null)', 'a list')
    """
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower()
    text = repr(value) if isinstance(value, str) else str(value)  # numbers and dates as written
    return text if len(text) <= 60 else text[:57] + "..."


_MAPPING_TYPES = ("model_type", "dict_type", "model_attributes_type")
_DATE_TYPES = ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact")
_BOOL_WORDS = frozenset({"yes", "no", "y", "n", "on", "off", "true", "false"})


def _scalar(value: Any) -> bool:
    return value is not None and not isinstance(value, str | dict | list)


def _previous_key(data: Any, path: tuple[str | int, ...]) -> str | None:
    """The key written just before the last one of ``path`` in its mapping, if any."""
    if not path or not isinstance(path[-1], str):
        return None
    try:
        parent = _get(data, path[:-1])
    except (KeyError, IndexError, TypeError):
        return None
    if not isinstance(parent, dict):
        return None
    keys = list(parent)
    index = keys.index(path[-1]) if path[-1] in keys else 0
    return str(keys[index - 1]) if index > 0 else None


def _below(key: str | int) -> str:
    return f"check the indentation of the lines below '{key}:'"


def _indentation(
    data: Any, full: tuple[str | int, ...], empty: set[tuple[str | int, ...]], mapping: bool
) -> str:
    """A hint for a problem that a mis-indented line probably caused, or "".

    ``empty`` holds the places where a mapping was expected and nothing was written: a key after one of those
    was probably meant to be inside it. ``mapping`` says the problem is a mapping expected at ``full``.
    """
    for length in range(len(full), 0, -1):
        previous = _previous_key(data, full[:length])
        if previous is not None and (*full[: length - 1], previous) in empty:
            return _below(previous)
    if not mapping or not full:
        return ""
    try:
        value = _get(data, full)
    except (KeyError, IndexError, TypeError):
        return ""
    if value is None:
        return _below(full[-1])
    if isinstance(value, dict | list):
        return ""
    previous = _previous_key(data, full)
    return _below(previous) if previous is not None else ""


def _comma(data: Any, bare: tuple[str | int, ...]) -> tuple[str, str]:
    """Message and hint for a key written without a value in ``{...}``: an unquoted comma, usually."""
    parent = _get(data, bare[:-1])
    keys = list(parent)
    index = keys.index(bare[-1])
    start = index
    while start > 0 and parent[keys[start - 1]] is None:
        start -= 1
    message = f"expected 'key: value', got {str(bare[-1])!r} alone: a comma inside {{...}} ends an entry"
    if start == 0 or isinstance(parent[keys[start - 1]], dict | list):
        return message, f"quote the text that holds the comma: {quoted(str(bare[-1]))}"
    end = index + 1
    while end < len(keys) and parent[keys[end]] is None:
        end += 1
    text = ", ".join([_short(parent[keys[start - 1]]).strip("'"), *(str(k) for k in keys[start:end])])
    return message, f"quote the text: {keys[start - 1]}: {quoted(text)}"


def _trim(loc: tuple[Any, ...], data: Any) -> tuple[tuple[str | int, ...], tuple[Any, ...]]:
    """Split a pydantic location into the part that exists in the document and the rest."""
    path: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        if (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        ):
            path.append(part)
            current = current[part]
        else:
            return tuple(path), tuple(loc[index:])
    return tuple(path), ()


_PLAIN = (
    (re.compile(r"a valid tuple|a valid list"), "a list"),
    (re.compile(r"a valid dictionary or instance of \w+|a valid dictionary"), "a mapping"),
    (re.compile(r"a valid boolean"), "true or false"),
    (re.compile(r"a valid (\w+)"), r"a \1"),
    (re.compile(r"\ba integer"), "an integer"),
)


def _plain(text: str) -> str:
    """Pydantic's wording in the words of a YAML author."""
    for pattern, replacement in _PLAIN:
        text = pattern.sub(replacement, text)
    return text


def _expected(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _DATE_TYPES:
        return "expected a date YYYY-MM-DD"
    if kind == "int_from_float":
        return "expected an integer"
    if kind == "string_pattern_mismatch":
        return f"expected {_PATTERN_NAMES.get(ctx.get('pattern', ''), 'text matching ' + str(ctx.get('pattern')))}"
    message: str = error["msg"]
    for prefix in ("Input should be ", "Value should be "):
        if message.startswith(prefix):
            return "expected " + _plain(message[len(prefix) :])
    if message.startswith("Value error, "):
        return message[len("Value error, ") :]
    return message[0].lower() + message[1:] if message else kind


def pydantic_problems(
    exc: ValidationError, doc: YamlDocument, prefix: tuple[str | int, ...] = ()
) -> list[Problem]:
    """Turn pydantic errors into located problems; union alternatives at one place become one problem."""
    grouped: dict[tuple[str | int, ...], list[tuple[Any, tuple[Any, ...]]]] = {}
    problems: list[Problem] = []
    data = doc.data
    located = [
        (error, *_trim(tuple(error["loc"]), _get(data, prefix))) for error in exc.errors(include_url=False)
    ]
    empty = {
        (*prefix, *path)
        for error, path, rest in located
        if error["type"] in _MAPPING_TYPES and not rest and error.get("input") is None
    }
    commas: set[tuple[str | int, ...]] = set()
    for error, path, rest in located:
        full = (*prefix, *path)
        bare = next((full[:n] for n in range(len(full), 0, -1) if full[:n] in doc.bare_keys), None)
        if bare is not None:
            while (before := _previous_key(data, bare)) is not None and (*bare[:-1], before) in doc.bare_keys:
                bare = (*bare[:-1], before)  # one problem for '{en: a, b, c}', at 'b'
            if bare not in commas:
                commas.add(bare)
                problems.append(Problem(doc.where(bare, key=True), *_comma(data, bare)))
            continue
        if error["type"] == "missing" and rest:
            hint = _indentation(data, full, empty, mapping=False)
            problems.append(Problem(doc.where(full), f"missing required key {rest[0]!r}", hint))
            continue
        if error["type"] == "extra_forbidden":
            key = str(full[-1]) if full else ""
            hint = _indentation(data, full, empty, mapping=False) or suggest(key, _KEYS)
            problems.append(Problem(doc.where(full, key=True), f"unknown key {key!r}", hint))
            continue
        grouped.setdefault(full, []).append((error, rest))
    for full, errors in grouped.items():
        expected: list[str] = []
        for error, _ in errors:
            text = _expected(error)
            if text not in expected:
                expected.append(text)
        got = _short(errors[0][0].get("input"))
        if len(expected) > 1:
            alternatives = [e.removeprefix("expected ") for e in expected]
            message = f"expected {' or '.join(alternatives)}, got {got}"
        else:
            message = expected[0]
            if (
                "got" not in message
                and errors[0][0]["type"] not in ("value_error",)
                and not errors[0][0]["type"].startswith(
                    ("rule_", "range", "date_order", "enum_", "table_", "discount", "volume", "excludes")
                )
            ):
                message += f", got {got}"
        mapping = any(error["type"] in _MAPPING_TYPES and not rest for error, rest in errors)
        hint = _indentation(data, full, empty, mapping)
        value = errors[0][0].get("input")
        if not hint and any(e["type"] == "string_type" for e, _ in errors) and _scalar(value):
            hint = f"quote it: {quoted(_short(value))}"  # a date, number or true/false where text belongs
        problems.append(Problem(doc.where(full), message, hint))
    problems.sort(key=lambda p: (p.location.line, p.location.column))
    return problems


def _get(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _bool_hints(catalog: Catalog, where: Any, errors: list[Problem]) -> list[Problem]:
    """``errors`` with "use true or false" added where a bool attribute was given yes, no, on, off..."""
    words: dict[Location, str] = {}
    for mid, module in catalog.modules.items():
        for oid, option in module.options.items():
            for aid, value in option.attrs.items():
                attribute = catalog.attributes.get(aid)
                if (
                    attribute is not None
                    and attribute.type == "bool"
                    and isinstance(value, str)
                    and value.lower() in _BOOL_WORDS
                ):
                    words[where(("modules", mid, "options", oid, "attrs", aid))] = value
    out = []
    for problem in errors:
        word = words.get(problem.location)
        if word is not None and not problem.hint:
            hint = (
                f"use true or false without quotes; {quoted(word)} in quotes is text"
                if word.lower() in ("true", "false")
                else f"use true or false; YAML 1.2 reads {word} as text"
            )
            problem = Problem(problem.location, problem.message, hint, problem.severity)
        out.append(problem)
    return out


class _Loader:
    """Loads one catalog with its includes and sub-assemblies, tracking open files to detect cycles."""

    def __init__(self, base: Path | None = None, roots: Sequence[Path] = ()) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.open: list[Path] = []
        self.cache: dict[Path, Catalog | None] = {}
        self.base = base
        self.roots = list(roots)

    def allowed(self, path: Path, origin: Location) -> bool:
        """Whether a file a catalog names (``include:``, ``product:``) is inside the allowed folders.

        A refused path is named, never read (its content cannot reach a message).
        """
        if inside(path, self.roots):
            return True
        folders = ", ".join(self.display(root) for root in self.roots)
        self.errors.append(
            Problem(
                origin,
                f"refused: {self.display(path)} is outside the catalog's folder ({folders})",
                "keep included files and sub-assemblies inside the catalog's folder, or name their folder "
                "in CONFIGURATOR_CATALOG_ROOTS",
            )
        )
        return False

    def display(self, path: Path) -> str:
        try:
            return os.path.relpath(path)
        except ValueError:  # pragma: no cover - other drive on Windows
            return str(path)

    def resolve(self, path: Path, origin: Location | None) -> Path | None:
        """``path`` made absolute, or None (with an error) when it cannot name a file, e.g. it holds a NUL."""
        try:
            return path.resolve()
        except (OSError, ValueError):
            self.errors.append(
                Problem(origin or Location(self.display(path)), f"invalid file name {self.display(path)!r}")
            )
            return None

    def read(self, path: Path, origin: Location | None) -> YamlDocument | None:
        resolved = self.resolve(path, origin)
        if resolved is None:
            return None
        if origin is not None and not self.allowed(resolved, origin):
            return None
        if resolved in self.open:
            chain = " -> ".join(self.display(p) for p in [*self.open[self.open.index(resolved) :], resolved])
            self.errors.append(Problem(origin or Location(self.display(path)), f"include cycle: {chain}"))
            return None
        try:
            return read_yaml(resolved, display=self.display(path))
        except CatalogError as exc:
            if origin is not None and exc.problems and exc.problems[0].message == "file not found":
                siblings = (
                    [p.name for p in resolved.parent.glob("*.yaml")] if resolved.parent.is_dir() else []
                )
                self.errors.append(
                    Problem(
                        origin,
                        f"included file not found: {self.display(path)}",
                        suggest(resolved.name, siblings),
                    )
                )
            else:
                self.errors.extend(exc.problems)
            return None

    def catalog(self, path: Path, origin: Location | None = None) -> Catalog | None:
        resolved = self.resolve(path, origin)
        if resolved is None:
            return None
        if resolved in self.cache and resolved not in self.open:
            return self.cache[resolved]
        doc = self.read(path, origin)
        if doc is None:
            return None
        if not isinstance(doc.data, dict) or "catalog" not in doc.data:
            found = (
                "a library ('library:')"
                if isinstance(doc.data, dict) and "library" in doc.data
                else (f"{_short(doc.data)}")
            )
            self.errors.append(
                Problem(doc.where(()), f"expected a catalog (a mapping with 'catalog:'), got {found}")
            )
            return None
        self.open.append(resolved)
        try:
            result = self._catalog(doc, resolved)
        finally:
            self.open.pop()
        self.cache[resolved] = result
        return result

    def _validate(self, cls: type[BaseModel], doc: YamlDocument, locale: str) -> Any:
        try:
            return cls.model_validate(doc.data, context={"default_locale": locale})
        except ValidationError as exc:
            self.errors.extend(pydantic_problems(exc, doc))
            return None

    def _catalog(self, doc: YamlDocument, resolved: Path) -> Catalog | None:
        data: dict[str, Any] = doc.data
        locales = data.get("locales")
        locale = locales[0] if isinstance(locales, list) and locales and isinstance(locales[0], str) else "en"
        before = len(self.errors)
        catalog: Catalog | None = self._validate(Catalog, doc, locale)
        origins: dict[tuple[str | int, ...], tuple[YamlDocument, tuple[str | int, ...]]] = {}
        libraries: list[tuple[Library, YamlDocument]] = []
        includes = data.get("include") if isinstance(data.get("include"), list) else []
        for index, rel in enumerate(includes or []):
            if isinstance(rel, str):
                self.library(resolved.parent / rel, doc.where(("include", index)), libraries, locale)
        if catalog is None or len(self.errors) > before:
            return None
        catalog, origins = self.merge(catalog, doc, libraries)

        def where(path: tuple[str | int, ...]) -> Location:
            for length in (2, 1):
                key = path[:length]
                if key in origins:
                    src_doc, src_prefix = origins[key]
                    loc = src_doc.where((*src_prefix, *path[length:]))
                    return Location(loc.file, loc.line, loc.column, format_path(path))
            return doc.where(path)

        compiled, errors, warnings = analyse(catalog, where)
        self.errors.extend(_bool_hints(catalog, where, errors))
        self.warnings.extend(warnings)
        products = self.products(catalog, where, resolved)
        if errors or len(self.errors) > before:
            return None
        catalog._products = products
        catalog._compiled = compiled if isinstance(compiled, CompiledCatalog) else None
        catalog._locate = where
        return catalog

    def library(
        self, path: Path, origin: Location, out: list[tuple[Library, YamlDocument]], locale: str
    ) -> None:
        resolved = self.resolve(path, origin)
        if resolved is None:
            return
        doc = self.read(path, origin)
        if doc is None:
            return
        if not isinstance(doc.data, dict) or "library" not in doc.data:
            self.errors.append(
                Problem(
                    doc.where(()),
                    f"expected a module library (a mapping with 'library:'), "
                    f"got {_short(doc.data) if not isinstance(doc.data, dict) else 'a catalog'}",
                )
            )
            return
        self.open.append(resolved)
        try:
            includes = doc.data.get("include")
            for index, rel in enumerate(includes if isinstance(includes, list) else []):
                if isinstance(rel, str):
                    self.library(resolved.parent / rel, doc.where(("include", index)), out, locale)
            library = self._validate(Library, doc, locale)
            if library is not None:
                out.append((library, doc))
        finally:
            self.open.pop()

    def merge(
        self, catalog: Catalog, doc: YamlDocument, libraries: list[tuple[Library, YamlDocument]]
    ) -> tuple[Catalog, dict[tuple[str | int, ...], tuple[YamlDocument, tuple[str | int, ...]]]]:
        origins: dict[tuple[str | int, ...], tuple[YamlDocument, tuple[str | int, ...]]] = {}
        sections: dict[str, dict[str, Any]] = {"attributes": {}, "modules": {}, "services": {}}
        rules: list[Any] = []
        sources: list[tuple[Library | Catalog, YamlDocument]] = [*libraries, (catalog, doc)]
        for library, lib_doc in sources:
            for section, table in sections.items():
                for key, value in getattr(library, section).items():
                    if key in table:
                        first_doc, first_path = origins[(section, key)]
                        first = first_doc.where(first_path, key=True)
                        self.errors.append(
                            Problem(
                                lib_doc.where((section, key), key=True),
                                f"{section[:-1]} {key!r} is defined twice "
                                f"(also at {first.file}:{first.line})",
                            )
                        )
                        continue
                    table[key] = value
                    origins[(section, key)] = (lib_doc, (section, key))
            for index, rule in enumerate(library.rules):
                origins[("rules", len(rules))] = (lib_doc, ("rules", index))
                rules.append(rule)
        if not libraries:
            return catalog, {}
        merged = catalog.model_copy(update={**sections, "rules": tuple(rules)})
        return merged, origins

    def products(self, catalog: Catalog, where: Any, resolved: Path) -> dict[tuple[str, str], Catalog]:
        products: dict[tuple[str, str], Catalog] = {}
        for mid, module in catalog.modules.items():
            for oid, option in module.options.items():
                if option.product is None:
                    continue
                location = where(("modules", mid, "options", oid, "product"))
                target = resolved.parent / option.product
                try:
                    named = target.resolve()
                except (OSError, ValueError):  # a NUL character...
                    named = None
                if named is not None and not self.allowed(named, location):
                    continue  # refused before anything is read or even looked up outside
                try:
                    found = named is not None and named.is_file()
                except (OSError, ValueError):  # a name too long for the file system...
                    found = False
                if not found:
                    self.errors.append(Problem(location, f"sub-assembly catalog not found: {option.product}"))
                    continue
                sub = self.catalog(target, location)
                if sub is not None:
                    products[(mid, oid)] = sub
        return products


def validate_catalog(
    path: str | os.PathLike[str], roots: Sequence[str | os.PathLike[str]] = ()
) -> LoadReport:
    """Load a catalog and report every error and warning instead of raising.

    Files the catalog names (``include:``, ``product:``, at any depth) must resolve, symbolic links followed,
    inside the catalog's own folder, one of ``roots``, or a folder of the ``CONFIGURATOR_CATALOG_ROOTS``
    setting (folders separated by ``os.pathsep``); others are refused, named but never read.

    Example:
        >>> validate_catalog("no/such/file.yaml").errors[0].message
        'file not found'
    """
    shared = [
        Path(r) for r in os.environ.get("CONFIGURATOR_CATALOG_ROOTS", "").split(os.pathsep) if r.strip()
    ]
    loader = _Loader(roots=[Path(path).resolve().parent, *(Path(root) for root in roots), *shared])
    catalog = loader.catalog(Path(path))
    errors = sorted(loader.errors, key=lambda p: (p.location.file, p.location.line, p.location.column))
    return LoadReport(str(path), catalog if not errors else None, errors, loader.warnings)


def load_catalog(path: str | os.PathLike[str], roots: Sequence[str | os.PathLike[str]] = ()) -> Catalog:
    """Load and check a catalog file, with its includes and sub-assemblies.

    Args:
        path: the catalog's YAML file.
        roots: folders besides the catalog's own that its includes and sub-assemblies may come from.

    Returns:
        The catalog, frozen, with every expression compiled.

    Raises:
        CatalogError: every problem found, each with file, line, column, key path, expected and found.
    """
    report = validate_catalog(path, roots)
    if report.catalog is None:
        raise CatalogError(report.errors or [Problem(Location(str(path)), "invalid catalog")])
    return report.catalog


def load_catalogs(folder: str | os.PathLike[str]) -> dict[str, Catalog]:
    """Load and check every catalog of a folder (its ``*.yaml`` files, in name order), by catalog id.

    This is the set a shop sells (the API serves ``CONFIGURATOR_CATALOGS_DIR``); a later file with the same id
    replaces an earlier one.

    Raises:
        CatalogError: a file is not a valid catalog (every problem, with file and line).

    Example:
        >>> sorted(load_catalogs("catalogs"))
        ['ebike-urban', 'kitchen-modular', 'laptop-pro14', 'valve-pn5']
    """
    found: dict[str, Catalog] = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        catalog = load_catalog(path)
        found[catalog.catalog] = catalog
    return found
