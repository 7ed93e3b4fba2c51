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
from configurator.web import COOKIE
from support import ROOT, api_key, api_settings, demo_store, rep_sign_in

CHROMIUM = Path("/usr/bin/chromium")
"""The system browser (``make sysdeps`` installs it; ``playwright install`` downloads are not used)."""

AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the Debian Chromium instead of a browser downloaded by ``playwright install``."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The API app (and its /rep page) over a fresh demo database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'configurator.db'}"
    demo_store(url).engine.dispose()
    return make_app(api_settings(url), ROOT / "catalogs", clock=lambda: AT)


@pytest.fixture(scope="session")
def live_server(live_app: Any) -> Iterator[str]:
    """The live app served by uvicorn on a free local port."""
    import uvicorn

    app = live_app
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


@pytest.fixture(scope="session")
def rep_cookie(live_server: str, live_app: Any) -> dict[str, Any]:
    """The sign-in cookie of the demo tenant's test rep on the live server."""
    host = live_server.split("//", 1)[1].split(":", 1)[0]
    return {
        "name": COOKIE,
        "value": rep_sign_in(live_app),
        "domain": host,
        "path": "/",
        "secure": True,
        "httpOnly": True,
        "sameSite": "Strict",
    }


@pytest.fixture(scope="session")
def live_key(live_app: Any) -> dict[str, str]:
    """An API key of the demo tenant on the live server, as a header (for direct API calls of a test)."""
    return {"Authorization": f"Bearer {api_key(live_app)}"}


@pytest.fixture
def browser_context_args(
    browser_context_args: dict[str, Any], live_server: str, rep_cookie: dict[str, Any]
) -> dict[str, Any]:
    """Every page of a browser test starts signed in as the demo tenant's test rep, on this live server.

    (pytest-playwright's own arguments are made once per run, with the first live server's URL.)
    """
    return {
        **browser_context_args,
        "base_url": live_server,
        "storage_state": {"cookies": [rep_cookie], "origins": []},
    }
