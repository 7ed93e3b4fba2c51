"""CLib table models (the Renault Megane benchmark): a domains file and one positive table per ``.pm`` file.

Layout of a CLib directory::

    renault_domains.txt        one line per variable: ``Var5 : AFSU, ALLE, ARGE, ...``
    renault_rules/*.pm         one table per file: ``or(`` ... ``or)`` around one allowed tuple per line,
                               ``Var1 = S64  and Var3 = M9  and ...``; ``or(``/``or)`` may nest (a union)

Each variable becomes an integer :class:`~configurator.solver.problem.Variable` with values ``0..k-1``
labelled by its symbolic codes, in the order of the domains file; each ``.pm`` file becomes a positive
:class:`~configurator.solver.problem.Table` constraint ``table:<file stem>`` over the variables it mentions,
in order of first mention (a row that leaves a variable out allows any value there).

Tables are numbered by the digits at the end of their file names. A gap in the numbering (or fewer tables
than ``expected_tables``) means the model is incomplete and therefore a relaxation: it may accept
configurations the full rule set forbids. The missing files are listed in ``Problem.meta["missing_tables"]``
and ``Problem.meta["complete"]`` is False; ``require_complete=True`` raises instead. The local Renault copy
misses ``renault_rule071.pm`` and ``renault_rule078.pm``.

Example:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "car_domains.txt").write_text("Var1 : DIESEL, ESS\\nVar2 : BVM5, BVA\\n")
    >>> (d / "car_rules").mkdir()
    >>> _ = (d / "car_rules" / "car_rule1.pm").write_text("or(\\nVar1 = DIESEL  and Var2 = BVM5\\nVar1 = ESS\\nor)\\n")
    >>> _ = (d / "car_rules" / "car_rule3.pm").write_text("or(\\nVar2 = BVM5\\nor)\\n")
    >>> p = load_clib(d)
    >>> [(v.name, v.domain, v.labels) for v in p.variables]
    [('Var1', (0, 1), ('DIESEL', 'ESS')), ('Var2', (0, 1), ('BVM5', 'BVA'))]
    >>> p.constraints[0]
    Constraint(id='table:car_rule1', expr=Table(vars=('Var1', 'Var2'), rows=((0, 0), (1, None)), allowed=True), kind='table')
    >>> p.meta["missing_tables"], p.meta["complete"]
    (('car_rule2.pm',), False)
    >>> sum(p.check(a) for a in p.assignments())
    2
"""

from __future__ import annotations

import re
from pathlib import Path

from configurator.errors import ModelFormatError, suggest
from configurator.io._read import read_model_text
from configurator.solver.problem import Constraint, Problem, Table, Variable

__all__ = ["DOMAINS_SUFFIX", "find_domains_file", "load_clib"]

DOMAINS_SUFFIX = "_domains.txt"
"""A CLib directory holds ``<name>_domains.txt`` and a ``<name>_rules/`` folder of ``.pm`` tables."""

_NUMBERED = re.compile(r"(?P<prefix>.*?)(?P<number>\d+)\.pm")


def find_domains_file(directory: str | Path) -> Path | None:
    """The ``*_domains.txt`` file of a CLib directory, or None when there is none (or several)."""
    found = sorted(Path(directory).glob("*" + DOMAINS_SUFFIX))
    return found[0] if len(found) == 1 else None


def load_clib(
    directory: str | Path, *, expected_tables: int | None = None, require_complete: bool = False
) -> Problem:
    """Load a CLib directory (``<name>_domains.txt`` + ``<name>_rules/*.pm``) as a Problem.

    Args:
        directory: the folder holding the domains file and the rules folder.
        expected_tables: how many tables the full model has (tables numbered ``1..expected_tables``); when
            None, only gaps in the numbering count as missing.
        require_complete: raise instead of returning a relaxation when tables are missing.

    Raises:
        ModelFormatError: for a malformed line (``file:line``), an unknown variable or value, or
            (``require_complete``) missing tables.
    """
    directory = Path(directory)
    domains_file = find_domains_file(directory)
    if domains_file is None:
        raise ModelFormatError(f"{directory}: expected exactly one '*{DOMAINS_SUFFIX}' file")
    stem = domains_file.name[: -len(DOMAINS_SUFFIX)]
    rules_dir = directory / f"{stem}_rules"
    if not rules_dir.is_dir():
        raise ModelFormatError(f"{directory}: no '{stem}_rules' folder next to {domains_file.name}")
    variables = _domains(domains_file)
    index = {
        v.name: {label: value for value, label in zip(v.domain, v.labels, strict=True)} for v in variables
    }
    files = sorted(rules_dir.glob("*.pm"), key=_order)
    constraints = tuple(Constraint(f"table:{f.stem}", _table(f, index), "table") for f in files)
    missing = _missing(files, expected_tables)
    if missing and require_complete:
        raise ModelFormatError(f"{rules_dir}: {len(missing)} table file(s) missing: {', '.join(missing)}")
    meta: dict[str, object] = {
        "format": "clib",
        "source": str(directory),
        "tables": len(files),
        "tuples": sum(len(c.expr.rows) for c in constraints if isinstance(c.expr, Table)),
        "missing_tables": missing,
        "complete": not missing,
    }
    return Problem(variables, constraints, directory.name, meta)


