"""Solver commands: ``count``, ``convert`` and ``optimize``.

``count`` prints the exact number of valid configurations of a catalog or an imported model (UVL, XCSP3,
XCSP 2.1, CLib...); ``convert`` turns an imported model into a catalog YAML (or a feature model back into UVL);
``optimize`` finds the best bundles for given weights within a budget. The solver and the importers are
imported when a command runs.

Example:
    >>> from configurator.cli import main
    >>> main(["convert", "model.xml", "--output", "model.uvl", "--uvl"])  # a usage error: exit code 2
    2
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from configurator.cli.output import out as _out
from configurator.cli.params import parse_date
from configurator.errors import ConfigurationError

if TYPE_CHECKING:
    from configurator.solver.session import Weights

__all__ = ["convert", "count", "optimize", "read_weights"]

_LENIENT = (
    "UVL: keep going past constructs outside the Boolean core (typed features, cardinalities, arithmetic), "
    "keeping features as Boolean ones and dropping the rest; each is listed on standard error."
)


def _skipped(unsupported: object) -> None:
    """Tell on standard error what a lenient import kept as Boolean or dropped (each construct, one line)."""
    for construct in unsupported if isinstance(unsupported, (list, tuple)) else ():
        typer.echo(f"warning: {construct}", err=True)


def count(
    path: Annotated[
        Path,
        typer.Argument(
            help="A catalog (.yaml), UVL (.uvl), XCSP3 or XCSP 2.1 (.xml, .xml.xz) file or a CLib folder."
        ),
    ],
    on: Annotated[
        str | None, typer.Option(help="Date for a catalog's effective dates (default: today).")
    ] = None,
    time_limit: Annotated[
        float, typer.Option(min=1, help="Seconds allowed for counting (every engine together).")
    ] = 60.0,
    max_nodes: Annotated[
        int | None,
        typer.Option(
            min=1000, help="Most live decision-diagram nodes (default 8,000,000; about 100 bytes each)."
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the count, the engine, its seconds and every try as JSON.")
    ] = False,
    lenient: Annotated[bool, typer.Option("--lenient", help=_LENIENT)] = False,
) -> None:
    """Print the exact number of valid configurations (a plain integer on the last line) and the engine that counted.

    The decision diagram or Ganak (#SAT) counts, chosen by the model's shape, raced or one after the other.
    """
    from configurator.solver import operations

    if path.suffix in (".yaml", ".yml"):
        from configurator.catalog.loader import load_catalog
        from configurator.solver.compile import compile_catalog_problem

        problem = compile_catalog_problem(load_catalog(path), parse_date(on)).problem
    else:
        from configurator.io import load_model

        problem = load_model(path, lenient=lenient)
        _skipped(problem.meta.get("unsupported", ()))
    from configurator.solver.counting import exact_text

    result = operations.count_detail(problem, time_limit=time_limit, max_nodes=max_nodes)
    if as_json:
        _out().print(json.dumps(result.as_dict(), indent=2), markup=False)
        return
    _out().print(f"engine: {result.engine} ({result.seconds:.2f} s; {result.reason})", markup=False)
    _out().print(exact_text(result.count), markup=False)


def convert(
    path: Annotated[
        Path, typer.Argument(help="A UVL, XCSP3, XCSP 2.1, SXFM, FeatureIDE file or a CLib folder.")
    ],
    out: Annotated[Path, typer.Option("--output", "-o", help="Catalog YAML to write.")],
    catalog_id: Annotated[
        str | None, typer.Option("--catalog-id", help="Catalog id (default: from the name).")
    ] = None,
    uvl: Annotated[
        bool, typer.Option("--uvl", help="Write UVL instead of a catalog (feature models only).")
    ] = False,
    lenient: Annotated[bool, typer.Option("--lenient", help=_LENIENT)] = False,
) -> None:
    """Convert an imported model into a catalog YAML (or a feature model back to UVL)."""
    import re

    from configurator.io import dump_problem_catalog, dump_uvl, load_model, load_uvl

    if uvl:
        if path.suffix != ".uvl":
            raise typer.BadParameter("--uvl export needs a .uvl feature model", param_hint="PATH")
        model = load_uvl(path, lenient=lenient)
        _skipped(model.unsupported)
        out.write_text(dump_uvl(model), encoding="utf-8")
    else:
        stem = path.stem.lower()
        if path.suffix.lower() == ".xz":  # model.xml.xz: the id comes from "model"
            stem = stem.removesuffix(".xml")
        ident = catalog_id or re.sub(r"[^a-z0-9_-]+", "-", stem).strip("-_") or "model"
        if not ident[0].isalpha():
            ident = "m-" + ident
        problem = load_model(path, lenient=lenient)
        _skipped(problem.meta.get("unsupported", ()))
        out.write_text(dump_problem_catalog(problem, catalog_id=ident), encoding="utf-8")
    _out().print(f"wrote {out}", markup=False)


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
    session = ConfigurationSession(cat, on=parse_date(on), backend=backend)
    w = read_weights(weights)
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


def read_weights(path: Path | None) -> Weights:
    """The objective weights of ``optimize --weights FILE``; without a file, the cheapest bundle first.

    Args:
        path: a YAML mapping with ``options`` (``{module.option: w}``), ``attributes`` (``{attr: w}``),
            ``price`` and ``scale``; or ``None``.

    Returns:
        The weights (default: price -1, scale 100).

    Raises:
        ConfigurationError: the file is not such a mapping, or a weight is not a number.

    Example:
        >>> read_weights(None).price
        -1.0
    """
    from configurator.catalog.yamlsource import read_yaml
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
