"""Demand analytics for product teams: what customers want of a catalog, what its rules forbid, what nobody picks.

:func:`demand_report` reads a tenant's stored events of one catalog and judges them with the product's own
checker (:func:`~configurator.catalog.check.find_violations`):

- **demand**: one mention per chosen option of a ``configured`` event, a ``quote_requested`` event with
  selections and each ``purchased`` line of the catalog with selections, and per ``stated_need`` of the form
  ``option:MODULE.OPTION`` (a true or empty value); each mention carries the event's channel and the customer's
  value tier from the stored tier snapshot (``standard`` for a customer without a snapshot row, as requests read
  it);
- **ruled out**: options chosen or stated that a rule forbids together with the customer's other choices,
  naming the rule; a stated option is judged with the customer's latest configuration of the catalog before the
  statement. A rule counts only when every module it speaks of has a choice (``excludes`` rules always): a
  rule broken because a module is still empty is a configuration in progress, not a conflict;
- **unknown**: options (or modules) the events name that the catalog no longer has;
- **conflicts and repairs**: for each ``configured`` event that breaks rules, the same customer's next
  ``configured`` event of the catalog; when it no longer breaks a rule, the choices dropped and added are the
  repair taken for that rule;
- **never chosen**: catalog options no event chose (stated needs do not count as a choice).

The store is reached through :class:`DemandSource` (``SqlStore`` is one): the events frame gives the canonical
customer, channel and time of every event, the payloads give the selections.

Example:
    >>> from configurator.customers.events import validate_event
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> from configurator.catalog.models import Catalog
    >>> catalog = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}},
    ...                 "motor": {"choose": {"min": 0, "max": 1}, "options": {"hub": {}}}},
    ...     "rules": [{"id": "carbon-no-hub", "excludes": ["frame.carbon", "motor.hub"]}]})
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine); store = SqlStore(engine, "shop")
    >>> def configured(event_id, minute, selections):
    ...     return validate_event({"event_id": event_id, "type": "configured", "customer_id": "ann",
    ...         "channel": "web", "ts": f"2026-05-01T12:{minute:02}:00Z", "catalog": "bike",
    ...         "complete": True, "selections": selections}, tenant="shop")
    >>> _ = store.write_events([configured("e1", 1, {"frame": "carbon", "motor": "hub"}),
    ...                         configured("e2", 2, {"frame": "alu", "motor": "hub"})])
    >>> report = demand_report(store, catalog)
    >>> report.option_demand().select("option", "demand").rows()
    [('frame.alu', 1), ('frame.carbon', 1), ('motor.hub', 2)]
    >>> report.ruled_out().select("option", "rule_id", "times").rows()
    [('frame.carbon', 'carbon-no-hub', 1), ('motor.hub', 'carbon-no-hub', 1)]
    >>> report.repairs().select("rule_id", "dropped", "added").rows()
    [('carbon-no-hub', 'frame.carbon', 'frame.alu')]
    >>> report.never_chosen()
    []
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import polars as pl

from configurator.catalog.check import Violation, find_violations
from configurator.catalog.compiled import compiled
from configurator.catalog.models import Catalog
from configurator.customers.events import Configured, Event, Purchased, QuoteRequested, StatedNeed
from configurator.rules.evaluate import references

__all__ = [
    "DEMAND_TYPES",
    "DemandReport",
    "DemandSource",
    "demand_report",
]

DEMAND_TYPES = ("configured", "quote_requested", "purchased", "stated_need")
"""The event types that carry demand for options."""

MENTION_SCHEMA: Mapping[str, pl.DataType] = {
    "event_id": pl.Utf8(),
    "customer_id": pl.Utf8(),
    "type": pl.Utf8(),
    "channel": pl.Utf8(),
    "tier": pl.Utf8(),
    "ts": pl.Datetime("us", "UTC"),
    "module": pl.Utf8(),
    "option": pl.Utf8(),
    "known": pl.Boolean(),
}
"""One row per option an event chose or stated (``option`` is ``module.option``)."""

VIOLATION_SCHEMA: Mapping[str, pl.DataType] = {
    "event_id": pl.Utf8(),
    "customer_id": pl.Utf8(),
    "type": pl.Utf8(),
    "channel": pl.Utf8(),
    "tier": pl.Utf8(),
    "rule_id": pl.Utf8(),
    "kind": pl.Utf8(),
    "message": pl.Utf8(),
    "option": pl.Utf8(),
}
"""One row per option involved in a rule an event's choices break."""

