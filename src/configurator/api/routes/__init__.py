"""One FastAPI router per resource of the HTTP API; :func:`~configurator.api.make_app` includes :data:`ROUTERS`.

Every handler reaches the app's shared state through the :data:`~configurator.api.service.ServiceDep`
dependency, never through a closure, so a router can be included in any app that keeps a
:class:`~configurator.api.service.Service` on ``app.state.service``.

Example:
    >>> [router.routes[0].path for router in ROUTERS]  # doctest: +NORMALIZE_WHITESPACE
    ['/catalogs', '/sessions', '/sessions/{session_id}/questions', '/events', '/customers',
     '/customers/{customer_id}/bundles',
     '/customers/{customer_id}/price', '/customers/{customer_id}/quotes', '/keys', '/outbox']
"""

from __future__ import annotations

from fastapi import APIRouter

from configurator.api.routes import (
    bundles,
    catalogs,
    customers,
    events,
    keys,
    outbox,
    prices,
    questions,
    quotes,
    sessions,
)

__all__ = [
    "ROUTERS",
    "bundles",
    "catalogs",
    "customers",
    "events",
    "keys",
    "outbox",
    "prices",
    "questions",
    "quotes",
    "sessions",
]

ROUTERS: tuple[APIRouter, ...] = (
    catalogs.router,
    sessions.router,
    questions.router,
    events.router,
    customers.router,
    bundles.router,
    prices.router,
    quotes.router,
    keys.router,
    outbox.router,
)
"""The routers in the order the app includes them (the order of the OpenAPI document's paths)."""
