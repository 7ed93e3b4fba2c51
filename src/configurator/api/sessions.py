"""The API's configuration sessions: stored in the database, rebuilt on any worker, cached per process.

A session's row (:class:`~configurator.storage.StoredSession`) holds the catalog id and version, the date, the
customer and the choices. Any worker answers any request: it rebuilds the session by replaying the choices
on the catalog, whose decision diagram is compiled once per process and catalog version, and keeps the
rebuilt session in a small per-process cache while the row's ``revision`` is unchanged. A change is stored
only if the row is still at the revision it was made on (two workers changing one session at once: the
later one is replayed on the newer choices, or refused with a 409 when that fails too), so nothing is lost
or applied twice.

Sessions belong to the credential that opened them (another credential gets a 404) and are limited per
credential and per tenant (``Settings.sessions_per_key`` and ``sessions_per_tenant``): one client cannot
close another's sessions. A session idle longer than ``Settings.session_ttl`` is gone. A customer's session
starts from the catalog's population model, fitted once per worker every :data:`POPULATION_SECONDS`.

Example:
    >>> import datetime as dt
    >>> from configurator.access import Principal
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.settings import Settings
    >>> from configurator.storage import SqlStore, make_engine, upgrade
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}}}})
    >>> engine = make_engine("sqlite://"); _ = upgrade(engine)
    >>> store = SqlStore(engine, "shop")
    >>> who = Principal("shop", "key", "k1", "web", ("read",))
    >>> sessions = Sessions(Settings(), {"bike": bike}.get, lambda: dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    >>> sid, live = sessions.open(store, who, bike, on=None, customer_id=None)
    >>> live = sessions.change(store, who, sid, lambda s: s.select("frame", "carbon"))
    >>> sessions.clear_cache()   # as another worker would see it
    >>> [c.option for c in sessions.get(store, who, sid).session.choices]
    ['carbon']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from configurator.api.warmup import ReasonWarmer
from configurator.errors import SessionConflictError, UnknownSessionError
from configurator.solver.session import Choice, ConfigurationSession
from configurator.storage import StoredSession

if TYPE_CHECKING:
    from configurator.access import Principal
    from configurator.catalog.models import Catalog
    from configurator.needs.catalog import CatalogNeedsView
    from configurator.needs.customer import CustomerNeeds
    from configurator.needs.models import NeedsModel
    from configurator.needs.transfer import Transfer
    from configurator.settings import Settings
    from configurator.storage import SqlStore

__all__ = [
    "DRAFT_BYTES",
    "MOST_REPAIRS",
    "POPULATION_SECONDS",
    "TOUCH_SECONDS",
    "LiveSession",
    "Repair",
    "Sessions",
    "choices_json",
    "ranked_repairs",
]

DRAFT_BYTES = 16 * 1024
"""The largest draft a session keeps (its JSON, UTF-8)."""

MOST_REPAIRS = 5
"""The most repairs offered for a conflict."""

TOUCH_SECONDS = 60.0
"""A read marks its session used only when the last mark is older than this (a session's time-to-live
counts from its last change or its last marked read, so it may close up to this much early)."""

POPULATION_SECONDS = 300.0
"""How long a worker reuses a catalog's fitted population model for a tenant before fitting it on the sales
again (a customer's own events always count at once; the population of everyone's sales lags by at most this)."""


@dataclasses.dataclass
class LiveSession:
    """An open configuration session and what the API attached to it (the customer and their learned needs)."""

    catalog: Catalog
    session: ConfigurationSession
    customer_id: str | None = None
    view: CatalogNeedsView | None = None
    needs: CustomerNeeds | None = None
    revision: int = 0
    draft: dict[str, Any] = dataclasses.field(default_factory=dict)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def _start(store: SqlStore, live: LiveSession, customer_id: str) -> None:
    """Make the customer's last configuration's choices in the new session; keep what it started from."""
    from configurator.assembly.starting import last_configuration, start_from

    last = last_configuration(store, customer_id, live.catalog)
    if last is None:
        return
    report = start_from(live.session, last)
    live.draft = {
        "started_from": {
            "kind": last.kind,
            "at": last.at.isoformat(),
            "kept": list(report.kept),
            "changes": [{"key": c.key, "reason": c.reason} for c in report.changes],
        }
    }


def choices_json(session: ConfigurationSession) -> tuple[dict[str, Any], ...]:
    """A session's choices as stored: ``module``, ``option``, ``selected``, ``qty``, in the order made."""
    return tuple(dataclasses.asdict(c) for c in session.choices)