REPAIR_SCHEMA: Mapping[str, pl.DataType] = {
    "customer_id": pl.Utf8(),
    "event_id": pl.Utf8(),
    "fixed_by": pl.Utf8(),
    "rule_id": pl.Utf8(),
    "dropped": pl.Utf8(),
    "added": pl.Utf8(),
}
"""One row per rule a customer's next configuration no longer broke."""


class DemandSource(Protocol):
    """What the analytics read from the store (``SqlStore`` has all of it)."""

    @property
    def tenant(self) -> str:
        """The tenant the store is scoped to."""
        ...

    def events_frame(self) -> pl.DataFrame:
        """One row per stored interaction event (canonical customer, type, channel, time)."""
        ...

    def tiers_frame(self) -> pl.DataFrame:
        """The tier snapshot: ``customer_id`` and ``tier`` per customer."""
        ...

    def catalog_sales(self, catalog_id: str) -> list[Event]:
        """The ``purchased`` and ``configured`` events of a catalog."""
        ...

    def customer_events(self, customer_id: str) -> list[Event]:
        """Every stored event of a customer."""
        ...


Selections = Mapping[str, Mapping[str, int]]


@dataclasses.dataclass(frozen=True)
class _Seen:
    """One event's choices (or stated option) with who, where and when."""

    event_id: str
    customer_id: str
    type: str
    channel: str
    tier: str
    ts: dt.datetime
    selections: Selections
    stated: str | None = None


