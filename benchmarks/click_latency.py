"""Benchmark: click latency on the sales-rep page, measured in the browser (headless Chromium, Playwright).

The API and its ``/rep`` page are served by uvicorn over a fresh demo database; for each example catalog the
page opens the catalog's demo customer and clicks ``--clicks`` random options that are not ruled out. The page
times each click with ``performance.now()`` (``window.repTimings``): from the click to the updated options
(``domains``: the choice posted and every option's state in the DOM) and, separately, to the reasons shown
beside the unavailable options (``reasons``: the second request, ``GET /sessions/{id}?explain=1``).

Target: domains p95 < 150 ms per catalog. Prints the table and updates the "Click latency in the browser"
section of docs/benchmarks.md (with ``--doc``).

Each run starts a fresh (cold) server. ``--warm on`` (``CONFIGURATOR_WARM_REASONS=true``; off by default) lets the server work out each
catalog's reasons in the background when the catalog's first session opens (``CONFIGURATOR_WARM_REASONS``);
``--warm off`` (the default, as deployed) does not; ``--warm both`` runs the two cold servers one after the other and prints their rows
side by side: the reasons the warm-up saves, and whether the clicks (domains) slow while it runs.

The API runs as deployed, in its own uvicorn process(es) (``--workers``, default 1: the embedded SQLite
database serialises writers, PostgreSQL is the database for more workers); the next click comes a short pause
after the previous click's reasons are shown, as a rep reads them.

Run: ``.venv/bin/python benchmarks/click_latency.py [--clicks 30] [--seed 1] [--workers 1] [--warm on|off|both]
[--doc | --no-doc]``.
Needs ``/usr/bin/chromium`` and the dev extra (playwright). Quick mode (``BENCH_QUICK=1``): fewer clicks.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
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
THINK_MS = 200
"""The rep's pause after the reasons are shown, before the next click."""
WARM_UP = 8
"""Clicks per catalog before timing: each worker process compiles the catalog on its first request there."""


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values`` (nan when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@contextmanager
def served(workers: int, warm: bool = False) -> Iterator[tuple[str, str]]:
    """The API as deployed, over a fresh demo database: ``uvicorn --workers N`` in its own processes.

    ``warm``: the server works out each catalog's reasons in the background when first served
    (``CONFIGURATOR_WARM_REASONS``).

    The browser and the server must not share one interpreter: in one process the reasons of one click (pure
    Python) and the next click's request would take turns on the same lock, which a deployment never does.
    Answers the URL and a signed-in rep's cookie.
    """
    sys.path.insert(0, str(ROOT / "tests"))
    from configurator.api import make_app
    from support import SECRET, api_settings, demo_store, rep_sign_in

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/configurator.db"
        demo_store(url).engine.dispose()
        app = make_app(api_settings(url), ROOT / "catalogs")
        cookie = rep_sign_in(app)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = {
            **os.environ,
            "CONFIGURATOR_DATABASE_URL": url,
            "CONFIGURATOR_SECRET_KEY": SECRET,
            "CONFIGURATOR_CATALOGS_DIR": str(ROOT / "catalogs"),
            "CONFIGURATOR_WARM_REASONS": "true" if warm else "false",
        }
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "configurator.api.app:app_from_environment",
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning",
        ]  # fmt: skip
        server = subprocess.Popen(command, env=env, cwd=tmp)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/openapi.json", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("the API server did not start") from None
                    time.sleep(0.2)
            yield base, cookie
        finally:
            server.terminate()
            server.wait(timeout=20)


def _click(page: Any, rng: random.Random) -> None:
    """Click as a rep would, wait for the reasons, then pause.

    A random available option; the first repair offered when a conflict shows; clear when nothing is left.
    """
    ids: list[str] = page.evaluate(
        """[...document.querySelectorAll('button.option[data-available="yes"]')].map((b) => b.id)"""
    )
    repair = page.locator("button.repair-button").first
    if repair.count():  # a conflict on screen: the rep applies the first repair offered
        repair.click(timeout=10_000)
    elif not ids:
        page.locator("#clear").click()
    else:
        page.locator(f"#{ids[rng.randrange(len(ids))]}").click(timeout=10_000)
    page.locator("body:not([aria-busy])").wait_for(timeout=60_000)
    deadline = time.monotonic() + 60
    while page.evaluate("window.repReasonsPending") and time.monotonic() < deadline:
        page.wait_for_timeout(
            10
        )  # polled from here: the page's policy forbids the eval wait_for_function uses
    page.wait_for_timeout(THINK_MS)


