"""``python -m configurator.api [--host H] [--port P] [--catalogs DIR] [--workers N]``: serve the API with uvicorn.

Settings (database URL, secret key, limits) come from the environment (``CONFIGURATOR_*``). Workers are
stateless: configuration sessions, keys and sign-ins live in the database, so any worker answers any request
(with several workers use PostgreSQL, or SQLite for light use; see ``docs/api.md``).
"""

from __future__ import annotations

import argparse
import os

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and run the server until interrupted."""
    import uvicorn

    from configurator.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m configurator.api", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--catalogs",
        default=None,
        help="folder of catalog YAML files (default CONFIGURATOR_CATALOGS_DIR or catalogs)",
    )
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    args = parser.parse_args(argv)
    if args.catalogs is not None:
        os.environ["CONFIGURATOR_CATALOGS_DIR"] = args.catalogs  # the workers read their settings from here
    Settings().require_secret()  # fail here, once, with the fix, rather than in every worker
    uvicorn.run(
        "configurator.api.app:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=max(1, args.workers),
    )


if __name__ == "__main__":  # pragma: no cover
    main()