def _order(path: Path) -> tuple[str, int, str]:
    m = _NUMBERED.fullmatch(path.name)
    return (m.group("prefix"), int(m.group("number")), path.name) if m else (path.stem, -1, path.name)


def _missing(files: list[Path], expected: int | None) -> tuple[str, ...]:
    """Names of the table files absent from the numbering ``1..max`` (or ``1..expected``)."""
    numbered = [m for m in (_NUMBERED.fullmatch(f.name) for f in files) if m]
    if not numbered:
        return ()
    prefix = numbered[0].group("prefix")
    width = max(len(m.group("number")) for m in numbered)
    present = {int(m.group("number")) for m in numbered if m.group("prefix") == prefix}
    last = max(max(present), expected or 0)
    return tuple(f"{prefix}{n:0{width}d}.pm" for n in range(1, last + 1) if n not in present)


def _domains(path: Path) -> tuple[Variable, ...]:
    variables: list[Variable] = []
    seen: set[str] = set()
    for number, line in enumerate(read_model_text(path).splitlines(), 1):
        if not line.strip():
            continue
        name, colon, rest = line.partition(":")
        name = name.strip()
        labels = tuple(v.strip() for v in rest.split(","))
        if not colon or not name or not all(labels):
            raise ModelFormatError(
                f"{path}:{number}: expected 'Var : value, value, ...', found {line.strip()!r}"
            )
        if name in seen:
            raise ModelFormatError(f"{path}:{number}: variable {name!r} declared twice")
        if len(set(labels)) != len(labels):
            raise ModelFormatError(f"{path}:{number}: variable {name!r} lists a value twice")
        seen.add(name)
        variables.append(Variable(name, tuple(range(len(labels))), labels))
    if not variables:
        raise ModelFormatError(f"{path}: no variables")
    return tuple(variables)


def _table(path: Path, index: dict[str, dict[str, int]]) -> Table:
    """Read one ``.pm`` table: the union of its rows, whatever the ``or(``/``or)`` nesting."""
    columns: dict[str, int] = {}
    rows: list[dict[int, int]] = []
    depth = 0
    opened = False
    for number, line in enumerate(read_model_text(path).splitlines(), 1):
        text = line.strip()
        if not text:
            continue
        if text == "or(":
            depth += 1
            opened = True
            continue
        if text == "or)":
            depth -= 1
            if depth < 0:
                raise ModelFormatError(f"{path}:{number}: 'or)' without a matching 'or('")
            continue
        if depth == 0:
            raise ModelFormatError(f"{path}:{number}: a tuple outside 'or(' ... 'or)'")
        row: dict[int, int] = {}
        for part in text.split(" and "):
            var, eq, label = part.partition("=")
            var, label = var.strip(), label.strip()
            if not eq or not var or not label:
                raise ModelFormatError(
                    f"{path}:{number}: expected 'Var = value and ...', found {part.strip()!r}"
                )
            values = index.get(var)
            if values is None:
                hint = suggest(var, index)
                raise ModelFormatError(
                    f"{path}:{number}: unknown variable {var!r}" + (f" ({hint})" if hint else "")
                )
            value = values.get(label)
            if value is None:
                raise ModelFormatError(f"{path}:{number}: {label!r} is not a value of {var}")
            column = columns.setdefault(var, len(columns))
            if row.get(column, value) != value:
                raise ModelFormatError(f"{path}:{number}: {var} is given two values in one tuple")
            row[column] = value
        rows.append(row)
    if depth != 0 or not opened:
        raise ModelFormatError(f"{path}: expected one 'or(' ... 'or)' block, balanced")
    names = tuple(columns)
    return Table(names, tuple(tuple(row.get(c) for c in range(len(names))) for row in rows))
