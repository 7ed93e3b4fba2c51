"""A pairwise model of needs learned by masked pseudo-likelihood: one logistic regression per variable.

:class:`MaskedLogisticNeeds` is the neighbourhood-selection view of a pairwise Markov random field: for every
variable, a multinomial logistic regression predicts its value from the one-hot of the other variables (an
unchosen variable is an all-zero one-hot), L2-regularised. It is trained on copies of every sale where a
uniformly drawn number of variables is kept at random and the rest hidden, so that it predicts from any subset
of chosen variables, as in interactive configuration (a model trained on whole sales only would expect every
other variable to be known). Weights are fitted by L-BFGS (``scipy.optimize``) on a sparse design matrix.

Measured on the Renault sales (docs/needs.md, "Masked pseudo-likelihood"): about as precise as the tree of
:class:`~configurator.needs.models.ChowLiuNeeds` and a little below the default blend, for a fit one to two
orders of magnitude slower; a recommendation is a sum of weight rows (about 0.05 ms).

Example:
    >>> rows = [{"a": 1, "b": 0, "c": 5}] * 4 + [{"a": 2, "b": 1, "c": 6}] * 4
    >>> model = MaskedLogisticNeeds(l2=1.0).fit(rows)
    >>> model.recommend("c", {"a": 2})[0][0], model.recommend("c", {"b": 0})[0][0]
    (6, 5)
    >>> model.weights_[2].shape  # one row per value of every variable, one column per value of c
    (6, 2)
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt
import scipy.optimize
import scipy.sparse

from configurator.errors import ConfiguratorError
from configurator.needs.models import NeedsModel

__all__ = ["MaskedLogisticNeeds"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class MaskedLogisticNeeds(NeedsModel):
    """Per variable, a multinomial logistic regression on the one-hot of the others, trained on masked sales.

    Args:
        l2: L2 penalty on the weights, relative to the number of training rows (``mean log-loss + l2 / (2 n) *
            |W|^2``; > 0). Strong penalties won on the Renault sales (100 against 1, 3, 10, 30).
        copies: masked copies of every sale (>= 1): more copies see more subsets, and fit more slowly.
        max_iter: L-BFGS iterations per variable (>= 1).
        seed: seeds the masks.

    Learned state (beside :class:`~configurator.needs.models.NeedsModel`'s): ``offsets_`` (the first
    one-hot column of each variable), ``weights_`` and ``intercepts_`` (per variable, a ``(one-hot width,
    values)`` matrix whose own rows are 0, and one intercept per value).

    Example:
        >>> MaskedLogisticNeeds(l2=0.0)
        Traceback (most recent call last):
        ...
        configurator.errors.ConfiguratorError: MaskedLogisticNeeds: expected l2 > 0, got 0.0
    """

    name: ClassVar[str] = "masked_logistic"

    def __init__(self, l2: float = 100.0, copies: int = 2, max_iter: int = 100, seed: int = 0) -> None:
        super().__init__()
        if not l2 > 0:
            raise ConfiguratorError(f"MaskedLogisticNeeds: expected l2 > 0, got {l2}")
        if copies < 1 or max_iter < 1:
            raise ConfiguratorError(
                f"MaskedLogisticNeeds: expected copies >= 1 and max_iter >= 1, got {copies} and {max_iter}"
            )
        self.l2 = l2
        self.copies = copies
        self.max_iter = max_iter
        self.seed = seed

    def _fit(self) -> None:
        sizes = np.array(self._sizes(), dtype=np.int64)
        c = len(sizes)
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        width = int(sizes.sum())
        rng = np.random.default_rng(self.seed)
        codes = np.tile(self._codes, (self.copies, 1))
        n = len(codes)
        # each copy keeps a uniformly drawn number of variables, chosen at random (a configuration in progress);
        # a variable's own one-hot is in the matrix but its weights stay frozen at 0, so one matrix serves all
        keep_count = rng.integers(0, c, size=n)
        rank = np.argsort(rng.random((n, c)), axis=1).argsort(axis=1)
        kept = (rank < keep_count[:, None]) & (codes >= 0)
        rows, cols = np.nonzero(kept)
        features = scipy.sparse.csr_matrix(
            (np.ones(len(rows)), (rows, offsets[cols] + codes[rows, cols])), shape=(n, width)
        )
        self.offsets_ = offsets
        self.weights_: list[FloatArray] = []
        self.intercepts_: list[FloatArray] = []
        for j in range(c):
            k = int(sizes[j])
            target = codes[:, j]
            recorded = target >= 0
            if k < 2 or not recorded.any():
                self.weights_.append(np.zeros((width, k)))
                self.intercepts_.append(np.log(self.counts_[self.variables_[j]] + 1.0))
                continue
            x = features[recorded]
            y = target[recorded]
            own = np.zeros(width, dtype=bool)
            own[offsets[j] : offsets[j] + k] = True
            w, b = _fit_softmax(x, y, k, self.l2, own, self.max_iter)
            self.weights_.append(w)
            self.intercepts_.append(b)

    def _scores(self, j: int, partial: list[tuple[int, int]]) -> FloatArray:
        logits = self.intercepts_[j].copy()
        weights = self.weights_[j]
        for col, code in partial:
            if code >= 0:
                logits += weights[self.offsets_[col] + code]
        logits -= logits.max()
        scores: FloatArray = np.exp(logits)
        return scores


def _fit_softmax(
    x: scipy.sparse.csr_matrix,
    y: IntArray,
    k: int,
    l2: float,
    frozen: npt.NDArray[np.bool_],
    max_iter: int,
) -> tuple[FloatArray, FloatArray]:
    """Multinomial logistic regression (mean log-loss + l2 / (2 n) * |W|^2), the frozen feature rows kept at 0."""
    n, width = x.shape
    onehot = np.zeros((n, k))
    onehot[np.arange(n), y] = 1.0
    prior = np.log(onehot.mean(axis=0) + 1.0 / n)
    xt = x.T.tocsr()
    free = ~frozen

    def loss(theta: FloatArray) -> tuple[float, FloatArray]:
        w = theta[: width * k].reshape(width, k)
        b = theta[width * k :]
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(z).sum(axis=1))
        value = float((log_norm - z[np.arange(n), y]).sum()) / n + 0.5 * l2 / n * float((w * w).sum())
        p = np.exp(z - log_norm[:, None])
        p -= onehot
        gw = np.asarray(xt @ p) / n + l2 / n * w
        gw[~free] = 0.0
        gb = p.sum(axis=0) / n
        return value, np.concatenate([gw.ravel(), gb])

    theta0 = np.concatenate([np.zeros(width * k), prior])
    result = scipy.optimize.minimize(
        loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": max_iter, "ftol": 1e-7, "gtol": 1e-5}
    )
    theta = result.x
    return theta[: width * k].reshape(width, k), theta[width * k :]
