"""``configurator customers ...`` and ``configurator db ...`` commands (identity, events, consent, storage).

Every command takes ``--database`` (default: ``CONFIGURATOR_DATABASE_URL``, else the SQLite file in settings) and
``--tenant`` (default: ``CONFIGURATOR_TENANT``). Commands migrate an empty database on first use; a database at
an older schema revision needs ``configurator db upgrade``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from configurator.cli.output import err as _err
from configurator.cli.output import out as _out
from configurator.cli.params import DatabaseOption, TenantOption

if TYPE_CHECKING:
    from configurator.customers.consent import Purpose
    from configurator.storage import SqlStore

__all__ = ["DEFAULT_REGION", "PURPOSES", "customers_app", "db_app"]

DEFAULT_REGION = "PT"
"""The default of ``--region``: :data:`configurator.customers.identity.DEFAULT_REGION`, kept here so that the
command line starts without loading the identity module (a test checks that the two agree)."""

PURPOSES = ("profiling", "marketing")
"""The consent purposes: :data:`configurator.customers.consent.PURPOSES` (a test checks that the two agree)."""

customers_app = typer.Typer(
    help="Customers: ingest events, identities, consent, export and erase, value.", no_args_is_help=True
)
db_app = typer.Typer(help="Database: migrations.", no_args_is_help=True)

Url = DatabaseOption
Tenant = TenantOption
Region = Annotated[
    str,
    typer.Option(
        "--region", envvar="CONFIGURATOR_PHONE_REGION", help="Region of phone numbers written without +code."
    ),
]
Actor = Annotated[str, typer.Option("--actor", help="Who does this (recorded in the audit log).")]


def _store(url: str | None, tenant: str | None, region: str = DEFAULT_REGION) -> SqlStore:
    from configurator.settings import get_settings
    from configurator.storage import SqlStore, ensure_schema

    return SqlStore(ensure_schema(url), tenant or get_settings().tenant, region=region)


def _print_json(data: Any) -> None:
    _out().print(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str), markup=False)


@db_app.command("upgrade")
def db_upgrade(
    url: Url = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Create or migrate the database schema (Alembic)."""
    from configurator.storage import display_url, make_engine, upgrade

    engine = make_engine(url)
    reached = upgrade(engine, revision)
    _out().print(f"{display_url(engine.url)}: at revision {reached}", markup=False)


@db_app.command("current")
def db_current(url: Url = None) -> None:
    """Print the database's schema revision and the newest one this version knows."""
    from configurator.storage import display_url, make_engine
    from configurator.storage.migrate import current_revision, head_revision

    engine = make_engine(url)
    _out().print(
        f"{display_url(engine.url)}: at revision {current_revision(engine) or 'none'} (head {head_revision()})",
        markup=False,
    )


def _count_records(path: Path) -> int | None:
    try:
        with path.open("rb") as stream:
            lines = sum(1 for line in stream if line.strip())
    except OSError:
        return None
    return max(lines - 1, 0) if path.suffix.lower() == ".csv" else lines


