"""A small thread-safe memo that keeps its most recently used entries (the solver's per-process memories).

Example:
    >>> recent: Recent[str, int] = Recent(2)
    >>> recent.put("a", 1); recent.put("b", 2); recent.get("a")
    1
    >>> recent.put("c", 3)  # "b" is the least recently used: it goes
    >>> recent.get("b") is None, recent.get("a"), recent.get("c")
    (True, 1, 3)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["Recent"]

_K = TypeVar("_K")
_V = TypeVar("_V")


class Recent(Generic[_K, _V]):
    """A map that keeps its ``size`` most recently used entries; every operation takes its lock."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[_K, _V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: _K) -> _V | None:
        """The entry (now the most recently used), or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: _K, value: _V) -> None:
        """Keep ``value`` under ``key``, dropping the least recently used entries beyond ``size``."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
