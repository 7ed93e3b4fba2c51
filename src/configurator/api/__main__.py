"""``python -m configurator.api [--host H] [--port P] [--catalogs DIR]``: serve the HTTP API with uvicorn.

Settings (database URL, tenant) come from the environment (``CONFIGURATOR_*``). One worker process: the
configuration sessions live in the process's memory (see ``docs/api.md``).
"""

from __future__ import annotations

import argparse

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and run the server until interrupted."""
    import uvicorn

    from configurator.api.app import make_app

    parser = argparse.ArgumentParser(prog="python -m configurator.api", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--catalogs", default="catalogs", help="folder of catalog YAML files (default catalogs)"
    )
    args = parser.parse_args(argv)
    uvicorn.run(make_app(catalogs_dir=args.catalogs), host=args.host, port=args.port)


if __name__ == "__main__":  # pragma: no cover
    main()