@dataclasses.dataclass(frozen=True)
class DemandReport:
    """Demand for a catalog's options, as tidy frames and the summaries product teams read.

    Attributes:
        catalog: the catalog id.
        tenant: the tenant.
        since: the first day counted (None: every event).
        options: every catalog option as ``module.option``, in catalog order.
        mentions: one row per chosen or stated option (:data:`MENTION_SCHEMA`).
        violations: one row per option involved in a broken rule (:data:`VIOLATION_SCHEMA`).
        repairs_taken: one row per rule a next configuration fixed (:data:`REPAIR_SCHEMA`).
        configured_hits: per ``configured`` event that broke rules, its customer and rule ids (``rule_id``).
    """

    catalog: str
    tenant: str
    since: dt.date | None
    options: tuple[str, ...]
    mentions: pl.DataFrame
    violations: pl.DataFrame
    repairs_taken: pl.DataFrame
    configured_hits: pl.DataFrame

    @property
    def events(self) -> int:
        """How many events mention the catalog's options."""
        return int(self.mentions["event_id"].n_unique())

    @property
    def customers(self) -> int:
        """How many customers those events come from."""
        return int(self.mentions["customer_id"].n_unique())

    def option_demand(self) -> pl.DataFrame:
        """Demand per option: ``module``, ``option``, ``demand`` (mentions), ``customers`` and one count per type.

        Sorted by module and option; options of the catalog only (see :meth:`unknown_options` for the rest).
        """
        known = self.mentions.filter(pl.col("known"))
        counts = [(pl.col("type") == t).sum().alias(t) for t in DEMAND_TYPES]
        return (
            known.group_by("module", "option")
            .agg(
                pl.len().alias("demand"),
                pl.col("customer_id").n_unique().alias("customers"),
                *counts,
            )
            .with_columns(pl.col("demand", "customers", *DEMAND_TYPES).cast(pl.Int64))
            .sort("module", "option")
        )

    def module_demand(self) -> pl.DataFrame:
        """Demand per module: ``module``, ``demand`` (mentions of its options), ``customers``, ``options`` chosen."""
        return (
            self.mentions.filter(pl.col("known"))
            .group_by("module")
            .agg(
                pl.len().alias("demand"),
                pl.col("customer_id").n_unique().alias("customers"),
                pl.col("option").n_unique().alias("options"),
            )
            .with_columns(pl.col("demand", "customers", "options").cast(pl.Int64))
            .sort("module")
        )

    def split(self, by: str) -> pl.DataFrame:
        """Demand per option split by ``tier`` or ``channel``: ``module``, ``option``, ``by``, ``demand``."""
        return (
            self.mentions.filter(pl.col("known"))
            .group_by("module", "option", by)
            .agg(pl.len().cast(pl.Int64).alias("demand"))
            .sort("module", "option", by)
        )

    def ruled_out(self) -> pl.DataFrame:
        """Options chosen or stated that a rule forbids with the other choices, most often first.

        Columns: ``option``, ``rule_id``, ``kind``, ``message``, ``times`` (events), ``customers``.
        """
        return (
            self.violations.filter(pl.col("kind") != "cardinality")
            .group_by("option", "rule_id", "kind")
            .agg(
                pl.col("message").first(),
                pl.col("event_id").n_unique().cast(pl.Int64).alias("times"),
                pl.col("customer_id").n_unique().cast(pl.Int64).alias("customers"),
            )
            .sort(["times", "option", "rule_id"], descending=[True, False, False])
        )

    def unknown_options(self) -> pl.DataFrame:
        """Options the events name that the catalog does not have: ``option``, ``times``, ``customers``."""
        return (
            self.mentions.filter(~pl.col("known"))
            .group_by("option")
            .agg(
                pl.col("event_id").n_unique().cast(pl.Int64).alias("times"),
                pl.col("customer_id").n_unique().cast(pl.Int64).alias("customers"),
            )
            .sort(["times", "option"], descending=[True, False])
        )

    def conflicts(self) -> pl.DataFrame:
        """The rules ``configured`` events broke most: ``rule_id``, ``hits``, ``customers``, ``repaired``."""
        repaired = self.repairs_taken.group_by("rule_id").agg(pl.len().cast(pl.Int64).alias("repaired"))
        return (
            self.configured_hits.group_by("rule_id")
            .agg(
                pl.col("event_id").n_unique().cast(pl.Int64).alias("hits"),
                pl.col("customer_id").n_unique().cast(pl.Int64).alias("customers"),
            )
            .join(repaired, on="rule_id", how="left")
            .with_columns(pl.col("repaired").fill_null(0))
            .sort(["hits", "rule_id"], descending=[True, False])
        )

    def repairs(self) -> pl.DataFrame:
        """The repairs customers took per rule: ``rule_id``, ``dropped``, ``added``, ``times``; most often first."""
        return (
            self.repairs_taken.group_by("rule_id", "dropped", "added")
            .agg(pl.len().cast(pl.Int64).alias("times"))
            .sort(["times", "rule_id", "dropped", "added"], descending=[True, False, False, False])
        )

    def never_chosen(self) -> list[str]:
        """Catalog options (``module.option``) that no event chose, in catalog order."""
        chosen = set(
            self.mentions.filter(pl.col("known") & (pl.col("type") != "stated_need"))["option"].to_list()
        )
        return [o for o in self.options if o not in chosen]

    def as_dict(self) -> dict[str, Any]:
        """The whole report as plain JSON-ready data (one list of row objects per table)."""
        return {
            "catalog": self.catalog,
            "tenant": self.tenant,
            "since": self.since.isoformat() if self.since else None,
            "events": self.events,
            "customers": self.customers,
            "options": self.option_demand().to_dicts(),
            "modules": self.module_demand().to_dicts(),
            "by_tier": self.split("tier").to_dicts(),
            "by_channel": self.split("channel").to_dicts(),
            "ruled_out": self.ruled_out().to_dicts(),
            "unknown_options": self.unknown_options().to_dicts(),
            "conflicts": self.conflicts().to_dicts(),
            "repairs": self.repairs().to_dicts(),
            "never_chosen": self.never_chosen(),
        }


