"""``configurator test CATALOG``: run the product team's own tests of a catalog, for its CI.

The tests live in a side file next to the catalog (``ebike.yaml`` -> ``ebike.tests.yaml`` or ``ebike.tests.yml``, or ``--tests FILE``);
see :mod:`configurator.assembly.catalog_tests` for the format. Exit codes: 0 every test passed, 1 a test
failed, 2 the catalog or the test file cannot be read (the message names file:line:col).

Example:
    >>> from configurator.cli import main
    >>> main(["test", "catalogs/ebike.yaml", "--tests", "no-such.tests.yaml"])
    2
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from configurator.cli.output import out as _out
from configurator.cli.params import JsonOption

if TYPE_CHECKING:
    from configurator.assembly.catalog_tests import CaseResult

__all__ = ["junit_xml", "run_catalog_tests"]


def junit_xml(suite: str, results: list[CaseResult]) -> str:
    """The results as JUnit XML (one testsuite, one testcase per test; a failure says expected and got)."""
    from xml.sax.saxutils import quoteattr

    failed = sum(not r.passed for r in results)
    rows = [f'<testsuite name={quoteattr(suite)} tests="{len(results)}" failures="{failed}">']
    for r in results:
        head = f"  <testcase classname={quoteattr(suite)} name={quoteattr(r.name)}"
        if r.passed:
            rows.append(head + "/>")
        else:
            message = quoteattr(f"{r.where}: expected {r.expected}, got {r.got}")
            rows.append(f"{head}><failure message={message}/></testcase>")
    rows.append("</testsuite>")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + "\n".join(rows) + "\n"


def run_catalog_tests(
    catalog: Annotated[Path, typer.Argument(help="Catalog YAML file.")],
    tests: Annotated[
        Path | None,
        typer.Option("--tests", help="Test file (default: the side file NAME.tests.yaml or NAME.tests.yml)."),
    ] = None,
    on: Annotated[
        str | None, typer.Option(help="Date for effective dates (default: the file's on:, else today).")
    ] = None,
    as_json: JsonOption = False,
    junit: Annotated[
        Path | None, typer.Option("--junit", help="Also write the results as JUnit XML.")
    ] = None,
) -> None:
    """Run a catalog's tests: valid and invalid configurations, counts and prices; exit 1 when one fails.

    Each test prints one line: PASS or FAIL, its name, and for a failure what was expected and what the
    product gave (for an invalid configuration, the rule that fired).
    """
    from configurator.assembly.catalog_tests import read_tests, run_tests, side_file
    from configurator.catalog.loader import load_catalog
    from configurator.cli.params import parse_date

    day = parse_date(on) if on else None
    suite = read_tests(tests or side_file(catalog))
    loaded = load_catalog(catalog)
    if suite.catalog is not None and suite.catalog != loaded.catalog:
        from configurator.errors import ConfiguratorError

        raise ConfiguratorError(f"{suite.file}: tests for catalog {suite.catalog!r}, got {loaded.catalog!r}")
    results = run_tests(loaded, suite, on=day)
    failed = [r for r in results if not r.passed]
    if junit is not None:
        junit.write_text(junit_xml(loaded.catalog, results), encoding="utf-8")
    console = _out()
    if as_json:
        payload = {
            "catalog": loaded.catalog,
            "file": suite.file,
            "passed": len(results) - len(failed),
            "failed": len(failed),
            "tests": [r.as_dict() for r in results],
        }
        console.print(json.dumps(payload, indent=2), markup=False)
    else:
        for r in results:
            line = (
                f"PASS {r.name}"
                if r.passed
                else f"FAIL {r.name} ({r.where}): expected {r.expected}, got {r.got}"
            )
            console.print(line, markup=False, soft_wrap=True)
        console.print(f"{len(results) - len(failed)} passed, {len(failed)} failed", markup=False)
    if failed:
        raise typer.Exit(1)
