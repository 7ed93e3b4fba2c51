"""The sales-rep page: one HTML page at ``/rep`` over the HTTP API (plain HTML, small vanilla JavaScript).

A sales rep signs in with their own account (``web/signin.py``), picks a customer and a catalog; the page shows the customer's value tier and why, every module's
options (those the choices made so far rule out greyed, with the reason), the option the customer's needs
recommend, and proposes bundles or creates a quote through the same endpoints as any other client
(``docs/web.md``). :func:`router` is included by :func:`configurator.api.make_app`; the page shell is rendered
with Jinja2 (installed with the ``pdf`` extra), imported on the first request so that the API works without it.

Example:
    >>> from configurator.web import router
    >>> sorted({route.path for route in router(None).routes})  # doctest: +NORMALIZE_WHITESPACE
    ['/rep', '/rep/sign-in', '/rep/sign-out', '/rep/static/{name}']
"""

from __future__ import annotations

from configurator.web.page import LANGUAGES, STRINGS, router
from configurator.web.signin import COOKIE, RepAccess

__all__ = ["COOKIE", "LANGUAGES", "STRINGS", "RepAccess", "router"]
