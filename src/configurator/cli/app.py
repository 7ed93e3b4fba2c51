"""The ``configurator`` command line (Typer + Rich).

Exit codes: 0 success, 1 the input is invalid (catalog errors, configuration violations), 2 usage or input
that cannot be read. Every :class:`~configurator.errors.ConfiguratorError` becomes a message, never a traceback.

The command line starts at once: this module and the command groups import only Typer and the errors at load
time; each command imports what it needs (the catalog loader, the solver, the database layer, polars...) when
it runs, and Rich when it first prints (:mod:`configurator.cli.output`).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from configurator.cli.output import err as _err
from configurator.cli.output import out as _out
from configurator.errors import ConfiguratorError

if TYPE_CHECKING:
    from configurator.catalog.loader import LoadReport
    from configurator.solver.session import Weights

__all__ = ["app", "main"]

app = typer.Typer(
    name="configurator",
    help="Product catalogs, valid bundles and personalised quotes, one customer at a time.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _summary(report: LoadReport) -> str:
    cat = report.catalog
    assert cat is not None
    options = sum(len(m.options) for m in cat.modules.values())
    warnings = f", {len(report.warnings)} warnings" if report.warnings else ""
    return (
        f"{report.path}: ok: {cat.catalog} {cat.version}, {len(cat.modules)} modules, {options} options, "
        f"{len(cat.rules)} rules, {len(cat.services)} services{warnings}"
    )


@app.command()
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
            _out().print(_summary(report), markup=False)
        else:
            failed = True
    raise typer.Exit(1 if failed else 0)


@app.command()
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
    from configurator.catalog.configuration import load_configuration
    from configurator.catalog.loader import load_catalog
    from configurator.checker import find_violations

    day = _date(on)
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


def _date(on: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(on) if on else dt.date.today()
    except ValueError:
        raise typer.BadParameter(f"expected a date YYYY-MM-DD, got {on!r}", param_hint="--on") from None


@app.command()
def count(
    path: Annotated[
        Path, typer.Argument(help="A catalog (.yaml), UVL (.uvl), XCSP 2.1 (.xml) file or a CLib folder.")
    ],
    on: Annotated[
        str | None, typer.Option(help="Date for a catalog's effective dates (default: today).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option(min=1, help="Seconds allowed to compile the decision diagram.")
    ] = 60.0,
    max_nodes: Annotated[
        int | None,
        typer.Option(min=1000, help="Most live diagram nodes (default 2,000,000; ~100 bytes each)."),
    ] = None,
) -> None:
    """Print the exact number of valid configurations (a plain integer on the last line)."""
    from configurator.solver import operations

    if path.suffix in (".yaml", ".yml"):
        from configurator.catalog.loader import load_catalog
        from configurator.solver.compile import compile_catalog_problem

        problem = compile_catalog_problem(load_catalog(path), _date(on)).problem
    else:
        from configurator.io import load_model

        problem = load_model(path)
    _out().print(str(operations.count(problem, time_limit=time_limit, max_nodes=max_nodes)), markup=False)


@app.command()
def convert(
    path: Annotated[Path, typer.Argument(help="A UVL, XCSP 2.1, SXFM, FeatureIDE file or a CLib folder.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Catalog YAML to write.")],
    catalog_id: Annotated[
        str | None, typer.Option("--catalog-id", help="Catalog id (default: from the name).")
    ] = None,
    uvl: Annotated[
        bool, typer.Option("--uvl", help="Write UVL instead of a catalog (feature models only).")
    ] = False,
) -> None:
    """Convert an imported model into a catalog YAML (or a feature model back to UVL)."""
    import re

    from configurator.io import dump_problem_catalog, dump_uvl, load_model, load_uvl

    if uvl:
        if path.suffix != ".uvl":
            raise typer.BadParameter("--uvl export needs a .uvl feature model", param_hint="PATH")
        out.write_text(dump_uvl(load_uvl(path)), encoding="utf-8")
    else:
        ident = catalog_id or re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-_") or "model"
        if not ident[0].isalpha():
            ident = "m-" + ident
        out.write_text(dump_problem_catalog(load_model(path), catalog_id=ident), encoding="utf-8")
    _out().print(f"wrote {out}", markup=False)


@app.command()
def lint(
    paths: Annotated[list[Path], typer.Argument(help="Catalog YAML files.")],
    on: Annotated[str | None, typer.Option(help="Date for effective dates (default: today).")] = None,
) -> None:
    """Find void catalogs, dead and false-optional options, redundant rules, unreachable services.

    Missing translations are reported too; exit 1 when an error-level finding exists.
    """
    from configurator.catalog.loader import validate_catalog
    from configurator.lint import lint_catalog

    failed = False
    for path in paths:
        report = validate_catalog(path)
        if report.catalog is None:
            for problem in report.errors:
                _out().print(str(problem), markup=False)
            failed = True
            continue
        findings = lint_catalog(report.catalog, on=_date(on), warnings=report.warnings)
        for finding in findings:
            _out().print(str(finding), markup=False)
        failed = failed or any(f.severity == "error" for f in findings)
        _out().print(f"{path}: {len(findings)} findings", markup=False)
    raise typer.Exit(1 if failed else 0)


@app.command()
def optimize(
    catalog: Annotated[Path, typer.Argument(help="Catalog YAML file.")],
    weights: Annotated[
        Path | None,
        typer.Option(help="Weights YAML: options {module.option: w}, attributes {attr: w}, price: w."),
    ] = None,
    budget: Annotated[str | None, typer.Option(help="Hard limit on the list price.")] = None,
    top: Annotated[int, typer.Option(help="Number of diverse bundles.")] = 1,
    distance: Annotated[int, typer.Option(help="Minimum number of differing choices between bundles.")] = 1,
    on: Annotated[str | None, typer.Option(help="Date for effective dates (default: today).")] = None,
    backend: Annotated[str | None, typer.Option(help="Solver backend (default cpsat).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Find the best bundles for the given weights (default: cheapest), within a budget."""
    from decimal import Decimal, InvalidOperation

    from configurator.catalog.loader import load_catalog
    from configurator.solver.session import ConfigurationSession

    cat = load_catalog(catalog)
    session = ConfigurationSession(cat, on=_date(on), backend=backend)
    w = _weights(weights)
    try:
        limit = Decimal(budget) if budget is not None else None
    except InvalidOperation:
        raise typer.BadParameter(f"expected an amount, got {budget!r}", param_hint="--budget") from None
    bundles = session.top_k(w, top, distance=distance, budget=limit)
    if as_json:
        payload = [
            {
                "status": b.status,
                "utility": b.utility,
                "price": str(b.price),
                "selections": {m: dict(o) for m, o in b.configuration.selections.items()},
            }
            for b in bundles
        ]
        _out().print(json.dumps(payload, indent=2), markup=False)
    else:
        for rank, b in enumerate(bundles, 1):
            chosen = ", ".join(
                f"{m}.{o}" + (f" x{q}" if q > 1 else "") for m, o, q in b.configuration.items()
            )
            _out().print(
                f"{rank}. {b.status} utility={b.utility:g} price={b.price} {cat.currency}: {chosen}",
                markup=False,
            )
        if not bundles:
            _out().print("no configuration fits", markup=False)
    raise typer.Exit(0 if bundles else 1)


