"""Value commands added to ``configurator customers``: ``fit-clv`` and ``tiers``.

``fit-clv SUMMARY.csv`` fits BG/NBD (and Gamma-Gamma when the file has a spend column) and prints one
``name value`` line per parameter. ``tiers --events FILE`` assigns every customer in an events file
(Parquet, CSV or JSON lines with the columns of the events frame) a tier and prints the reason; ``--json``
prints every number behind each assignment. Without ``--events`` it reads the database's event log.

``tiers --refresh`` recomputes the database's **tier snapshot**, the tiers that every customer, bundle and
quote request reads (requests never refit), and prints a summary: customers per tier, when, in how long.
Run it on a schedule (and after a large ingest). Without ``--refresh`` the command stays what it was, a
read-only analysis: it computes the tiers and prints every customer's, storing nothing, so trying other
thresholds (``--config``), another ``--as-of`` or an events file never changes what requests serve.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from configurator.cli.params import DatabaseOption, TenantOption

if TYPE_CHECKING:
    import polars as pl

    from configurator.customers.tiers import TierConfig

__all__ = ["SPEND_COLUMNS", "read_events", "register"]

SPEND_COLUMNS = ("monetary_value", "monetary", "spend")
"""Column names accepted for the mean value of the repeat purchases in a summary file."""


def register(app: typer.Typer) -> None:
    """Add the value commands to the ``customers`` command group."""
    app.command("fit-clv")(fit_clv)
    app.command("tiers")(tiers)


def fit_clv(
    summary: Annotated[
        Path,
        typer.Argument(
            help="CSV with frequency, recency, T (one row per customer) and optionally monetary_value.",
            exists=True,
            dir_okay=False,
        ),
    ],
) -> None:
    """Fit BG/NBD (and Gamma-Gamma with a spend column); print r, alpha, a, b (p, q, gamma), one per line."""
    import polars as pl

    from configurator.customers.value import BGNBDModel, ConvergenceWarning, GammaGammaModel

    try:
        frame = pl.read_csv(summary, infer_schema_length=10_000)
    except (pl.exceptions.PolarsError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"{summary}: cannot read as CSV: {exc}", param_hint="SUMMARY") from None
    missing = [c for c in ("frequency", "recency", "T") if c not in frame.columns]
    if missing:
        raise typer.BadParameter(
            f"{summary}: expected columns frequency, recency, T; missing {', '.join(missing)} "
            f"(found {', '.join(frame.columns)})",
            param_hint="SUMMARY",
        )
    spend = next((c for c in SPEND_COLUMNS if c in frame.columns), None)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            columns = {c: frame[c].cast(pl.Float64).to_numpy() for c in ("frequency", "recency", "T")}
            params = BGNBDModel().fit(columns["frequency"], columns["recency"], columns["T"]).params_
            if spend is not None:
                money = frame[spend].cast(pl.Float64).fill_null(0.0).to_numpy()
                params |= GammaGammaModel().fit(columns["frequency"], money).params_
    except (ValueError, pl.exceptions.PolarsError) as exc:
        raise typer.BadParameter(f"{summary}: {exc}", param_hint="SUMMARY") from None
    for warning in caught:
        typer.echo(f"warning: {warning.message}", err=True)
    for name, value in params.items():
        typer.echo(f"{name} {value:.6f}")


def tiers(
    events: Annotated[
        Path | None,
        typer.Option(
            help="Events file (.parquet, .csv, .jsonl/.ndjson) with the events-frame columns.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Count events up to this date (whole UTC day) or ISO datetime (default: the latest event).",
        ),
    ] = None,
    objections: Annotated[
        Path | None,
        typer.Option(help="File of customer ids who objected to profiling, one per line.", exists=True),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help="YAML or JSON mapping of tier thresholds (TierConfig fields).", exists=True),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every assignment with its numbers as JSON.")
    ] = False,
    database: DatabaseOption = None,
    tenant: TenantOption = None,
    refresh: Annotated[
        bool,
        typer.Option(
            "--refresh",
            help="Recompute and store the database's tier snapshot (what requests read); print a summary.",
        ),
    ] = False,
) -> None:
    """Assign every customer a tier (mvc, mgc, standard, below_zero) and print why.

    Reads the event log from the database (with each customer's profiling consent) unless ``--events`` names a
    file. ``--refresh`` stores the result as the tier snapshot that requests read and prints a summary.
    """
    from configurator.customers.tiers import TierAssigner

    excluded = _objections(objections)
    if refresh:
        if events is not None:
            raise typer.BadParameter(
                "the snapshot is computed from the database's event log, not a file", param_hint="--events"
            )
        _refresh(
            database,
            tenant,
            as_of=_as_of(as_of),
            objections=excluded,
            config=_config(config),
            as_json=as_json,
        )
        return
    if events is None:
        from configurator.settings import get_settings
        from configurator.storage import SqlStore
        from configurator.storage.migrate import ensure_schema

        settings = get_settings()
        store = SqlStore(ensure_schema(database or settings.database_url), tenant or settings.tenant)
        frame = store.events_frame()
        known = set(frame["customer_id"].drop_nulls().to_list())
        excluded = set(excluded) | (known - store.profiling_allowed())
    else:
        frame = read_events(events)
    assigner = TierAssigner(_config(config)).fit(frame, as_of=_as_of(as_of), objections=excluded)
    result = assigner.assignments_
    for note in assigner.notes_:
        typer.echo(f"note: {note}", err=True)
    if as_json:
        typer.echo(json.dumps([_jsonable(row) for row in result.iter_rows(named=True)], indent=2))
        return
    several = result["tenant"].n_unique() > 1
    for row in result.iter_rows(named=True):
        who = f"{row['tenant']}/{row['customer_id']}" if several else row["customer_id"]
        typer.echo(f"{who}\t{row['tier']}\t{row['reason']}")
    counts = dict(result.group_by("tier").len().iter_rows())
    typer.echo(
        f"{result.height} customers: "
        + ", ".join(f"{tier} {counts.get(tier, 0)}" for tier in ("mvc", "mgc", "standard", "below_zero")),
        err=True,
    )


def _refresh(
    database: str | None,
    tenant: str | None,
    *,
    as_of: dt.date | dt.datetime | None,
    objections: set[str],
    config: TierConfig,
    as_json: bool,
) -> None:
    """Refresh the tier snapshot of the tenant and print what was stored."""
    from configurator.settings import get_settings
    from configurator.storage import SqlStore
    from configurator.storage.migrate import ensure_schema

    settings = get_settings()
    store = SqlStore(ensure_schema(database or settings.database_url), tenant or settings.tenant)
    summary = store.refresh_tiers(config=config, as_of=as_of, objections=objections)
    for note in summary.notes:
        typer.echo(f"note: {note}", err=True)
    if as_json:
        data = {
            "tenant": store.tenant,
            "refresh_id": summary.refresh_id,
            "computed_at": summary.computed_at.isoformat(),
            "as_of": summary.as_of.isoformat(),
            "customers": summary.customers,
            "seconds": round(summary.seconds, 3),
        }
        typer.echo(json.dumps(data, indent=2))
        return
    counts = ", ".join(f"{tier} {n}" for tier, n in summary.customers.items())
    typer.echo(
        f"tier snapshot of tenant {store.tenant} refreshed: {summary.total} customers ({counts}); "
        f"events before {summary.as_of.isoformat()}; computed at {summary.computed_at.isoformat()} "
        f"in {summary.seconds:.2f} s"
    )


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}


def _as_of(text: str | None) -> dt.date | dt.datetime | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"expected a date YYYY-MM-DD or an ISO datetime, got {text!r}", param_hint="--as-of"
        ) from None


def _objections(path: Path | None) -> set[str]:
    if path is None:
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def _config(path: Path | None) -> TierConfig:
    import yaml
    from pydantic import ValidationError

    from configurator.customers.tiers import TierConfig

    if path is None:
        return TierConfig()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return TierConfig.model_validate(data)
    except (yaml.YAMLError, ValidationError) as exc:
        raise typer.BadParameter(f"{path}: {exc}", param_hint="--config") from None


def read_events(path: Path) -> pl.DataFrame:
    """Read an events file into the events-frame contract: types cast, ``ts`` in UTC, duplicates dropped.

    Parquet, CSV and JSON lines are accepted. Optional columns that are missing are filled (numbers with 0,
    the rest with null; ``tenant`` with the configured tenant). Events repeated with the same tenant and
    event id count once (the first), as ingestion would.
    """
    import polars as pl

    from configurator.customers.tiers import EVENT_COLUMNS
    from configurator.settings import get_settings

    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
        elif suffix == ".csv":
            frame = pl.read_csv(path, infer_schema_length=0)  # all strings; cast below
        elif suffix in (".jsonl", ".ndjson", ".json"):
            frame = pl.read_ndjson(path, infer_schema_length=None)
        else:
            raise typer.BadParameter(
                f"{path}: expected a .parquet, .csv or .jsonl file, got {suffix or 'no suffix'!r}",
                param_hint="--events",
            )
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"{path}: cannot read: {exc}", param_hint="--events") from None
    missing = [c for c in ("customer_id", "type", "ts") if c not in frame.columns]
    if missing:
        raise typer.BadParameter(
            f"{path}: missing columns {', '.join(missing)} (expected {', '.join(EVENT_COLUMNS)})",
            param_hint="--events",
        )
    defaults: dict[str, Any] = {"tenant": get_settings().tenant, "amount": 0.0, "margin": 0.0, "cost": 0.0}
    columns = []
    for name, dtype in EVENT_COLUMNS.items():
        if name not in frame.columns:
            columns.append(pl.lit(defaults.get(name), dtype).alias(name))
        elif name == "ts" and frame.schema[name] == pl.String:
            columns.append(pl.col(name).str.to_datetime(time_unit="us", time_zone="UTC").alias(name))
        elif name == "ts":
            ts = pl.col(name)
            zone = getattr(frame.schema[name], "time_zone", None)
            ts = ts.dt.replace_time_zone("UTC") if zone is None else ts.dt.convert_time_zone("UTC")
            columns.append(ts.cast(dtype).alias(name))
        elif name == "converted" and frame.schema[name] == pl.String:
            columns.append(
                pl.col(name)
                .str.to_lowercase()
                .replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean)
                .alias(name)
            )
        else:
            columns.append(pl.col(name).cast(dtype).alias(name))
    try:
        result = frame.select(columns)
    except pl.exceptions.PolarsError as exc:
        raise typer.BadParameter(f"{path}: {exc}", param_hint="--events") from None
    if result["event_id"].null_count() < result.height:
        keyed = result.filter(pl.col("event_id").is_not_null()).unique(
            ["tenant", "event_id"], keep="first", maintain_order=True
        )
        result = pl.concat([keyed, result.filter(pl.col("event_id").is_null())])
    return result
