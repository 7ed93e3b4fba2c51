"""The BG/NBD and Gamma-Gamma models, fitted by maximum likelihood (see :mod:`configurator.customers.value`)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Self

import numpy as np
import numpy.typing as npt
from scipy import linalg, optimize, special

from configurator.customers.value.arrays import (
    FloatArray,
    _floats,
    _history,
    _shape,
    _weights,
    _wsum,
)
from configurator.errors import NotFittedError

__all__ = ["BGNBDModel", "ConvergenceWarning", "GammaGammaModel"]

_LOG_BOUND = 25.0
"""Log-parameters are kept in [-25, 25] (parameters in [1e-11, 7e10]) so that the optimiser cannot overflow."""

_A_NEAR_ONE = 1e-4
"""Within this distance of a = 1 the closed form loses digits; expected purchases interpolate across it."""

_QUADRATURE_NODES = 64
"""Fewest Gauss-Jacobi nodes for the fallback integral of expected purchases."""

_QUADRATURE_MAX_NODES = 1024
"""Most Gauss-Jacobi nodes (reached when ``(r + x) h / (alpha + T)`` is ~7,000)."""


class ConvergenceWarning(UserWarning):
    """The maximum-likelihood optimiser stopped before converging; the parameters may be inaccurate."""


def _minimize(
    objective: Callable[[FloatArray], tuple[float, FloatArray]], start: FloatArray, max_iter: int, tol: float
) -> tuple[FloatArray, bool, str]:
    """Minimise over log-parameters with BFGS; returns (optimum, converged, optimiser message).

    BFGS on the unbounded log scale: the inverse Hessian of 3-4 parameters is tiny, and unlike L-BFGS-B it makes
    no multi-threaded BLAS calls that stall on a busy machine. Beyond ``_LOG_BOUND`` the objective is evaluated
    at the bound plus a quadratic wall, so that the exponentials cannot overflow. Stopping for "precision
    loss" with a gradient below ``sqrt(tol)`` is convergence: the optimum is as good as doubles allow.
    """

    def guarded(phi: FloatArray) -> tuple[float, FloatArray]:
        inside = np.clip(phi, -_LOG_BOUND, _LOG_BOUND)
        excess = phi - inside
        value, grad = objective(inside)
        return value + float(_wsum(excess, excess)), grad + 2 * excess

    result = optimize.minimize(
        guarded, start, jac=True, method="BFGS", options={"maxiter": max_iter, "gtol": tol}
    )
    x = np.clip(result.x, -_LOG_BOUND, _LOG_BOUND)
    converged = bool(result.success) or float(np.max(np.abs(result.jac))) < math.sqrt(tol)
    return x, converged, str(result.message)


def _gauss_jacobi(n: int, alpha: float, beta: float) -> tuple[FloatArray, FloatArray]:
    """Nodes on [-1, 1] and normalised weights for the weight ``(1-u)^alpha (1+u)^beta`` (Golub-Welsch).

    ``scipy.special.roots_jacobi`` scales its weights by the weight function's integral, which overflows for
    large or lopsided parameters (a fitted ``a`` in the thousands); the eigenvectors of the Jacobi matrix give
    the normalised weights directly, for any ``alpha, beta > -1``.
    """
    k = np.arange(n, dtype=np.float64)
    s = 2 * k + alpha + beta
    with np.errstate(divide="ignore", invalid="ignore"):
        diagonal = np.where(s * (s + 2) != 0, (beta**2 - alpha**2) / (s * (s + 2)), 0.0)
    diagonal[0] = (beta - alpha) / (alpha + beta + 2)
    j = k[1:]
    sj = 2 * j + alpha + beta
    with np.errstate(divide="ignore", invalid="ignore"):
        off2 = 4 * j * (j + alpha) * (j + beta) * (j + alpha + beta) / (sj**2 * (sj + 1) * (sj - 1))
    if n > 1:  # j = 1: (j + alpha + beta) / (sj - 1) is 1 exactly, also where alpha + beta = -1
        off2[0] = 4 * (1 + alpha) * (1 + beta) / ((2 + alpha + beta) ** 2 * (3 + alpha + beta))
    nodes, vectors = linalg.eigh_tridiagonal(diagonal, np.sqrt(np.maximum(off2, 0.0)))
    weights = vectors[0] ** 2
    return nodes, weights / weights.sum()


class BGNBDModel:
    """The BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005), fitted by maximum likelihood.

    A customer buys at rate ``lambda ~ Gamma(r, alpha)`` (shape r, rate alpha) while alive and becomes
    inactive after any purchase with probability ``p ~ Beta(a, b)``. The log-likelihood uses ``gammaln`` and
    ``betaln`` throughout (never ratios of gamma functions), and the two terms of each customer's likelihood
    are combined with ``logaddexp``. Parameters are optimised on the log scale with BFGS and an analytic
    gradient; terms that depend only on the purchase count are computed once per distinct count.

    Args:
        penalizer: L2 penalty on the log-parameters (shrinks them towards 1); 0 for plain maximum likelihood.
        max_iter: optimiser iterations.
        tol: gradient tolerance on the objective (the mean log-likelihood per customer, log-parameters).

    Attributes:
        r_, alpha_, a_, b_: fitted parameters.
        log_likelihood_: total log-likelihood at the optimum (weighted when fitted with ``sample_weight``).
        n_customers_: number of customers fitted on.
        converged_: whether the optimiser reported convergence.

    Example:
        >>> model = BGNBDModel().fit([0, 2, 5, 1, 0, 3], [0, 10.0, 30.0, 4.0, 0, 20.0], [30, 32, 35, 33, 31, 34])
        >>> sorted(model.params_)
        ['a', 'alpha', 'b', 'r']
        >>> BGNBDModel().p_alive(1, 2.0, 10.0)
        Traceback (most recent call last):
        ...
        configurator.errors.NotFittedError: BGNBDModel is not fitted yet; call fit() first
    """

    def __init__(self, penalizer: float = 0.0, max_iter: int = 1000, tol: float = 1e-10) -> None:
        self.penalizer = penalizer
        self.max_iter = max_iter
        self.tol = tol

    @classmethod
    def from_params(cls, r: float, alpha: float, a: float, b: float) -> Self:
        """A model with the given parameters (e.g. published ones), ready to predict without fitting."""
        for name, value in (("r", r), ("alpha", alpha), ("a", a), ("b", b)):
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name}: expected a positive number, got {value!r}")
        model = cls()
        model.r_, model.alpha_, model.a_, model.b_ = float(r), float(alpha), float(a), float(b)
        model.log_likelihood_ = math.nan
        model.n_customers_ = 0
        model.converged_ = True
        return model

    # -- fitting --------------------------------------------------------------------------------------------

    def fit(
        self,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,
        sample_weight: npt.ArrayLike | None = None,
    ) -> Self:
        """Fit r, alpha, a, b by maximum likelihood; ``sample_weight`` counts identical customers.

        Raises:
            ValueError: the inputs are not a valid purchase history.
        """
        x, t_x, age = _history(frequency, recency, T)
        if x.size == 0:
            raise ValueError("frequency: expected at least one customer")
        w = _weights(sample_weight, x.size)
        total = float(w.sum())
        counts, index = np.unique(x, return_inverse=True)
        repeat = counts > 0

        def objective(phi: FloatArray) -> tuple[float, FloatArray]:
            r, alpha, a, b = np.exp(phi)
            # Terms that depend on the purchase count only, once per distinct count.
            k1 = special.gammaln(r + counts) - special.gammaln(r) + r * math.log(alpha)
            k2 = special.betaln(a, b + counts) - special.betaln(a, b)
            k3 = np.full(counts.shape, -np.inf)
            k3[repeat] = special.betaln(a + 1, b + counts[repeat] - 1) - special.betaln(a, b)
            dig_ab, dig_a, dig_b = special.digamma(a + b), special.digamma(a), special.digamma(b)
            dig_abx = special.digamma(a + b + counts)
            d1_r = special.digamma(r + counts) - special.digamma(r) + math.log(alpha)
            d2_a = dig_ab - dig_abx
            d2_b = special.digamma(b + counts) - dig_abx - dig_b + dig_ab
            d3_a = special.digamma(a + 1) - dig_abx - dig_a + dig_ab
            d3_b = np.zeros(counts.shape)
            d3_b[repeat] = special.digamma(b + counts[repeat] - 1) - dig_abx[repeat] - dig_b + dig_ab
            rx = r + x
            log_t = np.log(alpha + age)
            log_tx = np.log(alpha + t_x)
            a2 = k2[index] - rx * log_t
            a3 = k3[index] - rx * log_tx
            lse = np.logaddexp(a2, a3)
            ll = k1[index] + lse
            w2 = np.exp(a2 - lse)
            w3 = 1.0 - w2
            g_r = d1_r[index] - w2 * log_t - w3 * log_tx
            g_alpha = r / alpha - w2 * rx / (alpha + age) - w3 * rx / (alpha + t_x)
            g_a = w2 * d2_a[index] + w3 * d3_a[index]
            g_b = w2 * d2_b[index] + w3 * d3_b[index]
            grad = np.array([_wsum(w, g) for g in (g_r, g_alpha, g_a, g_b)]) * np.exp(phi)
            value = float(_wsum(w, ll))
            penalty = self.penalizer * float(_wsum(phi, phi))
            return (-value / total + penalty, -grad / total + 2 * self.penalizer * phi)

        rate = max(float(_wsum(w, x)) / max(float(_wsum(w, age)), 1e-12), 1e-6)
        start = np.log(np.array([1.0, 1.0 / rate, 1.0, 1.0]))
        phi, self.converged_, message = _minimize(objective, start, self.max_iter, self.tol)
        self.r_, self.alpha_, self.a_, self.b_ = (float(v) for v in np.exp(phi))
        self.log_likelihood_ = _wsum(w, self._log_likelihood(x, t_x, age))
        self.n_customers_ = int(x.size)
        if not self.converged_:
            warnings.warn(f"BGNBDModel did not converge: {message}", ConvergenceWarning, stacklevel=2)
        return self

    # -- state --------------------------------------------------------------------------------------------

    def _check(self) -> tuple[float, float, float, float]:
        if not hasattr(self, "r_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit() first")
        return self.r_, self.alpha_, self.a_, self.b_

    @property
    def params_(self) -> dict[str, float]:
        """The fitted parameters by name: r, alpha, a, b."""
        r, alpha, a, b = self._check()
        return {"r": r, "alpha": alpha, "a": a, "b": b}

    def __repr__(self) -> str:
        """Parameters when fitted, else the constructor arguments."""
        if not hasattr(self, "r_"):
            return f"BGNBDModel(penalizer={self.penalizer})"
        return "BGNBDModel(" + ", ".join(f"{k}_={v:.4g}" for k, v in self.params_.items()) + ")"

    # -- predictions --------------------------------------------------------------------------------------

    def _log_likelihood(self, x: FloatArray, t_x: FloatArray, age: FloatArray) -> FloatArray:
        r, alpha, a, b = self._check()
        a1 = special.gammaln(r + x) - special.gammaln(r) + r * math.log(alpha)
        a2 = special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(alpha + age)
        repeat = x > 0
        a3 = np.full(x.shape, -np.inf)
        a3[repeat] = (
            special.betaln(a + 1, b + x[repeat] - 1)
            - special.betaln(a, b)
            - (r + x[repeat]) * np.log(alpha + t_x[repeat])
        )
        result: FloatArray = a1 + np.logaddexp(a2, a3)
        return result

    def log_likelihood(
        self, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike
    ) -> FloatArray:
        """Log-likelihood of each customer's history under the fitted parameters."""
        self._check()
        return self._log_likelihood(*_history(frequency, recency, T)).reshape(_shape(frequency, recency, T))

    def p_alive(self, frequency: npt.ArrayLike, recency: npt.ArrayLike, T: npt.ArrayLike) -> FloatArray:
        """Probability that each customer is still active at ``T`` (exactly 1 without repeat purchases).

        Under BG/NBD a customer can only drop out right after a purchase, so one who never bought again
        since their first purchase is alive for sure.
        """
        r, alpha, a, b = self._check()
        x, t_x, age = _history(frequency, recency, T)
        odds = np.zeros(x.shape)
        repeat = x > 0
        xr = x[repeat]
        odds[repeat] = (
            math.log(a)
            - np.log(b + xr - 1)
            + (r + xr) * (np.log(alpha + age[repeat]) - np.log(alpha + t_x[repeat]))
        )
        result: FloatArray = special.expit(-odds)
        result[~repeat] = 1.0
        return result.reshape(_shape(frequency, recency, T))

    def expected_purchases(
        self,
        frequency: npt.ArrayLike,
        recency: npt.ArrayLike,
        T: npt.ArrayLike,
        horizon: npt.ArrayLike,
    ) -> FloatArray:
        """Expected purchases of each customer in ``(T, T + horizon]`` given their history.

        ``P(alive) * (a+b+x-1)/(a-1) * [1 - (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)]`` with
        ``z = h / (alpha + T + h)``: FHL (2005) eq. 10 after Euler's transformation of the hypergeometric
        function, which keeps ``2F1`` near 1 instead of overflowing for long horizons and frequent buyers.
        At ``a = 1`` the form is 0/0: within 1e-4 of it, the result is interpolated linearly in ``a`` between
        both sides (error ~1e-8). Where ``2F1`` is not finite (``a+b+x-1 <= 0`` with extreme arguments), the
        same expectation is the integral over the posterior of ``p``,
        ``E_p[(1 - ((alpha+T)/(alpha+T+p h))^(r+x)) / p]``, computed by Gauss-Jacobi quadrature.
        """
        _, alpha, a, _ = self._check()
        x, t_x, age = _history(frequency, recency, T)
        h = np.atleast_1d(_floats(horizon, "horizon"))
        if np.any(h < 0):
            raise ValueError("horizon: expected a length of time >= 0")
        x, t_x, age, h = (np.ascontiguousarray(v) for v in np.broadcast_arrays(x, t_x, age, h))
        alive = self.p_alive(x, t_x, age)
        c = alpha + age
        if abs(a - 1) >= _A_NEAR_ONE:
            alive_value = self._alive_expectation(x, c, h, a)
        else:  # linear interpolation in a between both sides of the removable singularity at a = 1
            below = self._alive_expectation(x, c, h, 1 - 2 * _A_NEAR_ONE)
            above = self._alive_expectation(x, c, h, 1 + 2 * _A_NEAR_ONE)
            weight = (a - (1 - 2 * _A_NEAR_ONE)) / (4 * _A_NEAR_ONE)
            alive_value = below + weight * (above - below)
        result: FloatArray = alive * alive_value
        return result.reshape(_shape(frequency, recency, T, horizon))

    def _alive_expectation(self, x: FloatArray, c: FloatArray, h: FloatArray, a: float) -> FloatArray:
        """Expected purchases in ``h`` of a customer known to be alive, with ``c = alpha + T``, for this ``a``."""
        r, _, _, b = self._check()
        big_c = a + b + x - 1
        z = h / (c + h)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            f = special.hyp2f1(a + b - 1 - r, a - 1, big_c, z)
            out = big_c / (a - 1) * -np.expm1(-(a - 1) * np.log1p(h / c) + np.log(f))
        fallback = ~np.isfinite(out) | (out < 0)
        if np.any(fallback):
            out[fallback] = self._expected_by_quadrature(x[fallback], c[fallback], h[fallback], a)
        result: FloatArray = np.maximum(out, 0.0)
        return result

    def _expected_by_quadrature(self, x: FloatArray, c: FloatArray, h: FloatArray, a: float) -> FloatArray:
        """``E_p[(1 - (c/(c + p h))^(r+x)) / p]`` for ``p ~ Beta(a, b + x)``, grouped by distinct ``x``.

        The fallback where the hypergeometric form is not finite (``a + b + x - 1 <= 0`` with extreme
        arguments). Gauss-Jacobi converges quickly unless ``(r + x) h / c`` is large (the integrand then
        changes over ``p ~ c / ((r + x) h)``): the nodes grow with it, up to 1,024, which keeps the relative
        error below 1e-6 for ``(r + x) h / c`` up to ~5,000. Rows are processed in chunks to bound memory.
        """
        r, _, _, b = self._check()
        out = np.empty(x.shape)
        counts, index = np.unique(x, return_inverse=True)
        for k, count in enumerate(counts):
            rows = np.flatnonzero(index == k)
            ratio_all = h[rows] / c[rows]
            scale = max(float(ratio_all.max()) * (r + count), 1e-12)
            n = int(min(_QUADRATURE_MAX_NODES, max(_QUADRATURE_NODES, math.ceil(12.0 * math.sqrt(scale)))))
            nodes, weights = _gauss_jacobi(n, b + count - 1, a - 1)
            # Jacobi weight (1-u)^(b+x-1) (1+u)^(a-1) is the Beta(a, b+x) density of p; a node that rounds to
            # p = 0 (a tiny a) is moved to 1e-280, where the integrand is its limit (r+x) h/c to double precision.
            p = np.maximum((1 + nodes) / 2, 1e-280)
            step = max(1, 2**21 // n)
            for lo in range(0, rows.size, step):
                part = rows[lo : lo + step]
                ratio = np.outer(ratio_all[lo : lo + step], p)
                values = -np.expm1(-(r + count) * np.log1p(ratio)) / p
                out[part] = (values * weights).sum(axis=1)
        return out

    def expected_purchases_new(self, t: npt.ArrayLike) -> FloatArray:
        """Expected purchases of a newly acquired customer in ``(0, t]`` (the population curve E[X(t)])."""
        t_arr = _floats(t, "t")
        zeros = np.zeros(t_arr.shape)
        return self.expected_purchases(zeros, zeros, zeros, t_arr)


class GammaGammaModel:
    """The Gamma-Gamma model of the average value of a customer's repeat purchases (FHL 2005).

    Each purchase of a customer is worth ``z ~ Gamma(p, nu)``; across customers ``nu ~ Gamma(q, gamma)``. Given
    ``x`` repeat purchases with mean value ``m``, the expected value of the customer's future purchases is
    ``p (gamma + x m) / (p x + q - 1)``: a weighted average of the population mean ``p gamma / (q - 1)`` and
    ``m``. It assumes that value and frequency are independent; check their correlation before relying on it.
    Only customers with at least one repeat purchase and a positive mean value enter the fit.

    Args:
        penalizer: L2 penalty on the log-parameters; 0 for plain maximum likelihood.
        max_iter: optimiser iterations.
        tol: gradient tolerance on the objective (the mean log-likelihood per customer, log-parameters).

    Attributes:
        p_, q_, gamma_: fitted parameters.
        log_likelihood_: total log-likelihood at the optimum.
        n_customers_: number of customers fitted on (repeat buyers with positive value).
        converged_: whether the optimiser reported convergence.

    Example:
        >>> model = GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44)
        >>> round(model.population_mean_, 2)
        35.22
        >>> round(float(model.expected_average_value(2, 22.35)), 2)
        24.66
    """

    def __init__(self, penalizer: float = 0.0, max_iter: int = 1000, tol: float = 1e-10) -> None:
        self.penalizer = penalizer
        self.max_iter = max_iter
        self.tol = tol

    @classmethod
    def from_params(cls, p: float, q: float, gamma: float) -> Self:
        """A model with the given parameters, ready to predict without fitting."""
        for name, value in (("p", p), ("q", q), ("gamma", gamma)):
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name}: expected a positive number, got {value!r}")
        model = cls()
        model.p_, model.q_, model.gamma_ = float(p), float(q), float(gamma)
        model.log_likelihood_ = math.nan
        model.n_customers_ = 0
        model.converged_ = True
        return model

    def fit(
        self,
        frequency: npt.ArrayLike,
        monetary_value: npt.ArrayLike,
        sample_weight: npt.ArrayLike | None = None,
    ) -> Self:
        """Fit p, q, gamma on the customers with ``frequency > 0`` and ``monetary_value > 0``.

        Raises:
            ValueError: no customer has a repeat purchase with a positive value.
        """
        x_all, m_all = (
            np.atleast_1d(v)
            for v in np.broadcast_arrays(_floats(frequency, "frequency"), _floats(monetary_value, "monetary"))
        )
        w_all = _weights(sample_weight, x_all.size)
        keep = (x_all > 0) & (m_all > 0) & (w_all > 0)
        if not np.any(keep):
            raise ValueError("expected at least one customer with a repeat purchase of positive value")
        x, m, w = x_all[keep], m_all[keep], w_all[keep]
        total = float(w.sum())
        counts, index = np.unique(x, return_inverse=True)
        log_m, log_x = np.log(m), np.log(x)
        xm = x * m

        def objective(phi: FloatArray) -> tuple[float, FloatArray]:
            p, q, gamma = np.exp(phi)
            pk = p * counts
            k = special.gammaln(pk + q) - special.gammaln(pk) - special.gammaln(q) + q * math.log(gamma)
            dk_p = counts * (special.digamma(pk + q) - special.digamma(pk))
            dk_q = special.digamma(pk + q) - special.digamma(q) + math.log(gamma)
            px = p * x
            log_g = np.log(gamma + xm)
            ll = k[index] + (px - 1) * log_m + px * log_x - (px + q) * log_g
            g_p = dk_p[index] + x * (log_m + log_x - log_g)
            g_q = dk_q[index] - log_g
            g_gamma = q / gamma - (px + q) / (gamma + xm)
            grad = np.array([_wsum(w, g) for g in (g_p, g_q, g_gamma)]) * np.exp(phi)
            penalty = self.penalizer * float(_wsum(phi, phi))
            return (-float(_wsum(w, ll)) / total + penalty, -grad / total + 2 * self.penalizer * phi)

        mean = float(_wsum(w, m)) / total
        phi, self.converged_, message = _minimize(
            objective, np.log(np.array([1.0, 2.0, mean])), self.max_iter, self.tol
        )
        self.p_, self.q_, self.gamma_ = (float(v) for v in np.exp(phi))
        self.log_likelihood_ = _wsum(w, self.log_likelihood(x, m))
        self.n_customers_ = int(x.size)
        if not self.converged_:
            warnings.warn(f"GammaGammaModel did not converge: {message}", ConvergenceWarning, stacklevel=2)
        return self

    def _check(self) -> tuple[float, float, float]:
        if not hasattr(self, "p_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted yet; call fit() first")
        return self.p_, self.q_, self.gamma_

    @property
    def params_(self) -> dict[str, float]:
        """The fitted parameters by name: p, q, gamma."""
        p, q, gamma = self._check()
        return {"p": p, "q": q, "gamma": gamma}

    @property
    def population_mean_(self) -> float:
        """Expected average purchase value of a customer we know nothing about (inf when ``q <= 1``)."""
        p, q, gamma = self._check()
        return p * gamma / (q - 1) if q > 1 else math.inf

    def __repr__(self) -> str:
        """Parameters when fitted, else the constructor arguments."""
        if not hasattr(self, "p_"):
            return f"GammaGammaModel(penalizer={self.penalizer})"
        return "GammaGammaModel(" + ", ".join(f"{k}_={v:.4g}" for k, v in self.params_.items()) + ")"

    def expected_average_value(self, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike) -> FloatArray:
        """Expected value of each customer's future purchases given ``x`` repeat purchases of mean ``m``.

        Customers without repeat purchases get the population mean. When ``q <= 1`` the population mean does
        not exist and they get NaN (the caller decides on a fallback).
        """
        p, q, gamma = self._check()
        x, m = np.broadcast_arrays(_floats(frequency, "frequency"), _floats(monetary_value, "monetary"))
        if np.any(x < 0):
            raise ValueError("frequency: expected whole numbers >= 0 (repeat purchases)")
        denominator = p * x + q - 1
        m = np.where(x > 0, m, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            result: FloatArray = np.where(denominator > 0, p * (gamma + x * m) / denominator, np.nan)
        return result

    def log_likelihood(self, frequency: npt.ArrayLike, monetary_value: npt.ArrayLike) -> FloatArray:
        """Log-density of each repeat buyer's mean purchase value (NaN for customers outside the model)."""
        p, q, gamma = self._check()
        x, m = (
            np.atleast_1d(v)
            for v in np.broadcast_arrays(_floats(frequency, "frequency"), _floats(monetary_value, "monetary"))
        )
        out = np.full(x.shape, np.nan)
        ok = (x > 0) & (m > 0)
        xs, ms = x[ok], m[ok]
        px = p * xs
        out[ok] = (
            special.gammaln(px + q)
            - special.gammaln(px)
            - special.gammaln(q)
            + q * math.log(gamma)
            + (px - 1) * np.log(ms)
            + px * np.log(xs)
            - (px + q) * np.log(gamma + xs * ms)
        )
        return out.reshape(_shape(frequency, monetary_value))