def measure(
    page: Any, base: str, catalog: str, customer: str, clicks: int, seed: int
) -> dict[str, list[float]]:
    """Open the catalog for its demo customer and click ``clicks`` random available options."""
    rng = random.Random(seed)
    page.goto(f"{base}/rep?lang=en&customer={customer}&catalog={catalog}")
    page.wait_for_selector("button.option", timeout=60_000)
    page.locator("body:not([aria-busy])").wait_for(timeout=60_000)
    for _ in range(WARM_UP):  # every worker compiles the catalog once: not part of a click
        _click(page, rng)
    page.locator("#clear").click()
    page.locator("body:not([aria-busy])").wait_for(timeout=60_000)
    page.wait_for_timeout(300)
    page.evaluate("window.repTimings.length = 0")
    for _ in range(clicks):
        _click(page, rng)
    timings: list[dict[str, Any]] = page.evaluate("window.repTimings")
    return {kind: [t["ms"] for t in timings if t["kind"] == kind] for kind in ("domains", "reasons")}


def run(workers: int, warm: bool, clicks: int, seed: int) -> list[tuple[str, list[float], list[float]]]:
    """Click through the four example catalogs on a fresh server: per catalog, the domains and reasons times."""
    from playwright.sync_api import sync_playwright

    rows = []
    with served(workers, warm) as (base, cookie), sync_playwright() as play:
        browser = play.chromium.launch(executable_path="/usr/bin/chromium")
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.add_cookies(
            [{"name": "configurator_session", "value": cookie, "url": base, "secure": True, "httpOnly": True,
              "sameSite": "Strict"}]
        )  # fmt: skip
        page = context.new_page()
        for catalog, customer in CATALOGS.items():
            found = measure(page, base, catalog, customer, clicks, seed)
            rows.append((catalog, found["domains"], found["reasons"]))
        browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    """Click through the four example catalogs, print the table, update docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=pick(30, 10))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--warm",
        choices=("on", "off", "both"),
        default="off",
        help="the server's background warm-up of reasons (CONFIGURATOR_WARM_REASONS); both: one cold server each",
    )
    add_doc_options(parser)
    args = parser.parse_args(argv)

    modes = ["on", "off"] if args.warm == "both" else [args.warm]
    results = {mode: run(args.workers, mode == "on", args.clicks, args.seed) for mode in modes}
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"
    warm_text = {
        "on": "with the reasons warmed in the background when a catalog is first served (`CONFIGURATOR_WARM_REASONS=true`)",
        "off": "with the background warm-up of reasons off (the default)",
        "both": "on two fresh servers, with the background warm-up of reasons on and off (the default) "
        "(`CONFIGURATOR_WARM_REASONS=false`)",
    }[args.warm]
    lines = [
        SECTION,
        "",
        f"`benchmarks/click_latency.py --clicks {args.clicks} --seed {args.seed} --workers {args.workers} "
        f"--warm {args.warm}` on "
        f"{machine}, headless Debian Chromium at 1366x900, the API served as deployed (`uvicorn --workers "
        f"{args.workers}`, SQLite) on the same machine, freshly started, {warm_text}; "
        f"after {WARM_UP} warm-up clicks per catalog; the next click comes {THINK_MS} ms after the reasons "
        "are shown (the page asks for them 150 ms after the last click). Per click, "
        "measured in the page with `performance.now()`: to the updated options (domains) and, separately, to "
        "the reasons shown beside the unavailable options (a second request, sent with the guided-selling "
        "questions once the rep pauses: the reasons time includes the 150 ms pause and the domains before it). "
        "Times in ms, p50 / p95.",
        "",
        "| catalog | warm-up | clicks | domains p50 / p95 | reasons p50 / p95 | target (domains p95 < 150 ms) |",
        "| --- | --- | ---: | ---: | ---: | --- |",
        *[
            f"| {c} | {mode} | {len(d)} | {pct(d, 0.5):.0f} / {pct(d, 0.95):.0f} | "
            f"{pct(r, 0.5):.0f} / {pct(r, 0.95):.0f} | {'met' if pct(d, 0.95) < 150 else 'NOT met'} |"
            for k in range(len(CATALOGS))
            for mode in modes
            for c, d, r in [results[mode][k]]
        ],
        "",
    ]
    print("\n".join(lines))
    publish(SECTION, "\n".join(lines), args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
