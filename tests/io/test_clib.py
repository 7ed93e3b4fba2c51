"""CLib table import: tiny models checked by brute force, errors with locations, the Renault Megane model."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from configurator.errors import ModelFormatError
from configurator.io.clib import find_domains_file, load_clib
from configurator.solver.problem import Problem, Table
from support import bench_file


def solutions(problem: Problem) -> set[tuple[int, ...]]:
    """The valid assignments of a tiny problem, as value tuples in variable order."""
    return {tuple(a[n] for n in problem.names) for a in problem.assignments() if problem.check(a)}


def write_model(root: Path, domains: str, tables: dict[str, str], stem: str = "car") -> Path:
    """Write a CLib folder: ``<stem>_domains.txt`` and ``<stem>_rules/<name>``."""
    (root / f"{stem}_domains.txt").write_text(domains)
    rules = root / f"{stem}_rules"
    rules.mkdir()
    for name, text in tables.items():
        (rules / name).write_text(text)
    return root


DOMAINS = "Var1 : DIESEL, ESS\nVar2 : BVM5, BVA, BVM6\nVar4 : FR, DE\n"


def test_tables_count_by_brute_force(tmp_path: Path) -> None:
    """Two tables over symbolic domains leave exactly the allowed combinations."""
    write_model(
        tmp_path,
        DOMAINS,
        {
            "car_rule1.pm": "or(\nVar1 = DIESEL  and Var2 = BVM5\nVar1 = ESS  and Var2 = BVA\nVar1 = ESS  and Var2 = BVM6\nor)\n",
            "car_rule2.pm": "or(\nVar2 = BVA  and Var4 = FR\nVar2 = BVM5  and Var4 = FR\nVar2 = BVM5  and Var4 = DE\nVar2 = BVM6  and Var4 = DE\nor)\n",
        },
    )
    problem = load_clib(tmp_path)
    assert [(v.name, v.labels) for v in problem.variables] == [
        ("Var1", ("DIESEL", "ESS")),
        ("Var2", ("BVM5", "BVA", "BVM6")),
        ("Var4", ("FR", "DE")),
    ]
    assert solutions(problem) == {(0, 0, 0), (0, 0, 1), (1, 1, 0), (1, 2, 1)}
    assert [c.id for c in problem.constraints] == ["table:car_rule1", "table:car_rule2"]
    assert problem.meta["complete"] is True and problem.meta["tuples"] == 7


def test_nested_or_blocks_and_rows_with_fewer_variables(tmp_path: Path) -> None:
    """Nested ``or(`` blocks are a union; a row that omits a variable allows any value there."""
    write_model(
        tmp_path,
        DOMAINS,
        {"car_rule1.pm": "or(\nor(\nVar1 = DIESEL  and Var2 = BVA\nor)\nor(\nVar2 = BVM6\nor)\nor)\n"},
    )
    problem = load_clib(tmp_path)
    table = problem.constraints[0].expr
    assert table == Table(("Var1", "Var2"), ((0, 1), (None, 2)))
    assert len(solutions(problem)) == (1 + 2) * 2


def test_missing_tables_are_reported(tmp_path: Path) -> None:
    """Gaps in the numbering (and ``expected_tables``) are listed; ``require_complete`` raises."""
    row = "or(\nVar1 = ESS\nor)\n"
    write_model(tmp_path, DOMAINS, {"car_rule01.pm": row, "car_rule02.pm": row, "car_rule04.pm": row})
    problem = load_clib(tmp_path)
    assert problem.meta["missing_tables"] == ("car_rule03.pm",) and problem.meta["complete"] is False
    assert load_clib(tmp_path, expected_tables=5).meta["missing_tables"] == ("car_rule03.pm", "car_rule05.pm")
    with pytest.raises(ModelFormatError, match=r"car_rules: 1 table file\(s\) missing: car_rule03\.pm"):
        load_clib(tmp_path, require_complete=True)


@pytest.mark.parametrize(
    ("domains", "table", "message"),
    [
        (DOMAINS, "or(\nVar9 = ESS\nor)\n", r"car_rule1\.pm:2: unknown variable 'Var9'"),
        (
            DOMAINS,
            "or(\nVar1 = ESS\nVar11 = ESS\nor)\n",
            r"car_rule1\.pm:3: unknown variable 'Var11' \(did you mean 'Var1'\?\)",
        ),
        (DOMAINS, "or(\nVar1 = GPL\nor)\n", r"car_rule1\.pm:2: 'GPL' is not a value of Var1"),
        (DOMAINS, "or(\nVar1 ESS\nor)\n", r"car_rule1\.pm:2: expected 'Var = value and \.\.\.'"),
        (DOMAINS, "or(\nVar1 = ESS  and Var1 = DIESEL\nor)\n", r"car_rule1\.pm:2: Var1 is given two values"),
        (DOMAINS, "Var1 = ESS\n", r"car_rule1\.pm:1: a tuple outside 'or\('"),
        (DOMAINS, "or(\nVar1 = ESS\nor)\nor)\n", r"car_rule1\.pm:4: 'or\)' without a matching 'or\('"),
        (DOMAINS, "or(\nVar1 = ESS\n", r"car_rule1\.pm: expected one 'or\(' \.\.\. 'or\)' block, balanced"),
        ("Var1 DIESEL\n", "or(\nor)\n", r"car_domains\.txt:1: expected 'Var : value, value, \.\.\.'"),
        ("Var1 : A, \n", "or(\nor)\n", r"car_domains\.txt:1: expected"),
        ("Var1 : A\nVar1 : B\n", "or(\nor)\n", r"car_domains\.txt:2: variable 'Var1' declared twice"),
        ("Var1 : A, A\n", "or(\nor)\n", r"car_domains\.txt:1: variable 'Var1' lists a value twice"),
        ("\n", "or(\nor)\n", r"car_domains\.txt: no variables"),
    ],
)
def test_malformed_clib_names_file_and_line(tmp_path: Path, domains: str, table: str, message: str) -> None:
    """Malformed domains and table lines raise ModelFormatError with file:line."""
    write_model(tmp_path, domains, {"car_rule1.pm": table})
    with pytest.raises(ModelFormatError, match=message):
        load_clib(tmp_path)


def test_folder_layout_errors(tmp_path: Path) -> None:
    """A folder without exactly one domains file, or without its rules folder, is refused."""
    with pytest.raises(ModelFormatError, match=r"expected exactly one '\*_domains\.txt' file"):
        load_clib(tmp_path)
    (tmp_path / "car_domains.txt").write_text(DOMAINS)
    assert find_domains_file(tmp_path) == tmp_path / "car_domains.txt"
    with pytest.raises(ModelFormatError, match=r"no 'car_rules' folder next to car_domains\.txt"):
        load_clib(tmp_path)


def test_renault_megane_loads_and_reports_the_missing_tables() -> None:
    """Renault: 99 variables (396 values, largest 42), 111 tables of arity 2-10, 112,680 tuples, 071/078 missing."""
    folder = bench_file("renault-clib-megane")
    start = time.perf_counter()
    problem = load_clib(folder)
    elapsed = time.perf_counter() - start
    assert len(problem.variables) == 99
    assert sum(len(v.domain) for v in problem.variables) == 396
    assert max(len(v.domain) for v in problem.variables) == len(problem.var("Var5").domain) == 42
    tables = [c.expr for c in problem.constraints if isinstance(c.expr, Table)]
    assert len(tables) == 111 == problem.meta["tables"]
    assert {len(t.vars) for t in tables} == set(range(2, 11))
    assert problem.meta["tuples"] == sum(len(t.rows) for t in tables) == 112_680
    assert problem.meta["missing_tables"] == ("renault_rule071.pm", "renault_rule078.pm")
    assert problem.meta["complete"] is False
    assert "Var37" not in problem.names and problem.var("Var4").labels == ("DIESEL", "ESS")
    assert elapsed < 10
