"""The command line's two consoles (standard output and standard error), made on first use.

Rich is imported only when a command prints, so ``configurator --help`` and the commands' start-up do not pay
for it twice. Both consoles write to whatever ``sys.stdout`` / ``sys.stderr`` is at the time of printing (so
captured output in tests and redirections work).

Example:
    >>> out() is out(), out() is err()
    (True, False)
    >>> out().print("ok: [not markup]", markup=False)
    ok: [not markup]
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["err", "out"]


@functools.cache
def _console(stderr: bool) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def out() -> Console:
    """The console on standard output (no highlighting, long lines not wrapped).

    Example:
        >>> out().stderr
        False
    """
    return _console(False)


def err() -> Console:
    """The console on standard error (no highlighting, long lines not wrapped).

    Example:
        >>> err().stderr
        True
    """
    return _console(True)
