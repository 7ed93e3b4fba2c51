"""The HTTP API (FastAPI): ``make_app(settings, catalogs_dir) -> FastAPI``; needs the ``api`` extra.

Serve it with ``configurator serve`` or ``python -m configurator.api --host 127.0.0.1 --port 8000 --workers 2``
(uvicorn), or mount the app in your own ASGI server. Every route needs an API key (``configurator keys
create``) and the server needs ``CONFIGURATOR_SECRET_KEY``. The endpoints, the problem responses and the session model are described in ``docs/api.md``;
the app serves its OpenAPI document at ``/openapi.json`` and interactive docs at ``/docs``.

Example:
    >>> from configurator.api import make_app
    >>> app = make_app(catalogs_dir="catalogs")  # doctest: +SKIP
"""

from __future__ import annotations

try:
    import fastapi  # noqa: F401  # fail here, with the install command, rather than deep in an import chain
except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
    raise ModuleNotFoundError(
        f"configurator.api needs the api extra ({exc.name} is missing): pip install 'configurator[api]'",
        name=exc.name,
    ) from exc

from configurator.api.app import make_app
from configurator.api.routes.events import MAX_EVENTS
from configurator.errors import UnknownCatalogError, UnknownSessionError

__all__ = ["MAX_EVENTS", "UnknownCatalogError", "UnknownSessionError", "make_app"]
