"""``configurator analytics CATALOG``: demand for a catalog's options in the stored events, for product teams.

Prints plain-text tables (``--json``: one JSON object) and writes an HTML report with charts (``--html FILE``,
default ``out/analytics-<catalog>.html``): demand per option and module by value tier and channel, options
demanded but ruled out (with the rule), options no longer in the catalog, the conflicts customers hit most and
the repairs they took, options never chosen. See :mod:`configurator.assembly.analytics` for what counts.

The analysis loads polars and the checker, the report matplotlib (the ``analytics`` extra), all when the
command runs. Without matplotlib the tables still print and the default report is skipped with the install
command; an explicit ``--html`` then fails.

Example:
    >>> from configurator.cli import main
    >>> main(["analytics", "catalogs/ebike.yaml", "--since", "May"])
    2
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from configurator.cli.output import err as _err
from configurator.cli.output import out as _out
from configurator.cli.params import DatabaseOption, JsonOption, TenantOption

if TYPE_CHECKING:
    import polars as pl

    from configurator.assembly.analytics import DemandReport

__all__ = ["analytics", "text_report"]


def _lines(title: str, frame: pl.DataFrame, columns: list[str] | None = None) -> list[str]:
    """A titled plain-text table, columns aligned (numbers to the right)."""
    frame = frame.select(columns) if columns else frame
    lines = ["", f"{title} ({frame.height})"]
    if frame.is_empty():
        return [*lines, "  none"]
    cells = [[str(c) for c in frame.columns]] + [
        ["" if v is None else str(v) for v in row] for row in frame.rows()
    ]
    numeric = [dtype.is_numeric() for dtype in frame.dtypes]
    widths = [max(len(row[i]) for row in cells) for i in range(len(frame.columns))]
    for row in cells:
        parts = [v.rjust(w) if n else v.ljust(w) for v, w, n in zip(row, widths, numeric, strict=True)]
        lines.append("  " + "  ".join(parts).rstrip())
    return lines


def _wide(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """One row per option, one column per tier or channel."""
    if frame.is_empty():
        return frame.select("option")
    columns = sorted(frame[by].unique().to_list())
    wide = frame.pivot(on=by, index="option", values="demand").fill_null(0)
    return wide.select("option", *columns).sort("option")


def text_report(report: DemandReport) -> str:
    """The report as plain-text tables."""
    since = f", since {report.since}" if report.since else ""
    lines = [
        f"Demand for {report.catalog} (tenant {report.tenant}{since}): "
        f"{report.events} events, {report.customers} customers"
    ]
    lines += _lines("Demand per module", report.module_demand())
    lines += _lines("Demand per option", report.option_demand().drop("module"))
    lines += _lines("Demand per option by value tier", _wide(report.split("tier"), "tier"))
    lines += _lines("Demand per option by channel", _wide(report.split("channel"), "channel"))
    lines += _lines(
        "Options demanded but ruled out",
        report.ruled_out(),
        ["option", "rule_id", "kind", "times", "customers"],
    )
    lines += _lines("Options no longer in the catalog", report.unknown_options())
    lines += _lines("Conflicts customers hit most", report.conflicts())
    lines += _lines("Repairs customers took", report.repairs())
    never = report.never_chosen()
    lines += ["", f"Options never chosen ({len(never)} of {len(report.options)})"]
    lines += [f"  {', '.join(never)}" if never else "  none"]
    return "\n".join(lines)


def analytics(
    catalog: Annotated[Path, typer.Argument(help="Catalog YAML file.")],
    database: DatabaseOption = None,
    tenant: TenantOption = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Count events from this day on (YYYY-MM-DD).")
    ] = None,
    as_json: JsonOption = False,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Write the HTML report here (default: out/analytics-<catalog>.html)."),
    ] = None,
) -> None:
    """Demand for a catalog's options: per option and module, by tier and channel, ruled out, never chosen."""
    import datetime as dt

    from configurator.assembly.analytics import demand_report
    from configurator.catalog.loader import load_catalog
    from configurator.settings import get_settings
    from configurator.storage import SqlStore, ensure_schema

    try:
        day = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise typer.BadParameter(f"expected a date YYYY-MM-DD, got {since!r}", param_hint="--since") from None
    loaded = load_catalog(catalog)
    store = SqlStore(ensure_schema(database), tenant or get_settings().tenant)
    report = demand_report(store, loaded, since=day)
    target = html or Path("out") / f"analytics-{loaded.catalog}.html"
    written = _write_html(report, target, required=html is not None)
    if as_json:
        data: dict[str, Any] = {**report.as_dict(), "html": str(written) if written else None}
        _out().print(json.dumps(data, indent=2, default=str), markup=False, soft_wrap=True)
        return
    _out().print(text_report(report), markup=False, soft_wrap=True, highlight=False)
    if written:
        _out().print(f"\nwrote {written}", markup=False, soft_wrap=True)


def _write_html(report: DemandReport, target: Path, *, required: bool) -> Path | None:
    """Write the HTML report; without matplotlib, skip the default one (with the hint) or fail an explicit one."""
    try:
        from configurator.quoting.demand_report import render_html

        page = render_html(report)
    except ModuleNotFoundError as exc:
        if required:
            raise typer.BadParameter(str(exc), param_hint="--html") from None
        _err().print(f"skipped the HTML report: {exc}", markup=False)
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return target
