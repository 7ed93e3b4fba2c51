"""The contract every population model of needs keeps: ``fit`` on sold configurations, then ``distribution``.

:class:`NeedsModel` codes the sales (one column per variable, ``-1`` where a sale did not record it), keeps the
counts, and answers ``distribution(variable, partial, candidates)`` and ``recommend`` from a subclass's
``_scores``; :func:`ranked` orders a distribution. The models themselves are in
:mod:`configurator.needs.models` and :mod:`configurator.needs.network`.

Example:
    >>> ranked({3: 0.25, 1: 0.5})
    [(1, 0.5), (3, 0.25)]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar, Self

import numpy as np
import numpy.typing as npt

from configurator.errors import ConfiguratorError, NotFittedError

__all__ = ["FloatArray", "IntArray", "NeedsModel", "ranked"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class NeedsModel:
    """A population model of needs: ``P(value | partial configuration)`` learned from sold configurations.

    Subclasses implement ``_scores``. Learned state: ``variables_`` (in first-seen order), ``domains_`` (the
    values of each variable: the given domains, else the values seen), ``n_rows_`` and ``counts_`` (how often
    each value was sold).
    """

    name: ClassVar[str] = "model"

    def __init__(self) -> None:
        self.variables_: tuple[str, ...]
        self.domains_: dict[str, tuple[int, ...]]
        self.n_rows_: int
        self.counts_: dict[str, FloatArray]
        self._codes: IntArray
        self._column: dict[str, int]
        self._index: dict[str, dict[int, int]]
        self._priors: dict[int, FloatArray] = {}
        self._marginals: dict[int, dict[int, float]] = {}

    def fit(
        self, rows: Iterable[Mapping[str, int]], domains: Mapping[str, Sequence[int]] | None = None
    ) -> Self:
        """Learn from sold configurations.

        Args:
            rows: one ``{variable: value}`` per sale; variables may be missing from a row (not recorded).
            domains: the values each variable can take. Values outside them are treated as not recorded
                (raw sales histories hold such values); without domains, the values seen are the domains.

        Returns:
            self.

        Raises:
            ConfiguratorError: no rows, or a domain with no values.
        """
        table = [dict(row) for row in rows]
        if not table:
            raise ConfiguratorError(
                f"{type(self).__name__}.fit: expected at least one sold configuration, got 0"
            )
        self._priors, self._marginals = {}, {}
        names: dict[str, None] = dict.fromkeys(domains or ())
        for row in table:
            names.update(dict.fromkeys(row))
        values: dict[str, tuple[int, ...]] = {}
        for name in names:
            if domains is not None and name in domains:
                values[name] = tuple(dict.fromkeys(int(v) for v in domains[name]))
            else:
                values[name] = tuple(sorted({row[name] for row in table if name in row}))
            if not values[name]:
                raise ConfiguratorError(f"{type(self).__name__}.fit: variable {name!r} has no values")
        self.variables_ = tuple(names)
        self.domains_ = values
        self._column = {name: j for j, name in enumerate(self.variables_)}
        self._index = {name: {v: k for k, v in enumerate(vals)} for name, vals in values.items()}
        codes = np.full((len(table), len(self.variables_)), -1, dtype=np.int64)
        for i, row in enumerate(table):
            for name, value in row.items():
                code = self._index[name].get(value)
                if code is not None:
                    codes[i, self._column[name]] = code
        self._codes = codes
        self.n_rows_ = len(table)
        self.counts_ = {
            name: np.bincount(codes[:, j][codes[:, j] >= 0], minlength=len(values[name])).astype(np.float64)
            for j, name in enumerate(self.variables_)
        }
        self._fit()
        return self

    def _fit(self) -> None:
        """Subclass hook: learn what ``_scores`` needs (the coded table is in ``self._codes``)."""

    def _sizes(self) -> list[int]:
        return [len(self.domains_[name]) for name in self.variables_]

    def _check(self) -> None:
        if not hasattr(self, "n_rows_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet: call fit(rows) first")

    def _scores(self, j: int, partial: list[tuple[int, int]]) -> FloatArray:
        """Unnormalised score of every value of column ``j`` given ``partial`` as (column, code) pairs."""
        raise NotImplementedError

    def _prior(self, j: int) -> FloatArray:
        """The scores of column ``j`` given nothing: the same for every customer, so computed once per fit."""
        found = self._priors.get(j)
        if found is None:
            found = self._scores(j, [])
            found.setflags(write=False)
            self._priors[j] = found
        return found

    def distribution(
        self, variable: str, partial: Mapping[str, int], candidates: Sequence[int] | None = None
    ) -> dict[int, float]:
        """``P(variable = value | partial)`` over the candidates (default: its domain), summing to 1.

        Variables of ``partial`` the model never saw are ignored (hidden variables). Candidates outside the
        learned domain get the smallest probability.

        Raises:
            NotFittedError: before ``fit``.
            ConfiguratorError: unknown variable, or no candidates.
        """
        self._check()
        j = self._column.get(variable)
        if j is None:
            raise ConfiguratorError(
                f"unknown variable {variable!r}: the model learned {len(self.variables_)}"
            )
        values = self.domains_[variable] if candidates is None else tuple(candidates)
        if not values:
            raise ConfiguratorError(f"no candidate values for {variable!r}")
        coded: list[tuple[int, int]] = []
        for name, value in partial.items():
            col = self._column.get(name)
            if col is not None and col != j:
                coded.append((col, self._index[name].get(value, -2)))
        marginal = not coded and candidates is None
        if marginal and j in self._marginals:
            return dict(self._marginals[j])
        scores = self._scores(j, coded) if coded else self._prior(j)
        counts = self.counts_[variable]
        index = self._index[variable]
        raw: list[float] = []
        total_count = float(counts.sum())
        for value in values:
            k = index.get(value)
            score = float(scores[k]) if k is not None else 0.0
            count = float(counts[k]) if k is not None else 0.0
            # ties (e.g. nothing similar sold) are broken by popularity, then by candidate order
            raw.append(max(score, 0.0) + 1e-9 * (count + 1.0) / (total_count + len(counts)))
        total = sum(raw)
        found = {value: r / total for value, r in zip(values, raw, strict=True)}
        if marginal:
            self._marginals[j] = dict(found)
        return found

    def recommend(
        self, variable: str, partial: Mapping[str, int], candidates: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """The candidates ranked by probability (best first), with their probabilities."""
        return ranked(self.distribution(variable, partial, candidates))


def ranked(distribution: Mapping[int, float]) -> list[tuple[int, float]]:
    """A distribution's values by probability, best first; ties keep the candidates' order.

    Example:
        >>> ranked({3: 0.25, 1: 0.5, 2: 0.25})
        [(1, 0.5), (3, 0.25), (2, 0.25)]
    """
    order = {value: k for k, value in enumerate(distribution)}
    return sorted(distribution.items(), key=lambda item: (-item[1], order[item[0]]))
