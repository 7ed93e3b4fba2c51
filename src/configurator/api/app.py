"""The FastAPI application: catalogs, configuration sessions, events, customers, bundles and quotes over HTTP.

Every endpoint calls the same public functions as the command line (:func:`~configurator.checker.find_violations`,
:class:`~configurator.solver.session.ConfigurationSession`, :func:`~configurator.customers.ingest.ingest`,
:func:`~configurator.assembly.assemble.assemble`, :func:`~configurator.quoting.build.quote_for_customer`, ...);
this module only translates between JSON and those calls. Errors are problem details (see
:mod:`configurator.api.problems`). The endpoints are listed in ``docs/api.md`` and in the OpenAPI document the
app serves at ``/openapi.json`` (browsable at ``/docs``).

Example:
    >>> from fastapi.testclient import TestClient
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.settings import Settings
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en", "pt"],
    ...     "modules": {"frame": {"label": {"en": "Frame", "pt": "Quadro"},
    ...                           "options": {"alu": {"price": 400}, "carbon": {"price": 1200}}}}})
    >>> client = TestClient(make_app(Settings(database_url="sqlite://"), catalogs=[bike]))
    >>> client.get("/catalogs/bike", params={"locale": "pt"}).json()["modules"][0]["label"]
    'Quadro'
    >>> r = client.post("/catalogs/bike/validate", json={"selections": {"frame": ["alu", "carbon"]}})
    >>> [v["rule_id"] for v in r.json()["violations"]]
    ['module:frame:choose']
    >>> r = client.get("/catalogs/bik")
    >>> r.status_code, r.headers["content-type"], r.json()["detail"]
    (404, 'application/problem+json', "unknown catalog 'bik' (did you mean 'bike'?)")
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Body, FastAPI, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from configurator import __version__
from configurator.api import schemas as s
from configurator.api.problems import PROBLEM_MEDIA_TYPE, UnknownCatalogError, problem, problem_for
from configurator.api.sessions import SessionStore
from configurator.catalog.configuration import Configuration
from configurator.catalog.loader import load_catalog
from configurator.catalog.models import Catalog
from configurator.checker import find_violations
from configurator.errors import ConfigurationError, ConfiguratorError, suggest
from configurator.settings import Settings
from configurator.solver.session import ConfigurationSession, Conflict, list_price
from configurator.storage import SqlStore, ensure_schema
from configurator.web import router as web_router

if TYPE_CHECKING:
    from configurator.customers.needs import CustomerNeeds
    from configurator.customers.needs_catalog import CatalogNeedsView
    from configurator.quoting.model import Quote

__all__ = ["MAX_EVENTS", "make_app"]

log = logging.getLogger(__name__)

MAX_EVENTS = 1000
"""Most events one ``POST /events`` takes (post larger logs in batches, or use ``configurator customers ingest``)."""

_MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "pdf": "application/pdf",
}

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": text}
    for code, text in (
        (400, "Bad request"),
        (404, "Unknown catalog, session, customer or quote"),
        (409, "The resource's state refuses it"),
        (422, "Refused by the product's rules, or the body does not match the schema"),
    )
}


@dataclasses.dataclass
class _Live:
    """An open configuration session and what the API attached to it."""

    catalog: Catalog
    session: ConfigurationSession
    customer_id: str | None = None
    view: CatalogNeedsView | None = None
    needs: CustomerNeeds | None = None


class _Service:
    """What the endpoints share: settings, catalogs, the database (opened on first use) and sessions."""

    def __init__(
        self, settings: Settings, catalogs: Mapping[str, Catalog], sessions: SessionStore[_Live]
    ) -> None:
        self.settings = settings
        self.catalogs = dict(catalogs)
        self.sessions = sessions
        self._engine_lock = threading.Lock()
        self._engine_cache: list[Any] = []

    def catalog(self, catalog_id: str) -> Catalog:
        found = self.catalogs.get(catalog_id)
        if found is None:
            hint = suggest(catalog_id, self.catalogs)
            raise UnknownCatalogError(f"unknown catalog {catalog_id!r}" + (f" ({hint})" if hint else ""))
        return found

    def store(self) -> SqlStore:
        """A store for this request (stores hold transaction state: one per request, one engine per app)."""
        with self._engine_lock:
            if not self._engine_cache:
                self._engine_cache.append(ensure_schema(self.settings.database_url))
            engine = self._engine_cache[0]
        return SqlStore(engine, self.settings.tenant, region=self.settings.phone_region)

    def canonical(self, store: SqlStore, customer_id: str) -> str:
        """The customer's canonical id (404 with the nearest known id when unknown)."""
        from configurator.customers.identity import canonical_id
        from configurator.quoting.build import UnknownCustomerError

        found = canonical_id(store, customer_id)
        if found is None:
            known = [p.customer_id for p in store.canonical_profiles()]
            raise UnknownCustomerError(customer_id, store.tenant, suggest(customer_id, known))
        return found

    def tier(self, store: SqlStore, customer_id: str) -> tuple[str, str]:
        """The customer's value tier and why, from the tenant's events (profiling objections respected)."""
        from configurator.customers.tiers import TierAssigner
        from configurator.storage import events_frame, profiling_allowed

        frame = events_frame(store.engine, store.tenant)
        if frame.height == 0:
            return "standard", "no events yet"
        known = set(frame["customer_id"].drop_nulls().to_list())
        objections = known - profiling_allowed(store.engine, store.tenant)
        assigner = TierAssigner().fit(frame, objections=objections)
        try:
            row = assigner.explain(customer_id, store.tenant)
        except KeyError:
            return "standard", "no purchase history yet"
        return str(row["tier"]), str(row["reason"])


