"""The FastAPI app factory: catalogs, configuration sessions, events, customers, bundles and quotes over HTTP.

Every endpoint calls the same public functions as the command line
(:func:`~configurator.catalog.check.find_violations`, :class:`~configurator.solver.session.ConfigurationSession`,
:func:`~configurator.customers.ingest.ingest`, :func:`~configurator.assembly.assemble.assemble`,
:func:`~configurator.quoting.build.quote_for_customer`, ...);
the routers of :mod:`configurator.api.routes` (one per resource) only translate between JSON and those calls,
reaching the shared :class:`~configurator.api.service.Service` through a dependency. This module makes the app:
the service, the problem handlers, the sales-rep page and the routers. Errors are problem details (see
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

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from configurator import __version__
from configurator.api import schemas as s
from configurator.api.headers import SecurityHeaders
from configurator.api.limits import BodyLimit
from configurator.api.problems import PROBLEM_MEDIA_TYPE, problem, problem_for
from configurator.api.routes import ROUTERS
from configurator.api.service import Service
from configurator.api.sessions import SessionStore
from configurator.catalog.loader import load_catalog
from configurator.catalog.models import Catalog
from configurator.errors import ConfiguratorError
from configurator.settings import Settings
from configurator.web import router as web_router

__all__ = ["make_app"]

log = logging.getLogger(__name__)

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": text}
    for code, text in (
        (400, "Bad request"),
        (404, "Unknown catalog, session, customer or quote"),
        (409, "The resource's state refuses it"),
        (413, "The request body is over the limit (or more than 1000 events)"),
        (422, "Refused by the product's rules, or the body does not match the schema"),
    )
}


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
        settings: database URL, tenant, phone region, request-body limit (default: from the environment,
            ``CONFIGURATOR_*``).
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
    svc = Service(settings, served, SessionStore(max_sessions=max_sessions, ttl=session_ttl), clock)

    app = FastAPI(
        title="configurator",
        summary="Mass customization, sold one customer at a time: catalogs, configuration, customers, quotes.",
        version=__version__,
        responses=_PROBLEMS,
    )
    _install_problem_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)  # before any body is parsed
    app.add_middleware(  # outermost: every response, the 413 of BodyLimit included (docs/api.md)
        SecurityHeaders,
        uncontained=[u for u in (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url) if u],
    )
    app.state.service = svc
    app.include_router(web_router())  # the sales-rep page at /rep (docs/web.md), over the endpoints below
    for router in ROUTERS:
        app.include_router(router)
    return app
