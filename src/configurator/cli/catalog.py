"""Catalog commands: ``validate``, ``check``, ``lint`` and ``schema``.

``validate`` reads catalogs and prints every problem at its ``file:line:col``; ``check`` checks a full
configuration against every rule with the independent checker; ``lint`` finds void catalogs, dead options and
redundant rules, naming the rules behind each; ``schema`` prints the JSON Schema of the catalog language (catalogs and module libraries). Each
command imports the catalog loader (and, for ``lint``, the solver) when it runs.

Example:
    >>> import pathlib, tempfile
    >>> from configurator.cli import main
    >>> bike = pathlib.Path(tempfile.mkdtemp()) / "bike.yaml"
    >>> _ = bike.write_text(
    ...     "catalog: bike\\nversion: '1'\\ncurrency: EUR\\nlocales: [en]\\n"
    ...     "modules:\\n  frame:\\n    label: {en: Frame}\\n    options: {alu: {price: 400}}\\n"
    ... )
    >>> main(["validate", "--quiet", str(bike)])  # doctest: +ELLIPSIS
    /...bike.yaml: ok: bike 1, 1 modules, 1 options, 0 rules, 0 services
    0
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from configurator.cli.output import out as _out
from configurator.cli.params import parse_date

if TYPE_CHECKING:
    from configurator.catalog.loader import LoadReport

__all__ = ["check", "lint", "schema", "summary", "validate"]


def summary(report: LoadReport) -> str:
    """One line on a catalog that loaded: its id, version and how many modules, options, rules and services.

    Args:
        report: a report whose catalog loaded (``report.catalog`` is set).

    Returns:
        ``PATH: ok: ID VERSION, N modules, N options, N rules, N services[, N warnings]``.
    """
    cat = report.catalog
    assert cat is not None
    options = sum(len(m.options) for m in cat.modules.values())
    warnings = f", {len(report.warnings)} warnings" if report.warnings else ""
    return (
        f"{report.path}: ok: {cat.catalog} {cat.version}, {len(cat.modules)} modules, {options} options, "
        f"{len(cat.rules)} rules, {len(cat.services)} services{warnings}"
    )


def validate(
    paths: Annotated[list[Path], typer.Argument(help="Catalog YAML files.")],
    strict: Annotated[
        bool, typer.Option(help="Treat warnings (e.g. missing translations) as errors.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not print warnings.")] = False,
) -> None:
    """Check catalogs; print every problem as file:line:col: message, or one summary line per catalog."""
    from configurator.catalog.loader import validate_catalog

    failed = False
    for path in paths:
        report = validate_catalog(path)
        for problem in report.errors:
            _out().print(str(problem), markup=False)
        if not quiet or strict:
            for problem in report.warnings:
                _out().print(
                    f"{problem.location}: warning: {problem.message}"
                    + (f" ({problem.hint})" if problem.hint else ""),
                    markup=False,
                )
        if report.ok and not (strict and report.warnings):
            _out().print(summary(report), markup=False)
        else:
            failed = True
    raise typer.Exit(1 if failed else 0)


def check(
    catalog: Annotated[Path, typer.Argument(help="Catalog YAML file.")],
    configuration: Annotated[Path, typer.Argument(help="Configuration YAML file (catalog + selections).")],
    on: Annotated[
        str | None, typer.Option(help="Date for effective dates, YYYY-MM-DD (default: today).")
    ] = None,
    locale: Annotated[
        str | None, typer.Option(help="Language of the messages (default: the catalog's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the violations as JSON.")] = False,
) -> None:
    """Check a full configuration against every rule; exit 1 when it violates any."""
    from configurator.catalog.check import find_violations
    from configurator.catalog.configuration import load_configuration
    from configurator.catalog.loader import load_catalog

    day = parse_date(on)
    cat = load_catalog(catalog)
    config = load_configuration(configuration)
    violations = find_violations(cat, config, on=day, locale=locale)
    if as_json:
        _out().print(json.dumps([v.__dict__ for v in violations], ensure_ascii=False, indent=2), markup=False)
    else:
        for v in violations:
            where = f"{v.path}: " if v.path else ""
            involved = f" [{', '.join(v.choices)}]" if v.choices else ""
            _out().print(f"{where}{v.rule_id}: {v.message}{involved}", markup=False)
        if not violations:
            _out().print(f"{configuration}: valid for {cat.catalog} on {day}", markup=False)
    raise typer.Exit(1 if violations else 0)


def lint(
    paths: Annotated[list[Path], typer.Argument(help="Catalog YAML files.")],
    on: Annotated[str | None, typer.Option(help="Date for effective dates (default: today).")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON list: per catalog, its findings or load errors.")
    ] = False,
) -> None:
    """Find void catalogs, dead and false-optional options, redundant rules, unreachable services.

    A dead or false-optional option names the rules that cause it (a minimal set); rules that are redundant
    only given one another are one group, with the ones that can be deleted together. Missing translations
    are reported too; exit 1 when an error-level finding exists.
    """
    from configurator.catalog.loader import validate_catalog
    from configurator.solver.lint import lint_catalog

    failed = False
    documents: list[dict[str, object]] = []
    for path in paths:
        report = validate_catalog(path)
        if report.catalog is None:
            failed = True
            if as_json:
                documents.append({"path": str(path), "errors": [str(p) for p in report.errors]})
            for problem in () if as_json else report.errors:
                _out().print(str(problem), markup=False)
            continue
        findings = lint_catalog(report.catalog, on=parse_date(on), warnings=report.warnings)
        failed = failed or any(f.severity == "error" for f in findings)
        if as_json:
            documents.append({"path": str(path), "findings": [f.as_dict() for f in findings]})
            continue
        for finding in findings:
            _out().print(str(finding), markup=False)
        _out().print(f"{path}: {len(findings)} findings", markup=False)
    if as_json:
        _out().print(json.dumps(documents, ensure_ascii=False, indent=2), markup=False)
    raise typer.Exit(1 if failed else 0)


def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of catalog and module library files, for YAML editors and CI.

    Save it next to the catalogs (``configurator schema > catalog.schema.json``) and point the editor at it
    (docs/catalog-language.md, Editor set-up).
    """
    from configurator.catalog.schema import catalog_schema

    _out().print(json.dumps(catalog_schema(), indent=2, ensure_ascii=False), markup=False)