# -- JSON views of domain objects ----------------------------------------------------------------------------


def _configuration_out(
    catalog: Catalog, configuration: Configuration, locale: str | None
) -> s.ConfigurationOut:
    items = []
    for module, option, qty in configuration.items():
        mod = catalog.modules.get(module)
        opt = mod.options.get(option) if mod is not None else None
        label = catalog.text(opt.label, locale, option) if opt is not None else option
        items.append(
            s.SelectedOut(module=module, option=option, qty=qty, label=label, price=opt.price if opt else 0)
        )
    return s.ConfigurationOut(
        selections={
            m: {o: q for o, q in opts.items() if q > 0} for m, opts in configuration.selections.items()
        },
        items=items,
        list_price=list_price(catalog, configuration),
    )


def _conflict_out(catalog: Catalog, conflict: Conflict, locale: str | None) -> s.ConflictOut:
    rules = {rule.id: rule for rule in catalog.rules}
    messages = {c: catalog.text(rules[c].message, locale, c) for c in conflict.constraints if c in rules}
    return s.ConflictOut(
        choices=list(conflict.choices), constraints=list(conflict.constraints), messages=messages
    )


def _catalog_summary(catalog: Catalog, locale: str | None) -> dict[str, Any]:
    return {
        "id": catalog.catalog,
        "version": catalog.version,
        "name": catalog.text(catalog.name, locale, catalog.catalog),
        "currency": catalog.currency,
        "locales": list(catalog.locales),
        "module_count": len(catalog.modules),
        "option_count": sum(len(m.options) for m in catalog.modules.values()),
        "rule_count": len(catalog.rules),
        "service_count": len(catalog.services),
    }


def _session_out(sid: str, live: _Live, *, explain: bool, locale: str | None) -> s.SessionOut:
    session, catalog = live.session, live.catalog
    domains = session.domains()
    feasible = any(domains.values()) or all(m.choose.min == 0 for m in catalog.modules.values())
    conflict = None
    if not feasible:
        found = session.explain()
        conflict = None if found is None else _conflict_out(catalog, found, locale)
    removed = None
    if explain and feasible:
        removed = {key: _conflict_out(catalog, c, locale) for key, c in session.removed().items()}
    recommended = None
    if live.view is not None and live.needs is not None and feasible:
        from configurator.assembly.needs import recommendations

        recommended = {
            module: [
                s.RecommendationOut(
                    option=option,
                    label=catalog.text(catalog.modules[module].options[option].label, locale, option),
                    probability=round(p, 6),
                )
                for option, p in ranked
            ]
            for module, ranked in recommendations(session, live.view, live.needs).items()
        }
    return s.SessionOut(
        session_id=sid,
        catalog=catalog.catalog,
        customer_id=live.customer_id,
        choices=[
            s.ChoiceOut(module=c.module, option=c.option, selected=c.selected, qty=c.qty)
            for c in session.choices
        ],
        domains={m: list(opts) for m, opts in domains.items()},
        feasible=feasible,
        conflict=conflict,
        removed=removed,
        recommendations=recommended,
    )


