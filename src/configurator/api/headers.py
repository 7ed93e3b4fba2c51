"""Security headers on every response: no content sniffing, no referrer, and a content policy for HTML.

:class:`SecurityHeaders` is plain ASGI middleware. Every response gets ``X-Content-Type-Options: nosniff``
and ``Referrer-Policy: no-referrer``. An HTML response also gets ``X-Frame-Options: DENY`` and a
``Content-Security-Policy`` that fits what it loads:

* the sales-rep page (``/rep``): :data:`REP_POLICY`, its own script, style sheet and API only;
* any other HTML (a quote rendered as HTML, email-safe with inline styles): :data:`DOCUMENT_POLICY`, inline
  styles and nothing else;
* the interactive API docs (``/docs``, ``/redoc``, whose pages load Swagger UI and ReDoc from a CDN with an
  inline script): no policy, as listed in ``uncontained``.

A header the route already set is kept.

Example:
    >>> from fastapi import FastAPI
    >>> from fastapi.responses import HTMLResponse
    >>> from fastapi.testclient import TestClient
    >>> app = FastAPI()
    >>> @app.get("/ping")
    ... def ping() -> dict[str, str]:
    ...     return {"ping": "pong"}
    >>> @app.get("/note", response_class=HTMLResponse)
    ... def note() -> str:
    ...     return "<p style='color: red'>hi</p>"
    >>> client = TestClient(SecurityHeaders(app))
    >>> r = client.get("/ping")
    >>> r.headers["x-content-type-options"], r.headers["referrer-policy"], "content-security-policy" in r.headers
    ('nosniff', 'no-referrer', False)
    >>> r = client.get("/note")
    >>> r.headers["content-security-policy"] == DOCUMENT_POLICY, r.headers["x-frame-options"]
    (True, 'DENY')
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DOCUMENT_POLICY", "REP_POLICY", "SecurityHeaders"]

REP_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
"""The sales-rep page's policy: its script and style sheet from ``/rep/static``, its calls to the API, its
language form (all same origin); no inline script (the page's strings are a JSON data block, which is not
run), no plugins, no framing, no ``<base>``."""

DOCUMENT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
"""The policy of other HTML (a quote rendered as HTML): inline styles only, as in email; no script, image,
font or other resource, no form, no framing."""

_BASE = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response.

    Args:
        app: the application whose responses it marks.
        rep_prefix: the path of the sales-rep page; it and the paths under it get :data:`REP_POLICY`.
        uncontained: paths whose HTML gets no content policy (the interactive API docs).
    """

    def __init__(self, app: ASGIApp, rep_prefix: str = "/rep", uncontained: Iterable[str] = ()) -> None:
        self.app = app
        self.rep_prefix = rep_prefix
        self.uncontained = frozenset(uncontained)

    def policy(self, path: str) -> str | None:
        """The content policy of an HTML response at ``path`` (without the root path), or None for none.

        Example:
            >>> marker = SecurityHeaders(None, uncontained=["/docs"])  # type: ignore[arg-type]
            >>> marker.policy("/rep") == REP_POLICY, marker.policy("/rep/static/rep.js") == REP_POLICY
            (True, True)
            >>> marker.policy("/report") == DOCUMENT_POLICY, marker.policy("/docs")
            (True, None)
        """
        if path in self.uncontained:
            return None
        if path == self.rep_prefix or path.startswith(self.rep_prefix + "/"):
            return REP_POLICY
        return DOCUMENT_POLICY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the response's start message; pass anything else through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"

        async def marking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _BASE:
                    headers.setdefault(name.decode(), value.decode())
                if headers.get("content-type", "").lower().startswith("text/html"):
                    headers.setdefault("x-frame-options", "DENY")
                    policy = self.policy(path)
                    if policy is not None:
                        headers.setdefault("content-security-policy", policy)
            await send(message)

        await self.app(scope, receive, marking_send)
