"""Browser fixtures: the Debian Chromium for pytest-playwright, and the API app served by uvicorn in a thread."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from configurator.api import make_app
from configurator.settings import Settings
from support import ROOT, demo_store

CHROMIUM = Path("/usr/bin/chromium")
"""The system browser (``make sysdeps`` installs it; ``playwright install`` downloads are not used)."""

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the Debian Chromium instead of a browser downloaded by ``playwright install``."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API app (and its /rep page) over a fresh demo database, served by uvicorn on a free local port."""
    import uvicorn

    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'configurator.db'}"
    demo_store(url).engine.dispose()
    app = make_app(Settings(database_url=url, tenant="demo"), ROOT / "catalogs", clock=lambda: AT)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        port = sock.getsockname()[1]
        sock.listen()
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        ready = threading.Event()
        for _ in range(200):  # up to 10 s for the server to start
            if server.started:
                ready.set()
                break
            ready.wait(0.05)
        if not server.started:
            raise RuntimeError("uvicorn did not start")
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """Pages open relative to the live server (and pytest-playwright's own fallback fixture is not used)."""
    return live_server
