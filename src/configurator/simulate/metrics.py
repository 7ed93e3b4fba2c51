"""Per-purchase measures of a proposing system, each with a 95 % interval.

For each purchase index (1st, 2nd... purchase of every customer) a :class:`Series` keeps, per customer, the
edits (modules whose selection differs between the first proposal and what the customer bought), whether the
proposal was accepted unchanged (no edits), the utility regret and, for the learned system, the seconds of the
cycle. Intervals are 95 %: Wilson's score interval for the acceptance share, the normal approximation
(mean +- 1.96 standard errors) for means.

Example:
    >>> s = Series()
    >>> for edits in (0, 0, 1, 3):
    ...     s.add(0, edits=edits, regret=edits / 10)
    >>> round(s.acceptance(0), 2), s.mean_edits(0), [round(x, 2) for x in s.acceptance_interval(0)]
    (0.5, 1.0, [0.15, 0.85])
"""

from __future__ import annotations

import dataclasses
import math
import statistics

__all__ = ["Series", "mean_interval", "wilson"]

Z95 = 1.959964
"""The 97.5 % quantile of the standard normal."""


def wilson(successes: int, n: int) -> tuple[float, float]:
    """Wilson's 95 % score interval of a share.

    Example:
        >>> [round(x, 3) for x in wilson(0, 10)]
        [0.0, 0.278]
    """
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def mean_interval(values: list[float]) -> tuple[float, float]:
    """Mean +- 1.96 standard errors (the mean itself twice with fewer than two values).

    Example:
        >>> [round(x, 2) for x in mean_interval([1.0, 3.0])]
        [0.04, 3.96]
    """
    if not values:
        return (math.nan, math.nan)
    mean = statistics.fmean(values)
    if len(values) < 2:
        return (mean, mean)
    half = Z95 * statistics.stdev(values) / math.sqrt(len(values))
    return (round(mean - half, 10), round(mean + half, 10))


@dataclasses.dataclass
class Series:
    """One system's measures by purchase index."""

    edits: list[list[int]] = dataclasses.field(default_factory=list)
    regrets: list[list[float]] = dataclasses.field(default_factory=list)
    seconds: list[list[float]] = dataclasses.field(default_factory=list)

    def add(self, index: int, *, edits: int, regret: float, seconds: float | None = None) -> None:
        """Record one customer's proposal at purchase ``index`` (0-based)."""
        while len(self.edits) <= index:
            self.edits.append([])
            self.regrets.append([])
            self.seconds.append([])
        self.edits[index].append(edits)
        self.regrets[index].append(regret)
        if seconds is not None:
            self.seconds[index].append(seconds)

    @property
    def purchases(self) -> int:
        """How many purchase indexes were recorded."""
        return len(self.edits)

    def acceptance(self, index: int) -> float:
        """Share of first proposals accepted unchanged."""
        values = self.edits[index]
        return sum(1 for e in values if e == 0) / len(values) if values else math.nan

    def acceptance_interval(self, index: int) -> tuple[float, float]:
        """Wilson 95 % interval of :meth:`acceptance`."""
        values = self.edits[index]
        return wilson(sum(1 for e in values if e == 0), len(values))

    def mean_edits(self, index: int) -> float:
        """Mean edits."""
        return statistics.fmean(self.edits[index]) if self.edits[index] else math.nan

    def mean_regret(self, index: int) -> float:
        """Mean normalised utility regret."""
        return statistics.fmean(self.regrets[index]) if self.regrets[index] else math.nan

    def mean_seconds(self, index: int) -> float:
        """Mean seconds per cycle (nan when not timed)."""
        return statistics.fmean(self.seconds[index]) if self.seconds[index] else math.nan

    def to_data(self) -> dict[str, object]:
        """The series as JSON-ready lists indexed by purchase, with their 95 % intervals."""
        indexes = range(self.purchases)
        data: dict[str, object] = {
            "acceptance": [round(self.acceptance(i), 4) for i in indexes],
            "edits": [round(self.mean_edits(i), 4) for i in indexes],
            "regret": [round(self.mean_regret(i), 4) for i in indexes],
            "intervals": {
                "acceptance": [[round(x, 4) for x in self.acceptance_interval(i)] for i in indexes],
                "edits": [
                    [round(x, 4) for x in mean_interval([float(e) for e in self.edits[i]])] for i in indexes
                ],
                "regret": [[round(x, 4) for x in mean_interval(self.regrets[i])] for i in indexes],
            },
        }
        if any(self.seconds):
            data["seconds"] = [round(self.mean_seconds(i), 4) for i in indexes]
            intervals = data["intervals"]
            assert isinstance(intervals, dict)
            intervals["seconds"] = [[round(x, 4) for x in mean_interval(self.seconds[i])] for i in indexes]
        return data
