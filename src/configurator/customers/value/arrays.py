"""Array plumbing shared by the value models and measures: validated float arrays, one element per customer."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["FloatArray", "IntArray"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _floats(values: npt.ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim > 1:
        raise ValueError(f"{name}: expected a scalar or a 1-d array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: expected finite numbers, got NaN or infinity")
    return array


def _history(
    frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Validated, broadcast (frequency, recency, T) arrays."""
    x, t_x, age = np.broadcast_arrays(
        _floats(frequency, "frequency"), _floats(recency, "recency"), _floats(T, "T")
    )
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("frequency: expected whole numbers >= 0 (repeat purchases)")
    if np.any(t_x < 0) or np.any(t_x > age * (1 + 1e-9) + 1e-9):
        raise ValueError("recency: expected 0 <= recency <= T (age at the last purchase)")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency: expected 0 for customers without repeat purchases")
    return (
        np.atleast_1d(x).astype(np.float64),
        np.atleast_1d(np.minimum(t_x, age)).astype(np.float64),
        np.atleast_1d(age).astype(np.float64),
    )


def _shape(*values: npt.ArrayLike) -> tuple[int, ...]:
    """The broadcast shape of the inputs: results have it, so scalars in give 0-d arrays out."""
    return tuple(np.broadcast_shapes(*(np.shape(v) for v in values)))


def _wsum(w: FloatArray, values: FloatArray) -> float:
    """``sum(w * values)`` without BLAS: a BLAS dot product spins threads that stall on a busy machine."""
    return float(np.add.reduce(w * values))


def _weights(sample_weight: npt.ArrayLike | None, n: int) -> FloatArray:
    if sample_weight is None:
        return np.ones(n)
    w = np.broadcast_to(_floats(sample_weight, "sample_weight"), (n,)).astype(np.float64)
    if np.any(w < 0) or not np.any(w > 0):
        raise ValueError("sample_weight: expected non-negative weights, not all zero")
    return w
