"""Benchmark: HTTP API throughput and latency under load, 1 and 2 worker processes, SQLite and PostgreSQL.

Starts the API with uvicorn (``configurator.api.app:app_from_environment``, ``--workers 1`` then ``2``) on
127.0.0.1 over a database holding the demo data, creates an API key, and sends a bounded number of requests
per scenario from a small asyncio HTTP/1.1 client (keep-alive connections, no third-party client: the load
generator shares the machine's cores with the server and should cost as little as possible):

- ``validate``: ``POST /catalogs/ebike-urban/validate`` with a full valid configuration;
- ``price``: ``POST /catalogs/ebike-urban/price`` with that configuration, ship-to PT;
- ``session open``: ``POST /sessions`` for a known customer (the catalog compiled once per worker, the
  customer's needs from the population model fitted once per worker);
- ``session step``: ``POST /sessions/{sid}/choices`` selecting and unsetting an option (one session per
  connection, opened before timing);
- ``quote html``: ``GET /quotes/{qid}?format=html`` of a saved quote.

Every request goes to 127.0.0.1 only, authenticated like any client. Prints a table (requests/s, median, p95
and p99 latency, errors) and updates the "HTTP API under load" section of docs/benchmarks.md. Targets:
validate and price >= 500 requests/s with p99 < 50 ms on 2 workers.

Run: ``.venv/bin/python benchmarks/api_load.py [--requests 3000] [--concurrency 8] [--doc | --no-doc]``
(PostgreSQL: a throwaway server is started when ``pg_ctl`` is found, else ``--pg-url URL``; ``--no-pg``
skips it). Quick mode (``BENCH_QUICK=1``): 400 requests per scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _docs import ROOT, add_doc_options, pick, publish

SECTION = "## HTTP API under load"
SECRET = "benchmark-secret-key-" + "k" * 32
CATALOG = "ebike-urban"
CUSTOMER = "c-1019"


@dataclass
class Result:
    """One scenario's measurements."""

    database: str
    workers: int
    scenario: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    def pct(self, q: float) -> float:
        """The ``q`` quantile latency in milliseconds."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _prepare(url: str) -> str:
    """Load the demo data into an empty database and create a key; the key."""
    from configurator.access import KeyRing
    from configurator.customers.ingest import ingest_file
    from configurator.storage import CredentialStore, SqlStore, make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    ingest_file(ROOT / "examples" / "data" / "events.jsonl", SqlStore(engine, "demo"), tenant="demo")
    key, _ = KeyRing(CredentialStore(engine), SECRET.encode()).create(
        "demo", "load benchmark", ["admin"], created_by="benchmark"
    )
    engine.dispose()
    return key


@contextlib.contextmanager
def _server(url: str, workers: int, log: Path) -> Iterator[int]:
    """A uvicorn server with ``workers`` processes over ``url``; its port."""
    port = _free_port()
    env = {
        **os.environ,
        "CONFIGURATOR_DATABASE_URL": url,
        "CONFIGURATOR_SECRET_KEY": SECRET,
        "CONFIGURATOR_CATALOGS_DIR": str(ROOT / "catalogs"),
        "CONFIGURATOR_SESSIONS_PER_KEY": "1000",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "configurator.api.app:app_from_environment"]
    command += [
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start")
                time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=60)


class Connection:
    """One keep-alive HTTP/1.1 connection (just enough of the protocol for this benchmark)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, key: str) -> None:
        self.reader, self.writer, self.key = reader, writer, key

    @classmethod
    async def open(cls, port: int, key: str) -> Connection:
        """Connect to 127.0.0.1:port."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer, key)

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        """Send one request and read the whole answer: status and body."""
        payload = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {self.key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self.writer.write(head.encode() + payload)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if not chunked:
            return status, await self.reader.readexactly(length)
        data = b""
        while True:
            size = int((await self.reader.readline()).strip(), 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return status, data
            data += chunk[:-2]

    def close(self) -> None:
        """Close the connection."""
        self.writer.close()


async def _scenario(
    port: int, key: str, name: str, requests: int, concurrency: int
) -> tuple[float, list[float], int]:
    """Run one scenario: seconds, latencies and error count (after a warm-up of each connection)."""
    connections = [await Connection.open(port, key) for _ in range(concurrency)]
    probe = connections[0]
    _, body = await probe.request("POST", "/sessions", {"catalog": CATALOG})
    sid = json.loads(body)["session_id"]
    _, body = await probe.request("POST", f"/sessions/{sid}/complete", {"strategy": "defaults"})
    selections = json.loads(body)["configuration"]["selections"]
    _, body = await probe.request("POST", f"/customers/{CUSTOMER}/quotes", {"catalog": CATALOG})
    quote = json.loads(body)["quote_id"]
    sessions = []
    for c in connections:
        _, body = await c.request("POST", "/sessions", {"catalog": CATALOG})
        state = json.loads(body)
        sessions.append((state["session_id"], next(iter(state["domains"]["frame"]))))

    def make(i: int, n: int) -> tuple[str, str, Any]:
        if name == "validate":
            return "POST", f"/catalogs/{CATALOG}/validate", {"selections": selections}
        if name == "price":
            return "POST", f"/catalogs/{CATALOG}/price", {"selections": selections, "country": "PT"}
        if name == "session open":
            return "POST", "/sessions", {"catalog": CATALOG, "customer_id": CUSTOMER}
        if name == "session step":
            sid, option = sessions[i]
            action = "select" if n % 2 == 0 else "unset"
            return "POST", f"/sessions/{sid}/choices", {"action": action, "module": "frame", "option": option}
        return "GET", f"/quotes/{quote}?format=html", None

    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))
    lock = asyncio.Lock()

    async def worker(i: int, c: Connection, timed: bool) -> None:
        nonlocal errors
        n = 0
        while True:
            async with lock:
                if timed:
                    if next(counter, None) is None:
                        return
                elif n >= 5:
                    return
            if timed and n and n % RECONNECT == 0:  # spread the connections over the workers again
                connections[i].close()
                connections[i] = c = await Connection.open(port, key)
            method, path, body = make(i, n)
            started = time.perf_counter()
            status, _ = await c.request(method, path, body)
            if timed:
                latencies.append(time.perf_counter() - started)
                errors += status >= 400
            n += 1

    await asyncio.gather(*(worker(i, c, False) for i, c in enumerate(connections)))
    started = time.perf_counter()
    await asyncio.gather(*(worker(i, c, True) for i, c in enumerate(connections)))
    seconds = time.perf_counter() - started
    for c in connections:
        c.close()
    return seconds, latencies, errors


RECONNECT = 50
"""Each connection is opened anew after this many requests: the kernel hands a new connection to whichever
worker accepts first, so long-lived connections could all land on one worker and hide the second."""

ALONE = "session open, one at a time"
"""Opening sessions one request at a time: the cost of one open, without queueing behind other requests."""

SCENARIOS = ("validate", "price", ALONE, "session open", "session step", "quote html")


def measure(database: str, url: str, workers: int, args: argparse.Namespace, log: Path) -> list[Result]:
    """Every scenario against one server of ``workers`` processes."""
    key = _prepare(url)
    results = []
    with _server(url, workers, log) as port:
        for name in SCENARIOS:
            n = args.requests if name in ("validate", "price") else max(100, args.requests // 4)
            alone = name == ALONE
            run = "session open" if alone else name
            seconds, latencies, errors = asyncio.run(
                _scenario(port, key, run, 100 if alone else n, 1 if alone else args.concurrency)
            )
            n = 100 if alone else n
            result = Result(database, workers, name, n, seconds, latencies, errors)
            print(
                f"{database:10} {workers} {name:13} {result.rate:7.0f} req/s  median {statistics.median(latencies) * 1000:6.1f} ms"
                f"  p99 {result.pct(0.99):6.1f} ms  errors {errors}",
                flush=True,
            )
            results.append(result)
    return results


def verdict(results: list[Result]) -> list[str]:
    """One line per target: validate and price on 2 workers (>= 500 requests/s, p99 < 50 ms), session open."""
    lines = []
    for r in results:
        if r.workers == 2 and r.scenario in ("validate", "price"):
            met = r.rate >= 500 and r.pct(0.99) < 50
            lines.append(
                f"- {r.database}, 2 workers, {r.scenario}: {r.rate:.0f} requests/s, p99 {r.pct(0.99):.1f} ms: "
                f"target (>= 500/s, p99 < 50 ms) {'met' if met else 'NOT met'}."
            )
        if r.scenario == ALONE:
            met = statistics.median(r.latencies) < 0.05
            lines.append(
                f"- {r.database}, {r.workers} worker(s), opening a customer's session alone: median "
                f"{statistics.median(r.latencies) * 1000:.1f} ms, p95 {r.pct(0.95):.1f} ms: target (< 50 ms) "
                f"{'met' if met else 'NOT met'}."
            )
    return lines


@contextlib.contextmanager
def _postgres(args: argparse.Namespace) -> Iterator[Any]:
    """A function making fresh PostgreSQL database URLs, or None (no server and no ``--pg-url``)."""
    if args.no_pg:
        yield None
        return
    if args.pg_url:
        yield lambda: args.pg_url
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from pg import PostgresServer, find_pg_ctl

    pg_ctl = find_pg_ctl()
    if pg_ctl is None:
        print("PostgreSQL: no pg_ctl found, skipped (pass --pg-url)")
        yield None
        return
    server = PostgresServer(pg_ctl)
    try:
        yield server.fresh_database
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    """Run every scenario with 1 and 2 workers on SQLite and PostgreSQL; print and publish the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=pick(3000, 400))
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--pg-url", default=None)
    parser.add_argument("--no-pg", action="store_true")
    add_doc_options(parser)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp, _postgres(args) as fresh_pg:
        folder = Path(tmp)
        for workers in (1, 2):
            results += measure(
                "SQLite", f"sqlite:///{folder / f'w{workers}.db'}", workers, args, folder / "log"
            )
            if fresh_pg is not None:
                results += measure("PostgreSQL", fresh_pg(), workers, args, folder / "log")
    machine = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs"
    lines = [
        SECTION,
        "",
        f"`benchmarks/api_load.py --requests {args.requests} --concurrency {args.concurrency}` on {machine}: "
        "uvicorn (`configurator serve --workers N`, uvloop and httptools) on 127.0.0.1 over the demo "
        f"data; {args.concurrency} keep-alive connections (each opened anew every {RECONNECT} requests, so they "
        "spread over the workers) from one asyncio client process on the same machine (it shares the 2 cores "
        "with the workers and, for PostgreSQL, the database server); every request carries an API key. validate and price send a "
        f"full valid {CATALOG} configuration ({args.requests} requests each); a session open starts a session for "
        f"customer {CUSTOMER}; a session step selects or unsets "
        "an option of the connection's own session; quote html renders a saved quote "
        f"({max(100, args.requests // 4)} requests each).",
        "",
        "| database | workers | scenario | requests/s | median ms | p95 ms | p99 ms | errors |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
        *[
            f"| {r.database} | {r.workers} | {r.scenario} | {r.rate:.0f} | {statistics.median(r.latencies) * 1000:.1f} "
            f"| {r.pct(0.95):.1f} | {r.pct(0.99):.1f} | {r.errors} |"
            for r in results
        ],
        "",
        *verdict(results),
        "",
        f"Machine load (1-minute load average, other processes included): {load_before:.1f} before the run, "
        f"{os.getloadavg()[0]:.1f} after it.",
        "",
    ]
    print("\n".join(lines))
    publish(SECTION, "\n".join(lines), args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