def demand_report(source: DemandSource, catalog: Catalog, *, since: dt.date | None = None) -> DemandReport:
    """The demand for a catalog's options in a tenant's stored events.

    Args:
        source: the store (tenant-scoped).
        catalog: the catalog (its current version judges every event).
        since: count events from this UTC day on (default: every event).

    Returns:
        The report.
    """
    seen = _seen(source, catalog, since)
    options = tuple(f"{m}.{o}" for m, module in catalog.modules.items() for o in module.options)
    mentions = [
        {
            "event_id": s.event_id,
            "customer_id": s.customer_id,
            "type": s.type,
            "channel": s.channel,
            "tier": s.tier,
            "ts": s.ts,
            "module": module,
            "option": f"{module}.{option}",
            "known": module in catalog.modules and option in catalog.modules[module].options,
        }
        for s in seen
        for module, option in _chosen(s)
    ]
    violations: list[dict[str, Any]] = []
    hits: list[dict[str, Any]] = []
    broken: dict[str, set[str]] = {}
    scopes = _scopes(catalog)
    for s in seen:
        found = _violations(catalog, scopes, s)
        broken[s.event_id] = {v.rule_id for v in found}
        for v in found:
            # A stated option is judged with the customer's earlier choices, but only it was stated here.
            for option in (s.stated,) if s.stated is not None else v.choices or ("",):
                violations.append(_row(s, rule_id=v.rule_id, kind=v.kind, message=v.message, option=option))
            if s.type == "configured":
                hits.append({"event_id": s.event_id, "customer_id": s.customer_id, "rule_id": v.rule_id})
    return DemandReport(
        catalog=catalog.catalog,
        tenant=source.tenant,
        since=since,
        options=options,
        mentions=pl.DataFrame(mentions, schema=MENTION_SCHEMA),
        violations=pl.DataFrame(violations, schema=VIOLATION_SCHEMA),
        repairs_taken=pl.DataFrame(_repairs(seen, broken), schema=REPAIR_SCHEMA),
        configured_hits=pl.DataFrame(
            hits, schema={"event_id": pl.Utf8(), "customer_id": pl.Utf8(), "rule_id": pl.Utf8()}
        ).unique(),
    )


def _row(s: _Seen, **values: str) -> dict[str, Any]:
    who = {"event_id": s.event_id, "customer_id": s.customer_id, "type": s.type, "channel": s.channel}
    return {**who, "tier": s.tier, **values}


def _chosen(s: _Seen) -> Iterable[tuple[str, str]]:
    if s.stated is not None:
        module, _, option = s.stated.partition(".")
        return [(module, option)]
    return [(m, o) for m, options in s.selections.items() for o, qty in options.items() if qty > 0]


def _violations(catalog: Catalog, scopes: Mapping[str, frozenset[str]], s: _Seen) -> list[Violation]:
    """The rules an event's choices break that no further choice could mend, on the options the catalog has.

    A rule counts when every module it speaks of has a choice (an ``excludes`` rule always counts): a rule
    broken only because a module is still empty is a configuration in progress, not a conflict. A module's
    choice count counts when it is over the maximum only. A stated option counts only in the rules it is part of.
    """
    known = {
        m: {o: q for o, q in options.items() if o in catalog.modules[m].options and q > 0}
        for m, options in s.selections.items()
        if m in catalog.modules
    }
    known = {m: options for m, options in known.items() if options}
    if not known:
        return []
    found: list[Violation] = []
    for v in find_violations(catalog, known):
        if v.kind == "cardinality":
            module = v.rule_id.split(":")[1]
            counts = len(known.get(module, {})) > catalog.modules[module].max_choices
        else:
            counts = v.kind == "excludes" or scopes.get(v.rule_id, frozenset()) <= known.keys()
        if counts and (s.stated is None or s.stated in v.choices):
            found.append(v)
    return found


def _scopes(catalog: Catalog) -> dict[str, frozenset[str]]:
    """The modules each rule speaks of (a table's columns, the modules its expressions name)."""
    scopes: dict[str, frozenset[str]] = {}
    for compiled_rule in compiled(catalog).rules:
        if compiled_rule.table is not None:
            scopes[compiled_rule.rule.id] = frozenset(compiled_rule.table.columns)
            continue
        exprs = [e for e in (compiled_rule.guard, *compiled_rule.body) if e is not None]
        scopes[compiled_rule.rule.id] = frozenset(m for e in exprs for m, _ in references(e))
    return scopes


