"""The FastAPI app factory: catalogs, configuration sessions, events, customers, bundles, quotes and keys over HTTP.

Every endpoint calls the same public functions as the command line
(:func:`~configurator.catalog.check.find_violations`, :class:`~configurator.solver.session.ConfigurationSession`,
:func:`~configurator.customers.ingest.ingest`, :func:`~configurator.assembly.assemble.assemble`,
:func:`~configurator.quoting.build.quote_for_customer`, ...);
the routers of :mod:`configurator.api.routes` (one per resource) only translate between JSON and those calls,
reaching the shared :class:`~configurator.api.service.Service` through a dependency. Every route needs a
credential (:mod:`configurator.api.auth`): an API key with the route's scope, whose tenant scopes the request,
so one process serves many tenants. This module makes the app: the service, the problem handlers, the
sales-rep page and the routers. Errors are problem details (see :mod:`configurator.api.problems`). The
endpoints are listed in ``docs/api.md`` and in the OpenAPI document the app serves at ``/openapi.json``
(browsable at ``/docs``).

Example:
    >>> from fastapi.testclient import TestClient
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.settings import Settings
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en", "pt"],
    ...     "modules": {"frame": {"label": {"en": "Frame", "pt": "Quadro"},
    ...                           "options": {"alu": {"price": 400}, "carbon": {"price": 1200}}}}})
    >>> app = make_app(Settings(database_url="sqlite://", secret_key="s" * 32), catalogs=[bike])
    >>> key, _ = app.state.service.keys().create("shop", "docs", ["read"], created_by="doctest")
    >>> client = TestClient(app, headers={"Authorization": f"Bearer {key}"})
    >>> client.get("/catalogs/bike", params={"locale": "pt"}).json()["modules"][0]["label"]
    'Quadro'
    >>> r = client.post("/catalogs/bike/validate", json={"selections": {"frame": ["alu", "carbon"]}})
    >>> [v["rule_id"] for v in r.json()["violations"]]
    ['module:frame:choose']
    >>> r = client.get("/catalogs/bik")
    >>> r.status_code, r.headers["content-type"], r.json()["detail"]
    (404, 'application/problem+json', "unknown catalog 'bik' (did you mean 'bike'?)")
    >>> TestClient(app).get("/catalogs").status_code   # no key
    401
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import AsyncIterator, Callable, Iterable
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
from configurator.api.problems import PROBLEM_MEDIA_TYPE, localized, problem, problem_for
from configurator.api.routes import ROUTERS
from configurator.api.service import Service
from configurator.catalog.loader import load_catalogs
from configurator.catalog.models import Catalog
from configurator.errors import ConfiguratorError
from configurator.settings import Settings
from configurator.web import router as web_router
from configurator.web.page import pick_language

__all__ = ["app_from_environment", "make_app"]

log = logging.getLogger(__name__)

_PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": text}
    for code, text in (
        (400, "Bad request"),
        (401, "No credential, or an unknown, revoked or expired one"),
        (403, "The credential lacks the scope this needs"),
        (404, "Unknown catalog, session, customer or quote"),
        (409, "The resource's state refuses it"),
        (413, "The request body is over the limit (or more than 1000 events)"),
        (422, "Refused by the product's rules, or the body does not match the schema"),
        (429, "Too many open configuration sessions"),
    )
}


_HTTP_PROBLEMS = {
    400: ("bad-request", "Bad request"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("too-large", "Request too large"),
}
"""The problem type and title of the HTTP errors the framework raises (a body that does not parse is a 400)."""


def _install_problem_handlers(app: FastAPI) -> None:
    def respond(request: Request, status: int, body: dict[str, Any]) -> JSONResponse:
        body.setdefault("instance", request.url.path)
        language = pick_language(None, request.headers.get("accept-language"))
        return JSONResponse(
            jsonable_encoder(localized(body, language)),
            status_code=status,
            media_type=PROBLEM_MEDIA_TYPE,
            headers={"Content-Language": language},
        )

    async def configurator_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ConfiguratorError)
        status, body = problem_for(exc)
        if status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, exc)
        answer = respond(request, status, body)
        if status == 401:
            answer.headers["WWW-Authenticate"] = 'Bearer realm="configurator"'
        return answer

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
        slug, title = _HTTP_PROBLEMS.get(exc.status_code, ("bad-request", "Bad request"))
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
    catalogs_dir: str | os.PathLike[str] | None = None,
    *,
    catalogs: Iterable[Catalog] | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> FastAPI:
    """The HTTP API as a FastAPI app (serve it with any ASGI server: ``python -m configurator.api``).

    Args:
        settings: database URL, secret key, phone region, request-body limit, session limits (default: from
            the environment, ``CONFIGURATOR_*``).
        catalogs_dir: the folder whose ``*.yaml`` catalogs are served to every tenant (default:
            ``settings.catalogs_dir``; loaded once, now: a broken catalog raises
            :class:`~configurator.errors.CatalogError` here rather than on a request).
        catalogs: catalogs to serve instead of reading ``catalogs_dir``.
        clock: the current time for quotes, acceptances, sessions and sign-ins (default: now, UTC).

    Returns:
        The app. The database is opened (and migrated to the current schema) on the first request.

    Raises:
        SettingsError: no secret key is set (``CONFIGURATOR_SECRET_KEY``).
    """
    settings = settings or Settings()
    folder = catalogs_dir if catalogs_dir is not None else settings.catalogs_dir
    served = {c.catalog: c for c in catalogs} if catalogs is not None else load_catalogs(folder)
    svc = Service(settings, served, clock)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        svc.close()

    app = FastAPI(
        lifespan=lifespan,
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
    app.include_router(web_router(svc))  # the sales-rep page at /rep (docs/web.md), over the endpoints below
    for router in ROUTERS:
        app.include_router(router)
    return app


def app_from_environment() -> FastAPI:
    """The app with every setting from the environment (``CONFIGURATOR_*``): the factory worker processes call.

    ``uvicorn --factory configurator.api.app:app_from_environment --workers 2`` (or
    ``configurator serve --workers 2``) runs one app per worker process; they share the database, so any
    worker answers any request.
    """
    return make_app()
