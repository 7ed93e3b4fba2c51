"""The request-body limit: a body larger than the limit is refused with a 413 problem before it is parsed.

:class:`BodyLimit` is plain ASGI middleware. A request whose ``Content-Length`` is over the limit (or not a
number) is answered at once, without reading the body; a body sent without a length (chunked) is counted as
it streams in and refused as soon as it passes the limit. The answer is a ``too-large`` problem (413). The
limit is :attr:`~configurator.settings.Settings.max_body_bytes` (``CONFIGURATOR_MAX_BODY_BYTES``, 1 MiB by
default).

Example:
    >>> from fastapi import FastAPI
    >>> from fastapi.testclient import TestClient
    >>> app = FastAPI()
    >>> @app.post("/echo")
    ... def echo(body: dict[str, str]) -> dict[str, str]:
    ...     return body
    >>> client = TestClient(BodyLimit(app, max_bytes=64))
    >>> client.post("/echo", json={"a": "b"}).json()
    {'a': 'b'}
    >>> r = client.post("/echo", json={"a": "b" * 100})
    >>> r.status_code, r.headers["content-type"], r.json()["type"]
    (413, 'application/problem+json', 'urn:configurator:problem:too-large')
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from configurator.api.problems import PROBLEM_MEDIA_TYPE, problem

__all__ = ["BodyLimit", "BodyTooLarge"]


class BodyTooLarge(HTTPException):
    """A streamed body passed the limit, raised from ``receive`` while the route reads it.

    An HTTP exception, so the app's handler answers it with the same ``too-large`` problem (FastAPI passes
    HTTP exceptions raised while reading a body through); :class:`BodyLimit` answers it otherwise.
    """

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"the request body is over the limit of {max_bytes} bytes")


class BodyLimit:
    """ASGI middleware refusing request bodies over ``max_bytes`` with a 413 ``too-large`` problem.

    Args:
        app: the application it guards.
        max_bytes: the largest body accepted, in bytes.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = problem(
            413,
            "too-large",
            "Request too large",
            f"the request body is over the limit of {self.max_bytes} bytes",
            instance=scope.get("path"),
        )
        content = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(content)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 for a declared or streamed body over the limit; pass anything else through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            text = declared.decode("latin-1").strip()
            if not text.isdigit() or int(text) > self.max_bytes:
                await self._refuse(scope, send)
                return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:  # pragma: no cover - a route that answers before reading its body
                raise
            await self._refuse(scope, send)