@dataclasses.dataclass(frozen=True)
class Repair:
    """A way out of a conflict: the choices (``module.option``) to give up, and what giving them up costs."""

    drop: tuple[str, ...]
    cost: int


def _drop_costs(live: LiveSession) -> dict[str, int]:
    """What giving up each choice costs: 100, more for what the customer's needs favour; the newest costs double.

    The newest choice is what the rep just asked for, so the repairs that keep it come first at equal cost.
    """
    weights: dict[str, float] = {}
    if live.view is not None and live.needs is not None:
        weights = live.view.option_weights(live.needs)
    choices = live.session.choices
    costs = {c.key: max(1, round(100 + 20 * weights.get(c.key, 0.0))) for c in choices}
    if choices:
        costs[choices[-1].key] *= 2
    return costs


def ranked_repairs(live: LiveSession) -> list[Repair]:
    """Ways to make the session's choices satisfiable again, cheapest first (empty when they are).

    The cheapest set of choices to give up comes first (each choice costs more when the customer's learned needs
    favour it), then, for each choice of a minimal conflict, giving it up with whatever else the rest still needs.

    Example:
        >>> from configurator.catalog.models import Catalog
        >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
        ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}},
        ...                 "fork": {"options": {"rigid": {}, "suspension": {}}}},
        ...     "rules": [{"id": "r1", "excludes": ["frame.carbon", "fork.suspension"]}]})
        >>> live = LiveSession(bike, ConfigurationSession(bike))
        >>> live.session.select("fork", "suspension"); live.session.select("frame", "carbon")
        >>> [r.drop for r in ranked_repairs(live)]
        [('fork.suspension',), ('frame.carbon',)]
    """
    session = live.session
    costs = _drop_costs(live)
    best = session.repair(costs)
    if best is None or not best.drop:
        return []
    found: dict[frozenset[str], Repair] = {frozenset(best.drop): Repair(best.drop, best.cost)}
    conflict = session.explain()
    members = [] if conflict is None else [key for key in conflict.choices if key in costs]
    made = {c.key: c for c in session.choices}
    order = [c.key for c in session.choices]
    try:
        for key in sorted(members, key=lambda k: (costs[k], k)):
            choice = made[key]
            session.unset(choice.module, choice.option)
            rest = session.repair(costs)
            if rest is not None:
                drop = tuple(k for k in order if k == key or k in rest.drop)
                found.setdefault(frozenset(drop), Repair(drop, sum(costs[k] for k in drop)))
            session.clear()
            _replay(session, tuple(dataclasses.asdict(made[k]) for k in order))
    finally:
        if [c.key for c in session.choices] != order:
            session.clear()
            _replay(session, tuple(dataclasses.asdict(made[k]) for k in order))
    newest = order[-1]  # at equal cost, the repairs that keep what the rep just chose come first
    ranked = sorted(found.values(), key=lambda r: (r.cost, newest in r.drop, len(r.drop), r.drop))
    return ranked[:MOST_REPAIRS]


def _replay(session: ConfigurationSession, choices: tuple[dict[str, Any], ...]) -> None:
    for data in choices:
        choice = Choice(**data)
        if choice.selected:
            session.select(choice.module, choice.option, choice.qty)
        else:
            session.deselect(choice.module, choice.option)


