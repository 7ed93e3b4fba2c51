"""Counting in forked child processes: a wall-clock limit, an optional memory cap, and races between engines.

A counting engine may have no time limit of its own (Ganak), print from native code, or grow without bound;
a child process can be killed at its deadline and capped in address space, and its standard output is closed.
:func:`race` starts several counts at once and keeps the first exact answer, killing the others; a count
can run at a lower scheduling priority (``nice``), so that on a busy machine it takes only the CPU time the
favourite leaves idle instead of halving it.

Example:
    >>> run_in_child(lambda: 2**100, time_limit=30, what="a count")
    1267650600228229401496703205376
    >>> race({"slow": lambda: __import__("time").sleep(30) or 1, "fast": lambda: 7}, time_limit=20)[:2]
    ('fast', 7)
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection, wait
from typing import Any

from configurator.errors import BackendLimitError, SolverError

__all__ = ["race", "run_in_child"]

Count = Callable[[], int]
"""A count to run: no arguments (the child inherits everything by fork), an exact int back."""


def _main(
    count: Count, memory_limit: int | None, conn: Connection, nice: int = 0
) -> None:  # pragma: no cover - in a child
    """Run ``count`` and send ``("ok", n)``, ``("limit", message)`` or ``("error", message)``.

    ``nice``: how many steps below this process's scheduling priority the count runs.
    """
    try:
        if nice:
            os.nice(nice)
        if memory_limit is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        conn.send(("ok", count()))
    except (BackendLimitError, MemoryError) as exc:
        conn.send(("limit", f"{type(exc).__name__}: {exc}" if isinstance(exc, MemoryError) else str(exc)))
    except BaseException as exc:  # anything: the parent must hear of it
        conn.send(("error", str(exc) if isinstance(exc, SolverError) else f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
        os._exit(0)  # no atexit handlers or inherited finalisers in the child


class _Child:
    """One forked child computing a count, and the read end of its pipe."""

    def __init__(self, count: Count, memory_limit: int | None, nice: int = 0) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, send = context.Pipe(duplex=False)
        self.process: Any = context.Process(target=_main, args=(count, memory_limit, send, nice), daemon=True)
        self.process.start()
        send.close()
        self.started = time.perf_counter()

    def result(self) -> tuple[str, Any]:
        """The child's message, or ``("limit", ...)`` when it died without one."""
        try:
            message: tuple[str, Any] = self.conn.recv()
        except EOFError:
            self.process.join()
            return "limit", f"stopped with exit code {self.process.exitcode} (out of memory?)"
        return message

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def run_in_child(
    count: Count, *, time_limit: float | None, memory_limit: int | None = None, what: str
) -> int:
    """``count()`` in a forked child, killed after ``time_limit`` seconds (None: no limit).

    Raises:
        BackendLimitError: the child passed ``time_limit``, ran out of memory, died, or raised one.
        SolverError: ``count`` raised another error (its message is kept).
    """
    child = _Child(count, memory_limit)
    try:
        if not child.conn.poll(time_limit):
            raise BackendLimitError(f"{what}: time limit of {time_limit:g} s exceeded")
        status, value = child.result()
    finally:
        child.stop()
    if status == "ok":
        return int(value)
    if status == "limit":
        raise BackendLimitError(f"{what}: {value}")
    raise SolverError(f"{what}: {value}")


def race(
    counts: Mapping[str, Count],
    *,
    time_limit: float | None,
    memory_limit: int | None = None,
    nice: Mapping[str, int] | None = None,
) -> tuple[str, int, float, list[tuple[str, float, str]]]:
    """Run every count at once, each in its own child; the first exact answer wins and the others are killed.

    Args:
        counts: the counts to race, by name.
        time_limit: wall-clock seconds for all of them (None: no limit).
        memory_limit: bytes of address space for each child (None: no cap).
        nice: how many steps below this process's scheduling priority a count runs, by name (0 if absent):
            a niced count gets a CPU when one is idle and yields it to the others when the machine is busy.

    Returns:
        The winner's name, its count, its seconds, and every finished or stopped try as (name, seconds,
        ``"counted"`` or why it gave up), in the order they ended.

    Raises:
        SolverError: no count answered within ``time_limit`` (the message names each reason).
    """
    children = {
        name: _Child(count, memory_limit, (nice or {}).get(name, 0)) for name, count in counts.items()
    }
    waiting: dict[Any, str] = {child.conn: name for name, child in children.items()}
    tries: list[tuple[str, float, str]] = []
    deadline = None if time_limit is None else time.perf_counter() + time_limit
    try:
        while waiting:
            left = None if deadline is None else max(0.0, deadline - time.perf_counter())
            ready = wait(list(waiting), left)
            if not ready:
                break
            for conn in ready:
                name = waiting.pop(conn)
                child = children[name]
                status, value = child.result()
                seconds = time.perf_counter() - child.started
                if status == "ok":
                    tries.append((name, seconds, "counted"))
                    return name, int(value), seconds, tries
                tries.append((name, seconds, str(value)))
        for name in waiting.values():
            tries.append(
                (
                    name,
                    time.perf_counter() - children[name].started,
                    f"time limit of {time_limit:g} s exceeded",
                )
            )
    finally:
        for child in children.values():
            child.stop()
    raise SolverError("; ".join(f"{name} gave up after {s:.1f} s: {why}" for name, s, why in tries))