def _repairs(seen: list[_Seen], broken: Mapping[str, set[str]]) -> list[dict[str, str]]:
    """For each broken ``configured`` event, what the customer's next configuration changed to fix each rule."""
    configured: dict[str, list[_Seen]] = {}
    for s in seen:
        if s.type == "configured":
            configured.setdefault(s.customer_id, []).append(s)
    rows: list[dict[str, str]] = []
    for history in configured.values():
        for before, after in itertools.pairwise(history):
            fixed = broken[before.event_id] - broken[after.event_id]
            if not fixed:
                continue
            old, new = set(_options(before.selections)), set(_options(after.selections))
            for rule_id in sorted(fixed):
                rows.append(
                    {
                        "customer_id": before.customer_id,
                        "event_id": before.event_id,
                        "fixed_by": after.event_id,
                        "rule_id": rule_id,
                        "dropped": ", ".join(sorted(old - new)),
                        "added": ", ".join(sorted(new - old)),
                    }
                )
    return rows


def _options(selections: Selections) -> Iterable[str]:
    return (f"{m}.{o}" for m, options in selections.items() for o, qty in options.items() if qty > 0)


def _seen(source: DemandSource, catalog: Catalog, since: dt.date | None) -> list[_Seen]:
    """The events with choices or stated options of the catalog, in time order, with who, where and tier."""
    frame = source.events_frame().filter(pl.col("type").is_in(DEMAND_TYPES))
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        frame = frame.filter(pl.col("ts") >= start)
    meta = {
        str(r["event_id"]): (r["customer_id"], str(r["channel"]), r["ts"])
        for r in frame.select("event_id", "customer_id", "channel", "ts").iter_rows(named=True)
    }
    tiers_frame = source.tiers_frame()
    tiers = (
        {str(c): str(t) for c, t in tiers_frame.select("customer_id", "tier").iter_rows()}
        if tiers_frame.height
        else {}
    )
    events: dict[str, Event] = {e.event_id: e for e in source.catalog_sales(catalog.catalog)}
    asking = frame.filter(pl.col("type").is_in(("quote_requested", "stated_need")))
    for customer in asking["customer_id"].drop_nulls().unique().sort().to_list():
        for e in source.customer_events(str(customer)):
            if isinstance(e, QuoteRequested | StatedNeed) and e.catalog == catalog.catalog:
                events[e.event_id] = e
    seen: list[_Seen] = []
    for event_id, event in events.items():
        if event_id not in meta:
            continue
        customer, channel, ts = meta[event_id]
        who = str(customer) if customer is not None else f"anonymous:{event.anonymous_id}"
        tier = tiers.get(who, "standard")
        for selections, stated in _choices(event, catalog.catalog):
            seen.append(_Seen(event_id, who, event.type, channel, tier, ts, selections, stated))
    seen.sort(key=lambda s: (s.ts, s.event_id))
    return _with_context(seen)


def _choices(event: Event, catalog_id: str) -> list[tuple[Selections, str | None]]:
    """``(selections, stated option)`` for each configuration or stated option of an event."""
    if isinstance(event, Configured):
        return [(event.selections, None)]
    if isinstance(event, QuoteRequested):
        return [(event.selections, None)] if event.selections else []
    if isinstance(event, Purchased):
        return [
            (line.selections, None) for line in event.lines if line.catalog == catalog_id and line.selections
        ]
    if isinstance(event, StatedNeed):
        kind, _, stated = event.need.partition(":")
        wanted = event.value is None or event.value is True
        if kind == "option" and "." in stated and wanted and event.importance > 0:
            return [({}, stated)]
    return []


def _with_context(seen: list[_Seen]) -> list[_Seen]:
    """Stated options judged with the customer's latest configuration before the statement (its module replaced)."""
    latest: dict[str, Selections] = {}
    out: list[_Seen] = []
    for s in seen:
        if s.stated is None:
            latest[s.customer_id] = s.selections
            out.append(s)
            continue
        module, _, option = s.stated.partition(".")
        context = {m: o for m, o in latest.get(s.customer_id, {}).items() if m != module}
        out.append(dataclasses.replace(s, selections={**context, module: {option: 1}}))
    return out