def _weights(path: Path | None) -> Weights:
    from configurator.catalog.yamlsource import read_yaml
    from configurator.errors import ConfigurationError
    from configurator.solver.session import Weights

    if path is None:
        return Weights(price=-1.0, scale=100)
    data = read_yaml(path).data or {}
    if not isinstance(data, dict) or set(data) - {"options", "attributes", "price", "scale"}:
        raise ConfigurationError(f"{path}: expected a mapping with options, attributes, price (and scale)")
    try:
        return Weights(
            options={str(k): float(v) for k, v in (data.get("options") or {}).items()},
            attributes={str(k): float(v) for k, v in (data.get("attributes") or {}).items()},
            price=float(data.get("price", 0) or 0),
            scale=int(data.get("scale", 1000)),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigurationError(f"{path}: weights must be numbers: {exc}") from None


@app.command()
def configure(
    catalog: Annotated[Path, typer.Argument(help="Catalog YAML file.")],
    on: Annotated[str | None, typer.Option(help="Date for effective dates (default: today).")] = None,
    customer: Annotated[
        str | None,
        typer.Option(help="A stored customer: recommendations for them, and 'last' to start as before."),
    ] = None,
    database: Annotated[
        str | None, typer.Option("--database", help="Database URL (default: CONFIGURATOR_DATABASE_URL).")
    ] = None,
    tenant: Annotated[str | None, typer.Option(help="Tenant (default: CONFIGURATOR_TENANT).")] = None,
) -> None:
    """Configure interactively: shows valid choices, explains conflicts, offers repairs."""
    from configurator.catalog.loader import load_catalog
    from configurator.cli.configure import returning_customer, run_interactive

    loaded = load_catalog(catalog)
    returning = None
    if customer is not None:
        from configurator.settings import get_settings
        from configurator.storage import SqlStore, ensure_schema

        store = SqlStore(ensure_schema(database), tenant or get_settings().tenant)
        returning = returning_customer(store, customer, loaded)
    run_interactive(loaded, _date(on), _out(), returning=returning)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    catalogs: Annotated[Path, typer.Option(help="Folder of catalog YAML files to serve.")] = Path("catalogs"),
) -> None:
    """Serve the HTTP API (docs/api.md) with uvicorn; needs the ``api`` extra."""
    from configurator.api.__main__ import main as serve_api

    serve_api(["--host", host, "--port", str(port), "--catalogs", str(catalogs)])


@app.command()
def schema() -> None:
    """Print the JSON Schema of the catalog format (for YAML editors)."""
    from configurator.catalog.models import Catalog

    document = Catalog.model_json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "configurator catalog"
    _out().print(json.dumps(document, indent=2, sort_keys=True), markup=False)


def _register_groups() -> None:
    from configurator.cli.customers import customers_app, db_app
    from configurator.cli.quote import quote
    from configurator.cli.value import register
    from configurator.cli_needs import needs_app

    register(customers_app)
    app.add_typer(customers_app, name="customers")
    app.add_typer(db_app, name="db")
    app.add_typer(needs_app, name="needs")
    app.command("quote")(quote)


_register_groups()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; map every ConfiguratorError to a message and exit code 2."""
    try:
        app(args=argv, prog_name="configurator")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except ConfiguratorError as exc:
        _err().print(f"error: {exc}", markup=False)
        return 2
    return 0  # pragma: no cover - Typer always exits


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