_REVISABLE = (
    "catalog_id",
    "catalog_version",
    "locale",
    "currency",
    "created_at",
    "valid_until",
    "tier",
    "quantity",
    "configuration",
    "lines",
    "services",
    "waterfall",
    "reasons",
    "terms",
)
"""The fields a re-quote of the same number may change (a new version)."""


def _save_or_revise(store: SqlStore, made: Quote) -> Quote:
    """Save a new quote number, or the next version of an open quote with that number (a rep re-quoting).

    The same content again (timestamps aside) returns the stored version; an accepted or expired quote keeps
    its number and the new quote takes the next free ``<number>-2``, ``-3``...
    """
    from configurator.quoting.lifecycle import QuoteNotFound, QuoteStateError, load_quote, revise, save_quote

    number, suffix = made.quote_id, 1
    while True:
        try:
            latest = load_quote(store, number)
        except QuoteNotFound:
            return save_quote(store, dataclasses.replace(made, quote_id=number))
        changes = {name: getattr(made, name) for name in _REVISABLE}
        same = all(
            getattr(latest, name) == value
            for name, value in changes.items()
            if name not in ("created_at", "valid_until")
        )
        if same:
            return latest
        try:
            return revise(store, latest, **changes)
        except QuoteStateError:
            suffix += 1
            number = f"{made.quote_id}-{suffix}"


def _links(quote_id: str, version: int) -> dict[str, str]:
    base = f"/quotes/{urllib.parse.quote(quote_id, safe='')}"
    return {fmt: f"{base}?format={fmt}&version={version}" for fmt in _MEDIA_TYPES} | {
        "accept": f"{base}/accept"
    }


# -- the app -------------------------------------------------------------------------------------------------


def _load_catalogs(folder: str | os.PathLike[str]) -> dict[str, Catalog]:
    found: dict[str, Catalog] = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        catalog = load_catalog(path)
        found[catalog.catalog] = catalog
    return found


