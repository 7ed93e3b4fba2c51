"""Batch ingestion of events from JSON Lines or CSV files: validate one by one, write in idempotent batches.

At-least-once in, exactly-once effect: events are keyed by ``(tenant, event_id)``; a replayed event is counted
as a duplicate and changes nothing, also when several writers ingest overlapping files at once (the store
inserts with ``ON CONFLICT DO NOTHING``). One order id is one purchase: a ``purchased`` event that reuses the
order id of another event (in the same run, or stored) is rejected on ``order_id``, naming the event that has it. Out-of-order timestamps are fine. An invalid event is rejected with
its line number, field and reason while the valid ones around it are kept. Events for erased people are
dropped and counted as suppressed.

Trust (:mod:`configurator.customers.trust`): :func:`ingest` believes its records as far as ``trust`` says, and
by default only ``claimed``: the events are stored as sent, but their traits never change a profile that existed
before (they are recorded as claims for a rep) and never merge two profiles. An operator's file import
(:func:`ingest_file`, ``configurator customers ingest``) is ``verified``: traits update profiles, latest wins.

File formats:

- ``.jsonl`` (or ``.ndjson``): one JSON object per line; blank lines are skipped.
- ``.csv``: a header row; empty cells are absent fields; a column ``a.b`` fills field ``b`` of object ``a``
  (``traits.email``); a cell that starts with ``[`` or ``{`` is read as JSON (``lines``, ``selections``).

Example:
    >>> import io
    >>> text = '{"event_id": "1", "type": "viewed", "anonymous_id": "a", "channel": "web", "ts": "2026-01-01T00:00:00Z"}'
    >>> [(n, r["event_id"]) for n, r in read_records(io.StringIO(text + "\\n\\n"), "jsonl")]
    [(1, '1')]
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from configurator.customers.events import Event, Purchased, validate_event
from configurator.customers.identity import DEFAULT_REGION
from configurator.customers.trust import DEFAULT_TRUST, Trust
from configurator.errors import ConfiguratorError, InvalidEventError

__all__ = [
    "EventSink",
    "IngestReport",
    "Rejection",
    "WriteResult",
    "ingest",
    "ingest_file",
    "order_reused",
    "read_records",
]

Format = Literal["jsonl", "csv"]


@dataclass(frozen=True)
class Rejection:
    """An event that was not accepted: its line (1-based; the header is line 1 in CSV), field and reason."""

    line: int
    field: str
    reason: str
    event_id: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.event_id:
            where += f" (event {self.event_id})"
        return f"{where}: {self.field + ': ' if self.field else ''}{self.reason}"


@dataclass(frozen=True)
class WriteResult:
    """What a store did with a batch: new events, already-stored ones, ones for erased people, refused ones.

    ``refused`` holds ``(event_id, field, reason)`` of each event the store would not write (a purchase reusing
    the order id of another event).
    """

    accepted: int = 0
    duplicates: int = 0
    suppressed: int = 0
    refused: tuple[tuple[str, str, str], ...] = field(default=(), repr=False)


@dataclass
class IngestReport:
    """Counts of one ingestion run, the rejections with reasons, and its duration."""

    read: int = 0
    accepted: int = 0
    duplicates: int = 0
    suppressed: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, result: WriteResult, lines: Mapping[str, int] | None = None) -> None:
        """Add a batch's counts, and its refused events as rejections (``lines``: line number by event id)."""
        self.accepted += result.accepted
        self.duplicates += result.duplicates
        self.suppressed += result.suppressed
        for event_id, where, reason in result.refused:
            self.rejected.append(Rejection((lines or {}).get(event_id, 0), where, reason, event_id))

    def summary(self) -> str:
        """One line: read, accepted, duplicates, rejected, suppressed and rate.

        Example:
            >>> IngestReport(read=3, accepted=2, duplicates=1).summary()
            'read 3, accepted 2, duplicates 1, rejected 0, suppressed 0'
        """
        text = (
            f"read {self.read}, accepted {self.accepted}, duplicates {self.duplicates}, "
            f"rejected {len(self.rejected)}, suppressed {self.suppressed}"
        )
        if self.seconds > 0:
            text += f" in {self.seconds:.2f} s ({self.read / self.seconds:,.0f} events/s)"
        return text


class EventSink(Protocol):
    """Where validated events go. ``write_events`` is one transaction, idempotent by ``(tenant, event_id)``."""

    def write_events(self, events: Sequence[Event], *, trust: Trust = "verified") -> WriteResult:
        """Store new events (and their identity, consent and order effects); skip known and suppressed ones.

        ``claimed`` traits change no existing profile and merge none: they are recorded as claims.
        """
        ...