class Sessions:
    """Configuration sessions of every tenant: stored rows, rebuilt sessions cached in this process.

    Args:
        settings: the backend, time-to-live and limits.
        catalog_of: the served catalog with an id, or None.
        clock: the current time.
        cache_size: rebuilt sessions kept in this process (a miss only costs a replay).
        transfer: what the other served catalogs teach a catalog for a store's tenant (the service's kept
            :meth:`~configurator.api.service.Service.transfer`); a customer's session recommends with it too.

    Attributes:
        warmer: starts working out a catalog's reasons in the background when its version is first served
            here (``Settings.warm_reasons``; see :mod:`configurator.api.warmup`).
    """

    def __init__(
        self,
        settings: Settings,
        catalog_of: Callable[[str], Catalog | None],
        clock: Callable[[], dt.datetime],
        *,
        cache_size: int = 512,
        transfer: Callable[[SqlStore, str], Transfer] | None = None,
    ) -> None:
        self.settings = settings
        self._transfer = transfer
        self._catalog_of = catalog_of
        self._now = clock
        self._cache: OrderedDict[tuple[str, str], LiveSession] = OrderedDict()
        self._populations: OrderedDict[tuple[str, str, str], tuple[float, CatalogNeedsView, NeedsModel]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()
        self.cache_size = cache_size
        self.warmer = ReasonWarmer(settings.warm_reasons)

    def clear_cache(self) -> None:
        """Forget every rebuilt session (the rows stay: the next request rebuilds them)."""
        with self._lock:
            self._cache.clear()

    def _idle_before(self) -> dt.datetime:
        return self._now() - dt.timedelta(seconds=self.settings.session_ttl)

    def _remember(self, tenant: str, sid: str, live: LiveSession) -> None:
        with self._lock:
            self._cache[(tenant, sid)] = live
            self._cache.move_to_end((tenant, sid))
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def _forget(self, tenant: str, sid: str) -> None:
        with self._lock:
            self._cache.pop((tenant, sid), None)

    def _live(
        self, store: SqlStore, catalog: Catalog, on: dt.date | None, customer_id: str | None
    ) -> LiveSession:
        live = LiveSession(catalog, ConfigurationSession(catalog, on=on, backend=self.settings.backend))
        self.warmer.served(live.session)  # starts a thread the first time only; never waits, never raises
        if customer_id is not None:
            from configurator.assembly.needs import needs_for, transferred_from

            view, population = self._population(store, catalog)
            live.customer_id = customer_id
            live.view = view
            live.needs = needs_for(
                store, store.tenant, customer_id, catalog, population=population, view=view
            )
            if self._transfer is not None and live.needs.profiling:  # what their other orders teach here
                transfer = self._transfer(store, catalog.catalog)
                live.needs.observe(*transferred_from(store.installed_base_for(customer_id), view, transfer))
        return live

    def _population(self, store: SqlStore, catalog: Catalog) -> tuple[CatalogNeedsView, NeedsModel]:
        """The catalog's needs view and population model for the tenant, fitted at most every few minutes."""
        from configurator.assembly.needs import population_sales
        from configurator.needs.catalog import CatalogNeedsView

        key = (store.tenant, catalog.catalog, catalog.version)
        now = time.monotonic()
        with self._lock:
            hit = self._populations.get(key)
        if hit is not None and now - hit[0] < POPULATION_SECONDS:
            return hit[1], hit[2]
        view = CatalogNeedsView(catalog)
        population = view.fit_population(population_sales(store, catalog.catalog))
        with self._lock:
            self._populations[key] = (now, view, population)
            self._populations.move_to_end(key)
            while len(self._populations) > self.cache_size:
                self._populations.popitem(last=False)
        return view, population

    def open(
        self,
        store: SqlStore,
        who: Principal,
        catalog: Catalog,
        *,
        on: dt.date | None,
        customer_id: str | None,
        start: bool = False,
    ) -> tuple[str, LiveSession]:
        """Open a session (closing the caller's least recently used one when at its limit), in one transaction.

        With ``start``, a customer's session starts from their last configuration of the catalog (adapted to it
        now: :func:`configurator.assembly.starting.start_from`); what it started from is kept in the draft.
        """
        with store.atomic():
            return self._open(store, who, catalog, on, customer_id, start)

    def _open(
        self,
        store: SqlStore,
        who: Principal,
        catalog: Catalog,
        on: dt.date | None,
        customer_id: str | None,
        start: bool = False,
    ) -> tuple[str, LiveSession]:
        live = self._live(store, catalog, on, customer_id)
        if start and customer_id is not None:
            _start(store, live, customer_id)
        sid = secrets.token_urlsafe(16)
        now = self._now()
        record = StoredSession(
            sid,
            who.actor,
            catalog.catalog,
            catalog.version,
            None if on is None else on.isoformat(),
            customer_id,
            choices_json(live.session),
            0,
            now,
            now,
            dict(live.draft),
        )
        closed = store.open_config_session(
            record,
            per_owner=self.settings.sessions_per_key,
            per_tenant=self.settings.sessions_per_tenant,
            idle_before=self._idle_before(),
        )
        for old in closed:
            self._forget(store.tenant, old)
        self._remember(store.tenant, sid, live)
        return sid, live

    def _stored(self, store: SqlStore, who: Principal, sid: str) -> StoredSession:
        found = store.config_session(sid, who.actor, idle_before=self._idle_before())
        if found is None:
            self._forget(store.tenant, sid)
            raise UnknownSessionError(f"unknown or expired session {sid!r}")
        return found

    def _rebuild(self, store: SqlStore, row: StoredSession) -> LiveSession:
        catalog = self._catalog_of(row.catalog_id)
        if catalog is None or catalog.version != row.catalog_version:
            raise UnknownSessionError(
                f"session {row.session_id!r} was opened on catalog {row.catalog_id!r} version "
                f"{row.catalog_version!r}, which is no longer served: open a new session"
            )
        on = None if row.on is None else dt.date.fromisoformat(row.on)
        live = self._live(store, catalog, on, row.customer_id)
        _replay(live.session, row.choices)
        live.revision = row.revision
        live.draft = dict(row.draft)
        return live

    def get(self, store: SqlStore, who: Principal, sid: str) -> LiveSession:
        """The session at its stored state (rebuilt here when this worker has not got that revision).

        Raises:
            UnknownSessionError: no open session of this caller has that id (404).
        """
        row = self._stored(store, who, sid)
        with self._lock:
            live = self._cache.get((store.tenant, sid))
        if live is None or live.revision != row.revision:
            live = self._rebuild(store, row)
            self._remember(store.tenant, sid, live)
        live.draft = dict(row.draft)
        now = self._now()
        if (now - row.used_at).total_seconds() > TOUCH_SECONDS:  # reads write at most once a minute
            store.touch_config_session(sid, who.actor, now)
        return live

    def change(
        self, store: SqlStore, who: Principal, sid: str, change: Callable[[ConfigurationSession], None]
    ) -> LiveSession:
        """Apply ``change`` to the session and store the new choices (replayed once on a concurrent change).

        Raises:
            UnknownSessionError: no open session of this caller has that id (404).
            SessionConflictError: the session changed twice meanwhile (409).
        """
        for _ in range(2):
            with store.atomic():  # one transaction per attempt: read, change, store
                live = self.get(store, who, sid)
                with live.lock:
                    before = live.revision
                    try:
                        change(live.session)
                    except Exception:
                        self._forget(store.tenant, sid)  # the rebuilt copy may be half-changed: rebuild it
                        raise
                    saved = store.save_config_choices(
                        sid, who.actor, before, choices_json(live.session), self._now()
                    )
                    if saved:
                        live.revision = before + 1
                        return live
            self._forget(store.tenant, sid)
        raise SessionConflictError(f"session {sid!r} changed meanwhile: reload it and try again")

    def save_draft(self, store: SqlStore, who: Principal, sid: str, draft: dict[str, Any]) -> LiveSession:
        """Keep ``draft`` with the session (the budget and the rest of the rep's work); the session as now.

        Raises:
            UnknownSessionError: no open session of this caller has that id (404).
        """
        with store.atomic():
            live = self.get(store, who, sid)
            if not store.save_config_draft(sid, who.actor, draft, self._now()):
                raise UnknownSessionError(f"unknown or expired session {sid!r}")
            live.draft = dict(draft)
            return live

    def close(self, store: SqlStore, who: Principal, sid: str) -> None:
        """Close a session.

        Raises:
            UnknownSessionError: no open session of this caller has that id (404).
        """
        self._forget(store.tenant, sid)
        self._stored(store, who, sid)  # an expired session is gone already
        if not store.close_config_session(sid, who.actor):
            raise UnknownSessionError(f"unknown or expired session {sid!r}")