@customers_app.command("ingest")
def ingest_command(
    path: Annotated[Path, typer.Argument(help="Events: a .jsonl or .csv file.", metavar="FILE")],
    tenant: Tenant = None,
    url: Url = None,
    region: Region = DEFAULT_REGION,
    batch_size: Annotated[int, typer.Option(min=1, help="Events per transaction.")] = 500,
    strict: Annotated[bool, typer.Option(help="Exit 1 when any event is rejected.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Ingest events (idempotent by event id); print accepted, duplicates, rejected with reasons, suppressed."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from configurator.customers.ingest import ingest_file

    store = _store(url, tenant, region)
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), console=_err(), transient=True) as bar:
        task = bar.add_task(f"ingesting {path.name}", total=_count_records(path))
        report = ingest_file(
            path,
            store,
            tenant=store.tenant,
            region=region,
            batch_size=batch_size,
            progress=lambda n: bar.advance(task, n),
            trust="verified",  # an operator's import: traits update profiles (latest wins)
        )
    if as_json:
        _print_json(
            {
                "file": str(path),
                "tenant": store.tenant,
                "read": report.read,
                "accepted": report.accepted,
                "duplicates": report.duplicates,
                "suppressed": report.suppressed,
                "rejected": [
                    {"line": r.line, "event_id": r.event_id, "field": r.field, "reason": r.reason}
                    for r in report.rejected
                ],
                "seconds": round(report.seconds, 3),
            }
        )
    else:
        for rejection in report.rejected:
            _out().print(f"{path}: rejected {rejection}", markup=False)
        _out().print(f"{path}: {report.summary()}", markup=False)
    raise typer.Exit(1 if strict and report.rejected else 0)


@customers_app.command("frame")
def frame_command(
    output: Annotated[Path, typer.Argument(help="Where to write: .parquet, .csv or .jsonl/.ndjson.")],
    tenant: Tenant = None,
    url: Url = None,
    consents: Annotated[
        Path | None,
        typer.Option(help="Also write the consents frame (customer_id, profiling, marketing) here."),
    ] = None,
) -> None:
    """Write the events frame (one row per interaction, canonical customer ids) for value and tiers."""
    store = _store(url, tenant)
    targets = [(output, store.events_frame())]
    if consents is not None:
        targets.append((consents, store.consents_frame()))
    written = []
    for path, frame in targets:
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            frame.write_parquet(path)
        elif suffix == ".csv":
            frame.write_csv(path)
        elif suffix in (".jsonl", ".ndjson"):
            frame.write_ndjson(path)
        else:
            raise typer.BadParameter(
                f"expected .parquet, .csv or .jsonl, got {path.name!r}", param_hint="OUTPUT"
            )
        written.append(f"{path} ({frame.height} rows)")
    _out().print("wrote " + ", ".join(written), markup=False)


@customers_app.command("identify")
def identify_command(
    customer_id: Annotated[str | None, typer.Option(help="The shop's customer id.")] = None,
    anonymous_id: Annotated[str | None, typer.Option(help="An anonymous visitor id.")] = None,
    email: Annotated[str | None, typer.Option(help="Email address.")] = None,
    phone: Annotated[str | None, typer.Option(help="Phone number.")] = None,
    name: Annotated[str | None, typer.Option(help="Full name.")] = None,
    address: Annotated[str | None, typer.Option(help="Postal address.")] = None,
    tenant: Tenant = None,
    url: Url = None,
    region: Region = DEFAULT_REGION,
) -> None:
    """Recognise a person by ids and traits; print the canonical customer id and any conflicts."""
    from pydantic import ValidationError

    from configurator.customers.identity import identify
    from configurator.errors import CustomerError

    traits = {
        k: v for k, v in {"email": email, "phone": phone, "name": name, "address": address}.items() if v
    }
    store = _store(url, tenant, region)
    try:
        result = identify(
            store, customer_id=customer_id, anonymous_id=anonymous_id, traits=traits, region=region
        )
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"])
        raise CustomerError(f"{field}: {str(first['msg']).removeprefix('Value error, ')}") from None
    _out().print(
        f"customer {result.customer_id or '(anonymous)'}" + (" (new)" if result.created else ""), markup=False
    )
    for merged in result.merged:
        _out().print(f"merged generated profile {merged}", markup=False)
    for conflict in result.conflicts:
        _out().print(
            f"conflict: {conflict.kind} belongs to customer {conflict.owner} (not merged)", markup=False
        )


@customers_app.command("search")
def search_command(
    query: Annotated[str, typer.Argument(help="A name, email, phone, company or customer id.")],
    tenant: Tenant = None,
    url: Url = None,
    region: Region = DEFAULT_REGION,
    limit: Annotated[int, typer.Option(min=1, max=50, help="Most hits (1 to 50).")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON.")] = False,
) -> None:
    """Find customers by name, email, phone, company or id; print ids best first with what matched."""
    hits = _store(url, tenant, region).search_customers(query, limit=limit)
    if as_json:
        _print_json(
            [
                {
                    "customer_id": h.customer_id,
                    "display_name": h.display_name,
                    "matched": {"kind": h.kind, "value": h.value},
                    "score": h.score,
                }
                for h in hits
            ]
        )
        return
    if not hits:
        _out().print(f"no customer matches {query!r}", markup=False)
        return
    for h in hits:
        name = f"  {h.display_name}" if h.display_name and h.kind not in ("name", "company") else ""
        _out().print(f"{h.customer_id}  {h.kind}: {h.value}  ({h.score:.1f}){name}", markup=False)


@customers_app.command("export")
def export_command(
    customer_id: Annotated[str, typer.Argument(help="Customer id (a merged id resolves to its person).")],
    tenant: Tenant = None,
    url: Url = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file.")] = None,
) -> None:
    """Print everything held on a person as JSON (profiles, identifiers, events, orders, audit, mentions, files)."""
    from configurator.customers.consent import export_person

    data = export_person(_store(url, tenant), customer_id)
    if output is None:
        _print_json(data)
    else:
        output.write_text(
            json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        _out().print(f"wrote {output}", markup=False)


@customers_app.command("erase")
def erase_command(
    customer_id: Annotated[str, typer.Argument(help="Customer id (a merged id resolves to its person).")],
    tenant: Tenant = None,
    url: Url = None,
    actor: Actor = "cli",
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a person's data, events, mentions in others' records and quote files; keep keyed suppression hashes.

    Needs CONFIGURATOR_SECRET_KEY (suppression hashes and the token are HMACs under it). Prints the rows
    deleted, anonymised and scrubbed (``*_mentions``) per table and the quote files removed; a file that
    could not be removed is listed on stderr (remove it by hand) and the exit code is 1.
    """
    from configurator.customers.consent import erase_person

    store = _store(url, tenant)
    if not yes and not typer.confirm(f"Erase customer {customer_id} and all their data?", err=True):
        raise typer.Exit(1)
    report = erase_person(store, customer_id, actor=actor)
    rows = ", ".join(f"{table} {n}" for table, n in sorted(report.rows.items()) if n)
    _out().print(
        f"erased {customer_id} as {report.token}: {report.profiles} profiles, "
        f"{report.suppressed} identifiers suppressed; rows: {rows or 'none'}",
        markup=False,
    )
    for path in report.files_removed:
        _out().print(f"removed quote file {path}", markup=False)
    for path in report.files_left:
        _err().print(f"could not remove quote file {path}: remove it by hand", markup=False)
    if report.files_left:
        raise typer.Exit(1)


@customers_app.command("purge")
def purge_command(
    before: Annotated[
        str | None,
        typer.Option(help="Purge every event before this date (YYYY-MM-DD); default: the retention setting."),
    ] = None,
    types: Annotated[
        list[str] | None,
        typer.Option("--type", help="Only this event type (repeat for more); with --before."),
    ] = None,
    tenant: Tenant = None,
    url: Url = None,
    actor: Actor = "cli",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count only; change nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Delete old events, or anonymise those the value tiers still count (free text and traits go, measures stay).

    Without --before, each type's period comes from CONFIGURATOR_RETENTION (type=days pairs).
    """
    import datetime as dt

    from configurator.cli.params import parse_date
    from configurator.customers.events import EVENT_TYPES
    from configurator.customers.retention import RetentionPolicy, tier_window
    from configurator.errors import ConfiguratorError
    from configurator.settings import get_settings

    now = dt.datetime.now(dt.UTC)
    if before is not None:
        day = parse_date(before)
        unknown = sorted(set(types or ()) - set(EVENT_TYPES))
        if unknown:
            raise ConfiguratorError(
                f"--type: expected one of {', '.join(EVENT_TYPES)}, got {', '.join(unknown)}"
            )
        cut = dt.datetime.combine(day, dt.time(), dt.UTC)
        cutoffs = {kind: cut for kind in (types or EVENT_TYPES)}
    else:
        if types:
            raise ConfiguratorError("--type: only with --before (the retention setting names its own types)")
        policy = RetentionPolicy.parse(get_settings().retention)
        if not policy.days:
            raise ConfiguratorError(
                "nothing to purge: give --before DATE, or set CONFIGURATOR_RETENTION (e.g. viewed=365,configured=730)"
            )
        cutoffs = policy.cutoffs(now)
    result = _store(url, tenant).purge_events(
        cutoffs, at=now, keep_after=tier_window(now), actor=actor, dry_run=dry_run
    )
    if as_json:
        _print_json({"dry_run": dry_run, "deleted": result.deleted, "anonymised": result.anonymised})
        return
    said = ", ".join(f"{k} {n}" for k, n in sorted(result.deleted.items())) or "none"
    kept = ", ".join(f"{k} {n}" for k, n in sorted(result.anonymised.items())) or "none"
    verb = "would delete" if dry_run else "deleted"
    _out().print(f"{verb}: {said}; {'would anonymise' if dry_run else 'anonymised'}: {kept}", markup=False)


@customers_app.command("merge")
def merge_command(
    winner: Annotated[str, typer.Argument(help="The customer id that stays.")],
    loser: Annotated[str, typer.Argument(help="The customer id merged into it.")],
    reason: Annotated[str, typer.Option(help="Why they are the same person (audited).")] = "",
    tenant: Tenant = None,
    url: Url = None,
    actor: Actor = "cli",
) -> None:
    """Merge two profiles found to be the same person (audited)."""
    from configurator.customers.identity import merge

    result = merge(_store(url, tenant), winner, loser, actor=actor, reason=reason)
    _out().print(
        f"merged {result.loser} into {result.winner} ({result.identifiers_moved} identifiers moved)",
        markup=False,
    )


@customers_app.command("duplicates")
def duplicates_command(
    tenant: Tenant = None,
    url: Url = None,
    threshold: Annotated[float, typer.Option(help="Minimum combined score (0-100).")] = 85.0,
    name_threshold: Annotated[float, typer.Option(help="Minimum name score (0-100).")] = 88.0,
) -> None:
    """Suggest possible duplicates by fuzzy name and address, for a person to confirm with `merge`."""
    from rich.table import Table

    from configurator.customers.identity import suggest_duplicates

    store = _store(url, tenant)
    profiles = {p.customer_id: p for p in store.canonical_profiles()}
    found = suggest_duplicates(list(profiles.values()), name_threshold=name_threshold, threshold=threshold)
    if not found:
        _out().print("no candidate duplicates", markup=False)
        return
    table = Table(title="Candidate duplicates (confirm with `configurator customers merge A B`)")
    for column in ("a", "b", "score", "name", "address"):
        table.add_column(column)
    for c in found:
        table.add_row(
            c.a,
            c.b,
            f"{c.score:.1f}",
            f"{profiles[c.a].name} / {profiles[c.b].name} ({c.name_score:.0f})",
            "-" if c.address_score is None else f"{c.address_score:.0f}",
        )
    _out().print(table)


@customers_app.command("consent")
def consent_command(
    customer_id: Annotated[str, typer.Argument(help="Customer id.")],
    purpose: Annotated[str, typer.Argument(help=f"One of: {', '.join(PURPOSES)}.")],
    grant: Annotated[bool, typer.Option("--grant/--deny", help="Grant, or deny / object.")],
    tenant: Tenant = None,
    url: Url = None,
    actor: Actor = "cli",
) -> None:
    """Record consent for a purpose (``--deny profiling`` records an objection to profiling)."""
    from configurator.customers.consent import record_consent

    if purpose not in PURPOSES:
        raise typer.BadParameter(
            f"expected one of {', '.join(PURPOSES)}, got {purpose!r}", param_hint="PURPOSE"
        )
    chosen: Purpose = "profiling" if purpose == "profiling" else "marketing"
    record_consent(_store(url, tenant), customer_id, chosen, grant, source="cli", actor=actor)
    _out().print(f"{customer_id}: {purpose} {'granted' if grant else 'denied'}", markup=False)
