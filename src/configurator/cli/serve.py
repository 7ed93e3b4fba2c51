"""``configurator serve``: the HTTP API (:mod:`configurator.api`) with uvicorn; needs the ``api`` extra.

FastAPI, uvicorn and the API's modules are imported when the command runs, never when the command line starts.

Example:
    >>> from configurator.cli import main
    >>> main(["serve", "--help"])  # doctest: +ELLIPSIS
    <BLANKLINE>
    ...Usage: configurator serve [OPTIONS]...
    0
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    catalogs: Annotated[
        Path | None,
        typer.Option(
            help="Folder of catalog YAML files to serve (default: CONFIGURATOR_CATALOGS_DIR or catalogs)."
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes (stateless: any answers).")
    ] = 1,
) -> None:
    """Serve the HTTP API (docs/api.md) with uvicorn; needs the ``api`` extra and CONFIGURATOR_SECRET_KEY."""
    from configurator.api.__main__ import main as serve_api

    args = ["--host", host, "--port", str(port), "--workers", str(workers)]
    serve_api(args + (["--catalogs", str(catalogs)] if catalogs is not None else []))
