"""Weighted fits of ``1/(mean sharers - 1)`` against ``1/T`` and the interval of their root."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def _wls(u: np.ndarray, y: np.ndarray, se: np.ndarray, degree: int):
    """Weighted least squares ``y ~ sum_i c_i u^i``; coefficients, covariance, chi2/dof.

    The covariance is inflated by the reduced chi-square when the points scatter more
    than their standard errors allow (a misfit of the model widens the interval)."""
    X = np.vander(u, degree + 1, increasing=True)
    w = 1.0 / se**2
    XtW = X.T * w
    cov = np.linalg.inv(XtW @ X)
    beta = cov @ (XtW @ y)
    resid = y - X @ beta
    dof = len(y) - degree - 1
    chi2 = float((w * resid**2).sum() / dof) if dof > 0 else 1.0
    return beta, cov * max(1.0, chi2), chi2


def _roots(B: np.ndarray, near: np.ndarray | float) -> np.ndarray:
    """Roots of ``c0 + c1 u (+ c2 u^2)`` for each row of coefficients ``B``, the one
    nearest ``near`` for quadratics (``nan`` where none is real)."""
    B = np.atleast_2d(B)
    with np.errstate(divide="ignore", invalid="ignore"):
        linear = -B[:, 0] / B[:, 1]
        if B.shape[1] == 2:
            return linear
        a, b, c = B[:, 2], B[:, 1], B[:, 0]
        sq = np.sqrt(b * b - 4 * a * c)
        r1, r2 = (-b - sq) / (2 * a), (-b + sq) / (2 * a)
        out = np.where(abs(r1 - near) <= abs(r2 - near), r1, r2)
        return np.where(abs(a) > 0, out, linear)


def _root_interval(beta, cov, near: float, rng: np.random.Generator, draws: int = 4000):
    """Point estimate and 95% interval of the root by drawing coefficients from their
    sampling distribution (a parametric bootstrap; the root is a nonlinear function)."""
    est = float(_roots(beta, near)[0])
    sims = rng.multivariate_normal(beta, cov, size=draws, method="svd")
    roots = _roots(sims, est)
    roots = roots[np.isfinite(roots) & (roots > 0)]
    if roots.size < draws / 2:
        return est, math.nan, math.nan
    lo, hi = np.quantile(roots, [0.025, 0.975])
    return est, float(lo), float(hi)


def _fit_points(rows: list[dict[str, Any]]):
    u = np.array([1.0 / r["T"] for r in rows])
    m = np.array([r["mean"] for r in rows])
    se_m = np.array([r["se"] for r in rows])
    y = 1.0 / (m - 1.0)
    se_y = se_m / (m - 1.0) ** 2
    return u, y, se_y


def _fit(rows, rng, allow_quadratic: bool = True):
    """Fit ``1/(mean - 1)`` against ``1/T``; return (T_c, T_low, T_high, model, chi2)."""
    u, y, se = _fit_points(rows)
    beta, cov, chi2 = _wls(u, y, se, 1)
    model = "linear"
    if allow_quadratic and len(rows) >= 4:
        b2, c2, chi2_2 = _wls(u, y, se, 2)
        # keep the curvature only when the data demand it (> 3 standard errors)
        if abs(b2[2]) > 3 * math.sqrt(c2[2, 2]):
            beta, cov, chi2, model = b2, c2, chi2_2, "quadratic"
    near = -beta[0] / beta[1] if beta[1] > 0 else float(u.min())
    est, lo, hi = _root_interval(beta, cov, near, rng)
    if not (np.isfinite(est) and est > 0):
        return math.nan, math.nan, math.nan, model, chi2
    # the root is in u = 1/T: a high u is a low T
    T_hi = 1.0 / lo if np.isfinite(lo) and lo > 0 else math.inf
    T_lo = 1.0 / hi if np.isfinite(hi) and hi > 0 else math.nan
    return 1.0 / est, T_lo, T_hi, model, chi2