def _csv_value(cell: str) -> Any:
    text = cell.strip()
    if text[:1] in ("[", "{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return cell
    return cell


def _csv_record(row: dict[str, str | None]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for column, cell in row.items():
        if column is None or cell is None or cell.strip() == "":
            continue
        value = _csv_value(cell)
        target = record
        *parents, leaf = column.strip().split(".")
        for part in parents:
            nested = target.setdefault(part, {})
            if not isinstance(nested, dict):
                break
            target = nested
        else:
            target[leaf] = value
    return record


def read_records(stream: IO[str], fmt: Format) -> Iterator[tuple[int, Any]]:
    """``(line number, parsed record)`` for each record; an unparsable JSON line yields an InvalidEventError."""
    if fmt == "jsonl":
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, InvalidEventError("", f"not valid JSON: {exc.msg} at column {exc.colno}")
        return
    reader = csv.DictReader(stream)
    for row in reader:
        if reader.restkey in row or None in row:
            yield reader.line_num, InvalidEventError("", "more cells than header columns")
            continue
        yield reader.line_num, _csv_record(row)


def _format_of(path: Path) -> Format:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise ConfiguratorError(f"{path}: expected a .jsonl or .csv file, got {suffix or 'no extension'!r}")


def order_reused(order_id: str, event_id: str) -> str:
    """The reason a purchase is refused when its order id is already the purchase ``event_id``.

    Example:
        >>> order_reused("o1", "e1")
        "expected one purchase per order id, got a second one: order 'o1' is event 'e1'"
    """
    return f"expected one purchase per order id, got a second one: order {order_id!r} is event {event_id!r}"


def _order_reused(event: Event, orders: dict[str, str]) -> str | None:
    """Why a purchase reuses an order id seen in this run under another event id (else remember it), or None."""
    if not isinstance(event, Purchased):
        return None
    first = orders.setdefault(event.order_id, event.event_id)
    return None if first == event.event_id else order_reused(event.order_id, first)


def ingest(
    records: Iterable[tuple[int, Any]],
    sink: EventSink,
    *,
    tenant: str,
    region: str | None = DEFAULT_REGION,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    trust: Trust = DEFAULT_TRUST,
) -> IngestReport:
    """Validate records one by one and write the valid ones to ``sink`` in batches.

    Args:
        records: ``(line number, data)`` pairs (see :func:`read_records`); data may be an InvalidEventError.
        sink: the store (one transaction per batch).
        tenant: the tenant of records that do not name one.
        region: default region for phone numbers in traits.
        batch_size: events per transaction.
        progress: called with the number of records handled since the last call.
        trust: how far the records' traits are believed (:mod:`configurator.customers.trust`): ``claimed``
            (the default, for senders nobody vouches for) records differing traits as claims and merges
            nobody; ``verified`` (an operator's import) updates profiles.

    Example:
        >>> class Count:
        ...     def write_events(self, events, *, trust="verified"): return WriteResult(accepted=len(events))
        >>> ok = {"event_id": "1", "type": "review", "customer_id": "c", "channel": "web",
        ...       "ts": "2026-01-01T00:00:00Z", "rating": 4}
        >>> report = ingest([(1, ok), (2, {**ok, "rating": 9}), (3, ok)], Count(), tenant="t")
        >>> report.accepted, report.duplicates, [str(r) for r in report.rejected]
        (1, 1, ['line 2 (event 1): rating: Input should be less than or equal to 5'])
    """
    started = time.perf_counter()
    report = IngestReport()
    batch: list[Event] = []
    seen: dict[tuple[str, str], int] = {}
    orders: dict[str, str] = {}
    pending = 0

    def flush() -> None:
        nonlocal pending
        if batch:
            report.add(
                sink.write_events(batch, trust=trust),
                {event_id: line for (_, event_id), line in seen.items()},
            )
            batch.clear()
            seen.clear()
        if progress is not None and pending:
            progress(pending)
        pending = 0

    for number, data in records:
        report.read += 1
        pending += 1
        event_id = data.get("event_id") if isinstance(data, dict) else None
        if isinstance(data, InvalidEventError):
            report.rejected.append(Rejection(number, data.field, data.reason))
        else:
            try:
                event = validate_event(data, tenant=tenant, region=region)
            except InvalidEventError as exc:
                report.rejected.append(
                    Rejection(number, exc.field, exc.reason, str(event_id) if event_id is not None else None)
                )
            else:
                key = (event.tenant, event.event_id)
                if key in seen:
                    report.duplicates += 1
                elif (problem := _order_reused(event, orders)) is not None:
                    report.rejected.append(Rejection(number, "order_id", problem, event.event_id))
                else:
                    seen[key] = number
                    batch.append(event)
        if len(batch) >= batch_size:
            flush()
    flush()
    report.seconds = time.perf_counter() - started
    return report


def ingest_file(
    path: Path,
    sink: EventSink,
    *,
    tenant: str,
    region: str | None = DEFAULT_REGION,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    trust: Trust = "verified",
) -> IngestReport:
    """Ingest a ``.jsonl`` or ``.csv`` file (see :func:`ingest`); ``progress`` counts records.

    A file is an operator's import, ``verified`` unless ``trust`` says otherwise (pass ``"claimed"`` for a
    file that came from outside, a web form export nobody checked).

    Raises:
        ConfiguratorError: when the file cannot be read or has another extension.
    """
    fmt = _format_of(path)
    try:
        with path.open(encoding="utf-8", newline="" if fmt == "csv" else None) as stream:
            return ingest(
                read_records(stream, fmt),
                sink,
                tenant=tenant,
                region=region,
                batch_size=batch_size,
                progress=progress,
                trust=trust,
            )
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ConfiguratorError(f"{path}: cannot read: {exc}") from None