def _install_problem_handlers(app: FastAPI) -> None:
    def respond(request: Request, status: int, body: dict[str, Any]) -> JSONResponse:
        body.setdefault("instance", request.url.path)
        return JSONResponse(jsonable_encoder(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE)

    async def configurator_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ConfiguratorError)
        status, body = problem_for(exc)
        if status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, exc)
        return respond(request, status, body)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)
        return respond(
            request,
            422,
            problem(422, "invalid-request", "The request does not match the schema", detail, errors=errors),
        )

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        slug = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}.get(exc.status_code, "http")
        title = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}.get(
            exc.status_code, "Error"
        )
        return respond(request, exc.status_code, problem(exc.status_code, slug, title, str(exc.detail)))

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return respond(
            request, 500, problem(500, "internal", "Internal error", "an unexpected error occurred")
        )

    app.add_exception_handler(ConfiguratorError, configurator_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def make_app(
    settings: Settings | None = None,
    catalogs_dir: str | os.PathLike[str] = "catalogs",
    *,
    catalogs: Iterable[Catalog] | None = None,
    max_sessions: int = 256,
    session_ttl: float = 1800.0,
    clock: Callable[[], dt.datetime] | None = None,
) -> FastAPI:
    """The HTTP API as a FastAPI app (serve it with any ASGI server: ``python -m configurator.api``).

    Args:
        settings: database URL, tenant, phone region (default: from the environment, ``CONFIGURATOR_*``).
        catalogs_dir: the folder whose ``*.yaml`` catalogs are served (loaded once, now; a broken catalog
            raises :class:`~configurator.errors.CatalogError` here rather than on a request).
        catalogs: catalogs to serve instead of reading ``catalogs_dir``.
        max_sessions: configuration sessions kept open in this process (least recently used dropped first).
        session_ttl: seconds an unused configuration session stays open.
        clock: the current time for quotes and acceptances (default: now, UTC).

    Returns:
        The app. The database is opened (and migrated to the current schema) on the first request that needs
        it, so catalogs and sessions are served without one.
    """
    settings = settings or Settings()
    served = {c.catalog: c for c in catalogs} if catalogs is not None else _load_catalogs(catalogs_dir)
    svc = _Service(settings, served, SessionStore(max_sessions=max_sessions, ttl=session_ttl))
    now = clock or (lambda: dt.datetime.now(dt.UTC))

    app = FastAPI(
        title="configurator",
        summary="Mass customization, sold one customer at a time: catalogs, configuration, customers, quotes.",
        version=__version__,
        responses=_PROBLEMS,
    )
    _install_problem_handlers(app)
    app.state.service = svc
    app.include_router(web_router())  # the sales-rep page at /rep (docs/web.md), over the endpoints below

    # -- catalogs ------------------------------------------------------------------------------------------

    @app.get("/catalogs", tags=["catalogs"])
    def list_catalogs(locale: str | None = None) -> list[s.CatalogSummary]:
        """The catalogs served, with their names in the locale."""
        return [s.CatalogSummary(**_catalog_summary(c, locale)) for c in svc.catalogs.values()]

    @app.get("/catalogs/{catalog_id}", tags=["catalogs"])
    def get_catalog(catalog_id: str, locale: str | None = None) -> s.CatalogOut:
        """A catalog's modules, options, rules and services, labelled in the locale (default: the catalog's)."""
        cat = svc.catalog(catalog_id)
        lang = locale or cat.default_locale
        modules = [
            s.ModuleOut(
                id=mid,
                label=cat.text(mod.label, lang, mid),
                description=cat.text(mod.description, lang) or None,
                min=mod.choose.min,
                max=mod.choose.max,
                default=list(mod.default),
                options=[
                    s.OptionOut(
                        id=oid,
                        label=cat.text(opt.label, lang, oid),
                        description=cat.text(opt.description, lang) or None,
                        price=opt.price,
                        attrs=dict(opt.attrs),
                        sub_assembly=opt.product,
                    )
                    for oid, opt in mod.options.items()
                ],
            )
            for mid, mod in cat.modules.items()
        ]
        return s.CatalogOut(
            **_catalog_summary(cat, lang),
            locale=lang,
            modules=modules,
            rules=[s.RuleOut(id=r.id, message=cat.text(r.message, lang, r.id)) for r in cat.rules],
            services=[
                s.ServiceOut(id=sid, kind=svc_.kind, label=cat.text(svc_.label, lang, sid), price=svc_.price)
                for sid, svc_ in cat.services.items()
            ],
        )

    @app.post("/catalogs/{catalog_id}/validate", tags=["catalogs"])
    def validate(catalog_id: str, body: s.ValidateIn, locale: str | None = None) -> s.ValidateOut:
        """Check a full configuration with the independent checker: the rules it violates, in the locale."""
        cat = svc.catalog(catalog_id)
        configuration = Configuration.from_data({"selections": body.selections}, where="body")
        found = find_violations(cat, configuration, on=body.on, locale=locale)
        return s.ValidateOut(
            catalog=cat.catalog,
            valid=not found,
            violations=[
                s.ViolationOut(
                    rule_id=v.rule_id, kind=v.kind, message=v.message, choices=list(v.choices), path=v.path
                )
                for v in found
            ],
        )

    # -- sessions ------------------------------------------------------------------------------------------

    @app.post("/sessions", status_code=201, tags=["sessions"])
    def open_session(body: s.SessionIn, response: Response) -> s.SessionOut:
        """Open an interactive configuration session (kept in this server process; see the docs)."""
        cat = svc.catalog(body.catalog)
        live = _Live(cat, ConfigurationSession(cat, on=body.on, backend=svc.settings.backend))
        if body.customer_id is not None:
            from configurator.assembly.needs import needs_for
            from configurator.customers.needs_catalog import CatalogNeedsView

            store = svc.store()
            live.customer_id = svc.canonical(store, body.customer_id)
            live.view = CatalogNeedsView(cat)
            live.needs = needs_for(store, store.tenant, live.customer_id, cat, view=live.view)
        sid = svc.sessions.add(live)
        response.headers["Location"] = f"/sessions/{sid}"
        entry = svc.sessions.get(sid)
        with entry.lock:
            return _session_out(sid, live, explain=False, locale=None)

    @app.get("/sessions/{session_id}", tags=["sessions"])
    def get_session(
        session_id: str,
        explain: Annotated[
            bool, Query(description="Add each removed option with the reason it is gone.")
        ] = False,
        locale: str | None = None,
    ) -> s.SessionOut:
        """The session: choices, valid options per module, recommendations; removed options with reasons on ``explain=1``."""
        entry = svc.sessions.get(session_id)
        with entry.lock:
            return _session_out(session_id, entry.value, explain=explain, locale=locale)

    @app.post("/sessions/{session_id}/choices", tags=["sessions"])
    def choose(session_id: str, body: s.ChoiceIn, locale: str | None = None) -> s.SessionOut:
        """Select, deselect (exclude) or unset one option, or clear every choice; answers the new state."""
        entry = svc.sessions.get(session_id)
        session = entry.value.session
        with entry.lock:
            if body.action == "clear":
                session.clear()
            else:
                if body.module is None or body.option is None:
                    raise ConfigurationError(f"{body.action}: expected module and option, got none")
                if body.action == "select":
                    session.select(body.module, body.option, body.qty)
                elif body.action == "deselect":
                    session.deselect(body.module, body.option)
                else:
                    session.unset(body.module, body.option)
            return _session_out(session_id, entry.value, explain=False, locale=locale)

    @app.post("/sessions/{session_id}/complete", tags=["sessions"])
    def complete(session_id: str, body: s.CompleteIn | None = None) -> s.CompleteOut:
        """A full valid configuration extending the choices (a customer's session: by their needs)."""
        body = body or s.CompleteIn()
        entry = svc.sessions.get(session_id)
        live = entry.value
        strategy = body.strategy or ("needs" if live.needs is not None else "defaults")
        with entry.lock:
            if strategy == "needs":
                if live.view is None or live.needs is None:
                    raise ConfigurationError("strategy 'needs' needs a session opened with a customer_id")
                from configurator.assembly.needs import weights_for

                chosen: dict[str, dict[str, int]] = {}
                for c in live.session.choices:
                    chosen.setdefault(c.module, {})[c.option] = (c.qty or 1) if c.selected else 0
                found = live.session.complete(weights_for(live.view, live.needs, partial_selections=chosen))
            else:
                found = live.session.complete(strategy)
            conflict = live.session.explain() if found is None else None
        return s.CompleteOut(
            session_id=session_id,
            strategy=strategy,
            configuration=None if found is None else _configuration_out(live.catalog, found, body.locale),
            conflict=None if conflict is None else _conflict_out(live.catalog, conflict, body.locale),
        )

    @app.delete("/sessions/{session_id}", status_code=204, tags=["sessions"])
    def close_session(session_id: str) -> Response:
        """Close a session."""
        svc.sessions.remove(session_id)
        return Response(status_code=204)

    # -- events and customers ------------------------------------------------------------------------------

    @app.post("/events", tags=["customers"])
    def post_events(
        body: Annotated[
            dict[str, Any] | list[Any],
            Body(
                description=f"One event, or a list of at most {MAX_EVENTS} (see docs/api.md for the fields)."
            ),
        ],
    ) -> s.EventsOut:
        """Record interaction events; idempotent by event id (posting them again counts duplicates only)."""
        from configurator.customers.ingest import ingest

        records = body if isinstance(body, list) else [body]
        if len(records) > MAX_EVENTS:
            raise HTTPException(413, f"at most {MAX_EVENTS} events per request, got {len(records)}")
        store = svc.store()
        report = ingest(enumerate(records, 1), store, tenant=store.tenant, region=svc.settings.phone_region)
        return s.EventsOut(
            received=report.read,
            accepted=report.accepted,
            duplicates=report.duplicates,
            suppressed=report.suppressed,
            rejected=[
                s.RejectionOut(index=r.line, event_id=r.event_id, field=r.field, reason=r.reason)
                for r in report.rejected
            ],
        )

    @app.get("/customers/{customer_id}", tags=["customers"])
    def get_customer(customer_id: str) -> s.CustomerOut:
        """A customer's profile summary, history counts, value tier and the reason for it."""
        from configurator.customers.consent import consent_status
        from configurator.storage.repositories import customer_events, orders_for, quotes_for

        store = svc.store()
        canonical = svc.canonical(store, customer_id)
        profile = store.get_profile(canonical)
        assert profile is not None  # canonical() found it
        events = customer_events(store.engine, store.tenant, canonical)
        tier, reason = svc.tier(store, canonical)
        return s.CustomerOut(
            customer_id=canonical,
            merged_ids=store.merged_ids(canonical),
            name=profile.name,
            company=profile.extra.get("company"),
            country=profile.extra.get("country"),
            language=profile.extra.get("language"),
            created_at=profile.created_at,
            events=len(events),
            events_by_type=dict(sorted(Counter(e.type for e in events).items())),
            orders=len(orders_for(store.engine, store.tenant, canonical)),
            quotes=len(quotes_for(store.engine, store.tenant, canonical)),
            profiling=consent_status(store, canonical)["profiling"],
            tier=tier,
            tier_reason=reason,
        )

    # -- bundles and quotes --------------------------------------------------------------------------------

    @app.post("/customers/{customer_id}/bundles", tags=["quotes"])
    def bundles(customer_id: str, body: s.BundlesIn) -> s.BundlesOut:
        """The customer's best diverse bundles: assembled from their needs and tier, priced and explained."""
        from configurator.assembly.assemble import assemble
        from configurator.assembly.context import customer_context

        cat = svc.catalog(body.catalog)
        store = svc.store()
        canonical = svc.canonical(store, customer_id)
        tier, _ = svc.tier(store, canonical)
        context = customer_context(store, store.tenant, canonical, cat, tiers=tier)
        found = assemble(
            cat, context, budget=body.budget, requirements=body.requirements, k=body.k, on=now().date()
        )
        lang = body.locale
        out = []
        for b in found:
            repair = b.repair
            out.append(
                s.BundleOut(
                    rank=b.rank,
                    role=b.role,
                    status=b.status,
                    utility=b.utility,
                    price=b.price,
                    configuration=_configuration_out(cat, b.configuration, lang),
                    services=[
                        s.ServiceLineOut(
                            service=line.service,
                            kind=line.kind,
                            label=cat.text(cat.services[line.service].label, lang, line.service)
                            if line.service in cat.services
                            else line.service,
                            included=line.included,
                            list_price=line.list_price,
                            price=line.price,
                            reason=line.reason,
                        )
                        for line in b.services
                    ],
                    reasons=[
                        s.ReasonOut(
                            module=r.module,
                            option=r.option,
                            because=r.because,
                            events=list(r.events),
                            detail=dict(r.detail),
                        )
                        for r in b.reasons
                    ],
                    repair=None
                    if repair is None
                    else s.RepairOut(
                        drop=list(repair.drop),
                        keep=list(repair.keep),
                        cost=repair.cost,
                        raise_budget_to=repair.raise_budget_to,
                    ),
                )
            )
        channel = found[0].channel if found else "web"
        return s.BundlesOut(
            customer_id=canonical, catalog=cat.catalog, tier=context.tier, channel=channel, bundles=out
        )

    def _quote_out(quote: Any) -> s.QuoteOut:
        cat = svc.catalogs.get(quote.catalog_id)
        configuration = (
            _configuration_out(cat, quote.configuration, quote.locale.partition("_")[0])
            if cat is not None
            else s.ConfigurationOut(selections={}, items=[], list_price=Decimal(0))
        )
        return s.QuoteOut(
            quote_id=quote.quote_id,
            version=quote.version,
            status=quote.status,
            customer_id=quote.customer_id,
            catalog=quote.catalog_id,
            locale=quote.locale,
            currency=quote.currency,
            tier=quote.tier,
            quantity=quote.quantity,
            total=quote.total,
            created_at=quote.created_at,
            valid_until=quote.valid_until,
            configuration=configuration,
            links=_links(quote.quote_id, quote.version),
        )

    @app.post("/customers/{customer_id}/quotes", status_code=201, tags=["quotes"])
    def create_quote(customer_id: str, body: s.QuoteIn, response: Response) -> s.QuoteOut:
        """Build the customer's best quote (priced, checked, in their language) and save it as version 1, draft."""
        from configurator.quoting.build import quote_for_customer

        cat = svc.catalog(body.catalog)
        store = svc.store()
        canonical = svc.canonical(store, customer_id)
        tier, _ = svc.tier(store, canonical)
        made = quote_for_customer(
            store,
            cat,
            canonical,
            budget=body.budget,
            requirements=tuple(body.requirements),
            locale=body.locale,
            country=body.country,
            tiers=tier,
            quote_id=body.quote_id,
            created_at=now(),
            quantity=body.quantity,
            best=True,
            accept_repair=body.accept_repair,
        )[0]
        saved = _save_or_revise(store, made)
        response.headers["Location"] = _links(saved.quote_id, saved.version)["html"].partition("?")[0]
        return _quote_out(saved)

    @app.get(
        "/quotes/{quote_id}",
        tags=["quotes"],
        response_class=Response,
        responses={
            200: {
                "description": "The quote rendered (HTML, Markdown, text or PDF), or as JSON with format=json.",
                "content": {media.partition(";")[0]: {} for media in _MEDIA_TYPES.values()}
                | {"application/json": {"schema": {"$ref": "#/components/schemas/QuoteOut"}}},
            }
        },
    )
    def get_quote(
        quote_id: str,
        format: Literal["html", "md", "txt", "pdf", "json"] = "html",
        version: Annotated[int | None, Query(ge=1, description="Default: the latest version.")] = None,
        locale: str | None = None,
    ) -> Response:
        """A stored quote version rendered in its language, with the media type of the format."""
        from configurator.quoting.build import customer_details
        from configurator.quoting.lifecycle import load_quote
        from configurator.quoting.render import render_quote

        store = svc.store()
        quote = load_quote(store, quote_id, version)
        if format == "json":
            return JSONResponse(jsonable_encoder(_quote_out(quote)))
        rendered = render_quote(
            quote,
            svc.catalog(quote.catalog_id),
            format=format,
            locale=locale,
            customer=customer_details(store, quote.customer_id),
        )
        name = f"{quote.quote_id}-v{quote.version}.{format}"
        return Response(
            rendered.content,
            media_type=_MEDIA_TYPES[format],
            headers={
                "Content-Disposition": f"inline; filename*=UTF-8''{urllib.parse.quote(name)}",
                "Content-Language": rendered.locale.replace("_", "-"),
            },
        )

    @app.post("/quotes/{quote_id}/accept", tags=["quotes"])
    def accept(quote_id: str, body: s.AcceptIn) -> s.AcceptOut:
        """Accept a quote version: records the order once (accepting the same version again changes nothing)."""
        from configurator.quoting.lifecycle import accept_quote, load_quote

        store = svc.store()
        version = body.version or load_quote(store, quote_id).version
        order = accept_quote(
            store,
            quote_id,
            version,
            body.at or now(),
            margin=body.margin,
            order_id=body.order_id,
            channel=body.channel,
        )
        status = load_quote(store, quote_id, version).status
        return s.AcceptOut(quote_id=quote_id, version=version, status=status, order_id=order)

    return app
