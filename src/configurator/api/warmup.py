"""Reasons warmed off the request path: a catalog's first session starts working out its reasons in the background.

The sales-rep page asks for the reasons of the removed options after each click (``GET /sessions/{id}?explain=1``).
On a freshly started worker nothing is remembered yet, so those answers take the solver's time (hundreds of
milliseconds, seconds at worst). :func:`~configurator.solver.reasons.warm_reasons` works out, once, what each single
choice removes and why (2 to 15 seconds per example catalog); the :class:`ReasonWarmer` of the API's sessions
starts it when a catalog version is first served in a session of this process (opened, or rebuilt from its row),
once per catalog version and process, and never again for that version, whatever happens.

Where it runs (measured with ``benchmarks/click_latency.py --warm both``, 2 CPUs, 30 clicks per catalog): a
daemon thread of the worker. The memories it fills (:mod:`configurator.solver.reasons`) are per process and keyed
by the compiled catalog object, so a subprocess could not hand them back without keying them again, and on a
machine of two cores it would take the core the browser and the server share. A thread takes turns with the
requests on the interpreter's lock: working flat out (every other 5 ms slice) it moved the clicks' domains p95
from 97 to 149 ms (kitchen-modular) and from 98 to 151 ms (valve-pn5). So the thread gives way: it works at most
:data:`SHARE` of its time (resting between options in proportion to its work) and, before each option, waits
while another thread of the process wants the lock (a request running). The request never waits for it:
opening a session only starts the thread, and a failure in the warm-up (a thread that cannot start included) is
logged and ignored. What it saves is the first answer of each single choice's reasons; the reasons of later
clicks (several choices) are mostly worked out on demand still.

Turn it off with ``CONFIGURATOR_WARM_REASONS=false`` (:attr:`~configurator.settings.Settings.warm_reasons`).

Example:
    >>> from configurator.catalog.models import Catalog
    >>> from configurator.solver.session import ConfigurationSession
    >>> bike = Catalog.model_validate({"catalog": "bike", "version": "1", "currency": "EUR", "locales": ["en"],
    ...     "modules": {"frame": {"options": {"alu": {}, "carbon": {}}}}})
    >>> warmer = ReasonWarmer()
    >>> warmer.served(ConfigurationSession(bike)), warmer.served(ConfigurationSession(bike))
    (True, False)
    >>> warmer.join(); warmer.warmed[("bike", "1")]
    2
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from time import perf_counter, sleep
from typing import TYPE_CHECKING

from configurator.solver.reasons import warm_reasons

if TYPE_CHECKING:
    from configurator.solver.session import ConfigurationSession

__all__ = ["ReasonWarmer"]

log = logging.getLogger(__name__)


SHARE = 0.3
"""The most of its time the warm-up spends working: after each option it rests in proportion to its work."""

MAX_REST = 2.0
"""The longest rest after one option, and the longest wait for busy requests after it (seconds each)."""

BUSY_SECONDS = 0.001
"""Getting the interpreter's lock back after giving it away takes longer than this: a request is running."""

BUSY_REST = 0.05
"""How long the warm-up rests at a time while requests run (seconds)."""


class ReasonWarmer:
    """Starts :func:`~configurator.solver.reasons.warm_reasons` in a daemon thread, once per catalog version.

    Args:
        enabled: False starts nothing (:attr:`~configurator.settings.Settings.warm_reasons`).
        warm: what runs in the thread with a fresh session of the catalog (on the served session's date,
            backend and time limit) and a pause to call between its steps; answers how many reasons it worked
            out.
        share: the most of its time the warm-up works (1: no rest); it rests between steps so that the
            requests of the same process wait less for the interpreter's lock.

    Attributes:
        warmed: the warm-ups that finished, by ``(catalog id, version)``: how many reasons each worked out
            (-1: it failed, see the log).
    """

    def __init__(
        self,
        enabled: bool = True,
        warm: Callable[[ConfigurationSession, Callable[[], None]], int] = warm_reasons,
        share: float = SHARE,
    ) -> None:
        self.enabled = enabled
        self._warm = warm
        self.share = share
        self._lock = threading.Lock()
        self._started: set[tuple[str, str]] = set()
        self._threads: list[threading.Thread] = []
        self.warmed: dict[tuple[str, str], int] = {}

    def served(self, session: ConfigurationSession) -> bool:
        """Note that ``session``'s catalog is served; True when this starts its warm-up (never raises)."""
        if not self.enabled:
            return False
        key = (session.catalog.catalog, session.catalog.version)
        with self._lock:
            if key in self._started:
                return False
            self._started.add(key)  # once per version, even when it fails: a failure is not retried
        try:
            thread = threading.Thread(
                target=self._run,
                args=(key, session),
                name=f"warm-reasons:{key[0]}@{key[1]}",
                daemon=True,
            )
            thread.start()
        except Exception:  # e.g. no thread can start now: the reasons are worked out on demand instead
            log.warning("reasons of catalog %s version %s not warmed", *key, exc_info=True)
            return False
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        return True

    def _run(self, key: tuple[str, str], served: ConfigurationSession) -> None:
        """The warm-up on a fresh session (never the served one: its choices change under requests)."""
        from configurator.solver.session import ConfigurationSession

        start = perf_counter()
        try:
            session = ConfigurationSession(
                served.catalog, on=served.on, backend=served.backend, time_limit=served.time_limit
            )
            count = self._warm(session, _Rest(self.share))
        except Exception:
            log.warning("warming the reasons of catalog %s version %s failed", *key, exc_info=True)
            count = -1
        else:
            log.info(
                "warmed %d reasons of catalog %s version %s in %.1f s",
                count,
                *key,
                perf_counter() - start,
            )
        with self._lock:
            self.warmed[key] = count

    def join(self, timeout: float | None = None) -> None:
        """Wait for the warm-ups started so far (each up to ``timeout`` seconds; None: until they end)."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)


class _Rest:
    """A pause that rests in proportion to the work since the last one, then while requests want the lock."""

    def __init__(self, share: float) -> None:
        self.share = share
        self._since = perf_counter()

    def __call__(self) -> None:
        worked = perf_counter() - self._since
        if 0 < self.share < 1:
            sleep(min(worked * (1 - self.share) / self.share, MAX_REST))
        waited = 0.0
        while waited < MAX_REST and _busy():
            sleep(BUSY_REST)
            waited += BUSY_REST
        self._since = perf_counter()


def _busy() -> bool:
    """Whether another thread of the process waits for the interpreter's lock (handing it over takes a while)."""
    start = perf_counter()
    sleep(0)  # gives the lock to a thread waiting for it, if any; back at once otherwise
    return perf_counter() - start > BUSY_SECONDS
