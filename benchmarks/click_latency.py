"""Benchmark: click latency on the sales-rep page, measured in the browser (headless Chromium, Playwright).

The API and its ``/rep`` page are served by uvicorn over a fresh demo database; for each example catalog the
page opens the catalog's demo customer and clicks ``--clicks`` random options that are not ruled out. The page
times each click with ``performance.now()`` (``window.repTimings``): from the click to the updated options
(``domains``: the choice posted and every option's state in the DOM) and, separately, to the reasons shown
beside the unavailable options (``reasons``: the second request, ``GET /sessions/{id}?explain=1``).

Target: domains p95 < 150 ms per catalog. Prints the table and updates the "Click latency in the browser"
section of docs/benchmarks.md (with ``--doc``).

Run: ``.venv/bin/python benchmarks/click_latency.py [--clicks 30] [--seed 1] [--doc | --no-doc]``.
Needs ``/usr/bin/chromium`` and the dev extra (playwright). Quick mode (``BENCH_QUICK=1``): fewer clicks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from _docs import ROOT, add_doc_options, pick, publish

SECTION = "## Click latency in the browser"
CATALOGS = {
    "ebike-urban": "c-1019",
    "kitchen-modular": "c-1004",
    "laptop-pro14": "c-1011",
    "valve-pn5": "c-1005",
}
AT = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values`` (nan when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@contextmanager
def served() -> Iterator[tuple[str, str]]:
    """The app over a fresh demo database on a free local port: its URL and a signed-in rep's cookie."""
    import uvicorn

    sys.path.insert(0, str(ROOT / "tests"))
    from configurator.api import make_app
    from support import api_settings, demo_store, rep_sign_in

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/configurator.db"
        demo_store(url).engine.dispose()
        app = make_app(api_settings(url), ROOT / "catalogs", clock=lambda: AT)
        cookie = rep_sign_in(app)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        ready = threading.Event()
        while not server.started:
            ready.wait(0.05)
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}", cookie
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()


def measure(
    page: Any, base: str, catalog: str, customer: str, clicks: int, seed: int
) -> dict[str, list[float]]:
    """Open the catalog for its demo customer and click ``clicks`` random available options."""
    rng = random.Random(seed)
    page.goto(f"{base}/rep?lang=en&customer={customer}&catalog={catalog}")
    page.wait_for_selector("button.option", timeout=60_000)
    page.locator("body:not([aria-busy])").wait_for(timeout=60_000)
    page.evaluate("window.repTimings.length = 0")
    for _ in range(clicks):
        ids: list[str] = page.evaluate(
            """[...document.querySelectorAll('button.option[data-available="yes"]')].map((b) => b.id)"""
        )
        if not ids:
            page.locator("#clear").click()
        else:
            page.locator(f"#{ids[rng.randrange(len(ids))]}").click(timeout=10_000)
        page.locator("body:not([aria-busy])").wait_for(timeout=60_000)
        page.wait_for_timeout(10)
    page.wait_for_timeout(300)  # the last reasons
    timings: list[dict[str, Any]] = page.evaluate("window.repTimings")
    return {kind: [t["ms"] for t in timings if t["kind"] == kind] for kind in ("domains", "reasons")}


def main(argv: list[str] | None = None) -> int:
    """Click through the four example catalogs, print the table, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=pick(30, 10))
    parser.add_argument("--seed", type=int, default=1)
    add_doc_options(parser)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    rows = []
    with served() as (base, cookie), sync_playwright() as play:
        browser = play.chromium.launch(executable_path="/usr/bin/chromium")
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.add_cookies(
            [{"name": "configurator_session", "value": cookie, "url": base, "secure": True, "httpOnly": True,
              "sameSite": "Strict"}]
        )  # fmt: skip
        page = context.new_page()
        for catalog, customer in CATALOGS.items():
            found = measure(page, base, catalog, customer, args.clicks, args.seed)
            rows.append((catalog, found["domains"], found["reasons"]))
        browser.close()
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"
    lines = [
        SECTION,
        "",
        f"`benchmarks/click_latency.py --clicks {args.clicks} --seed {args.seed}` on {machine}, headless "
        "Debian Chromium at 1366x900, the API served by uvicorn on the same machine (SQLite). Per click, "
        "measured in the page with `performance.now()`: to the updated options (domains) and, separately, to "
        "the reasons shown beside the unavailable options (a second request). Times in ms, p50 / p95.",
        "",
        "| catalog | clicks | domains p50 / p95 | reasons p50 / p95 | target (domains p95 < 150 ms) |",
        "| --- | ---: | ---: | ---: | --- |",
        *[
            f"| {c} | {len(d)} | {pct(d, 0.5):.0f} / {pct(d, 0.95):.0f} | {pct(r, 0.5):.0f} / {pct(r, 0.95):.0f} "
            f"| {'met' if pct(d, 0.95) < 150 else 'NOT met'} |"
            for c, d, r in rows
        ],
        "",
    ]
    print("\n".join(lines))
    publish(SECTION, "\n".join(lines), args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
