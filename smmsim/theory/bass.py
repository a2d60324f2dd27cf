"""Read an adoption curve in classic Bass terms: fit innovation ``p``, imitation ``q``
and, optionally, the market size ``m``.

The Bass (1969) model in discrete time says that the new adopters of a step are
``n(t) = (p + q C(t-1) / m) (m - C(t-1))``, where ``C`` counts adopters so far. Two
estimators are provided:

``"ols"``
    Bass's own regression on discrete data. With ``m`` known, ``n(t)`` is linear in
    ``p`` and ``q`` (regressors ``m - C`` and ``C (m - C) / m``); with ``m`` unknown,
    ``n(t) = a + b C + c C^2`` and ``m, p, q`` follow from ``a = p m``, ``b = q - p``,
    ``c = -q / m``. Each step is regressed on the adopters actually seen before it, so
    several runs of a simulation pool into one regression (one row per run and step)
    and the estimate is the expected hazard, free of the nonlinear-averaging bias of a
    mean curve. Standard errors are heteroskedasticity-robust (White), clustered by run
    when there are several runs; with ``m`` fitted they come by the delta method.
``"nls"``
    Nonlinear least squares of the whole cumulative curve (one trajectory of the
    discrete recursion from the adopters before the first step) by
    :func:`scipy.optimize.least_squares` (trust-region reflective, with ``p, q >= 0``
    and ``m > 0`` as bounds), started from the OLS estimate; several runs are averaged
    first. How the optimiser ended is kept in the result (``status``, ``message``).
    It weighs the curve rather than its noisy increments (Srinivasan & Mason 1986 fit
    the continuous-time curve this way). It gives no standard errors (the residuals of
    a cumulative curve are correlated).

Both recover ``p`` and ``q`` exactly (to rounding) from an exact discrete Bass curve.

Sultan, Farley & Lehmann (1990) report average ``p = 0.03`` and ``q = 0.38`` per year
across 213 product categories; a simulation step is whatever period the scenario means
(a day, a week), so compare ``q / p`` rather than the raw values when the periods differ.

Examples
--------
>>> from smmsim.theory.bass import bass_curve, fit_bass
>>> curve = bass_curve(0.03, 0.38, 20, m=10_000)
>>> fit = fit_bass(curve, market=10_000, initial=0)
>>> round(fit.p, 6), round(fit.q, 6)
(0.03, 0.38)

References
----------
F. M. Bass, "A new product growth for model consumer durables", Management Science
15(5), 215-227 (1969).
V. Srinivasan and C. H. Mason, "Nonlinear least squares estimation of new product
diffusion models", Marketing Science 5(2), 169-178 (1986).
F. Sultan, J. U. Farley and D. R. Lehmann, "A meta-analysis of applications of
diffusion models", Journal of Marketing Research 27(1), 70-77 (1990).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from smmsim.results import Results

__all__ = ["BassFit", "bass_curve", "fit_bass", "fit_results"]

#: Tolerances of the nonlinear fit (cost, step and gradient); a few machine epsilons.
_TOL = 1e-15
#: Largest number of curve evaluations the nonlinear fit may make.
_MAX_EVALUATIONS = 5_000
#: Smallest market size the nonlinear fit may reach.
_MIN_MARKET = 1e-9


@dataclass(frozen=True)
class BassFit:
    """A fitted Bass model.

    Attributes
    ----------
    p, q : float
        Innovation and imitation per step.
    m : float
        Market size (given or fitted).
    p_se, q_se, m_se : float
        Standard errors (``nan`` where the method gives none; ``m_se`` is 0 when ``m``
        was given).
    method : str
        ``"ols"`` or ``"nls"``.
    rmse : float
        Root mean square residual of new adopters per step (``"ols"``) or of the
        cumulative curve (``"nls"``).
    n_obs : int
        Observations used (run-steps for ``"ols"``, steps for ``"nls"``).
    status : int or None
        How the nonlinear fit ended (``"nls"``; ``None`` for ``"ols"``), as
        :func:`scipy.optimize.least_squares` reports it: 1 to 4 converged (on the
        gradient, the cost, the step, or cost and step), 0 stopped at the evaluation
        limit, -1 improper input.
    message : str
        The optimiser's words for ``status`` (empty for ``"ols"``).
    """

    p: float
    q: float
    m: float
    p_se: float
    q_se: float
    m_se: float
    method: str
    rmse: float
    n_obs: int
    status: int | None = None
    message: str = ""

    @property
    def converged(self) -> bool:
        """Whether the estimate is final: always for ``"ols"``, status 1-4 for ``"nls"``."""
        return self.status is None or self.status > 0

    @property
    def q_over_p(self) -> float:
        """Imitation over innovation: above 1 word of mouth drives the curve."""
        return self.q / self.p if self.p > 0 else float("inf")

    def curve(self, steps: int, initial: float = 0.0) -> np.ndarray:
        """Cumulative adopters after each of ``steps`` steps, from ``initial`` before."""
        return bass_curve(self.p, self.q, steps, m=self.m, initial=initial)

    def peak_step(self, initial: float = 0.0, max_steps: int = 100_000) -> int:
        """Step with the most new adopters on the fitted curve (0 is the first step)."""
        c = self.curve(max_steps, initial)
        return int(np.argmax(np.diff(np.concatenate([[initial], c]))))

    def as_dict(self) -> dict[str, Any]:
        """Plain dictionary (JSON-ready)."""
        return {**asdict(self), "q_over_p": self.q_over_p}


def bass_curve(
    p: float, q: float, steps: int, *, m: float = 1.0, initial: float = 0.0
) -> np.ndarray:
    """The discrete-time Bass curve: cumulative adopters after each step.

    ``C(t) = C(t-1) + (p + q C(t-1) / m) (m - C(t-1))`` with ``C(-1) = initial``.

    Parameters
    ----------
    p, q : float
        Innovation and imitation per step.
    steps : int
        Number of steps.
    m : float
        Market size (1 gives shares).
    initial : float
        Adopters before the first step.

    Returns
    -------
    ndarray of float64, shape (steps,)
    """
    out = np.empty(int(steps), dtype=np.float64)
    c = float(initial)
    for t in range(int(steps)):
        c = c + (p + q * c / m) * (m - c)
        out[t] = c
    return out


def _as_runs(adopters: Any, cumulative: bool, initial: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(lagged cumulative, new adopters)``, each ``(runs, steps)``."""
    a = np.asarray(adopters, dtype=np.float64)
    if a.ndim == 1:
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] < 1:
        raise ValueError(f"adopters must be a curve or one curve per row, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError("adopters must be finite numbers")
    runs = a.shape[0]
    if initial is not None:
        init = np.broadcast_to(np.asarray(initial, dtype=np.float64).reshape(-1, 1), (runs, 1))
    if cumulative:
        if initial is None:  # the first point serves only as the first lag
            if a.shape[1] < 2:
                raise ValueError("a cumulative curve needs at least 2 points (or give initial)")
            return a[:, :-1], np.diff(a, axis=1)
        full = np.concatenate([init, a], axis=1)
        return full[:, :-1], np.diff(full, axis=1)
    base = np.zeros((runs, 1)) if initial is None else init
    full = np.concatenate([base, base + np.cumsum(a, axis=1)], axis=1)
    return full[:, :-1], a


def _robust_ols(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least squares with White (or cluster-robust, by ``groups``) covariance."""
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    xtx_inv = np.linalg.pinv(x.T @ x)
    scores = x * resid[:, None]
    n_groups = np.unique(groups).size
    if n_groups > 1:
        summed = np.zeros((n_groups, x.shape[1]))
        np.add.at(summed, np.unique(groups, return_inverse=True)[1], scores)
        meat = summed.T @ summed * (n_groups / (n_groups - 1))
    else:
        meat = scores.T @ scores
    return beta, xtx_inv @ meat @ xtx_inv, resid


def _ols(lag: np.ndarray, new: np.ndarray, market: float | None) -> BassFit:
    groups = np.repeat(np.arange(lag.shape[0]), lag.shape[1])
    c, y = lag.reshape(-1), new.reshape(-1)
    if market is not None:
        m = float(market)
        x = np.column_stack([m - c, c * (m - c) / m])
        beta, cov, resid = _robust_ols(x, y, groups)
        se = np.sqrt(np.maximum(np.diag(cov), 0.0))
        return BassFit(
            float(beta[0]), float(beta[1]), m, float(se[0]), float(se[1]), 0.0, "ols",
            float(np.sqrt(np.mean(resid**2))), int(y.size),
        )  # fmt: skip
    x = np.column_stack([np.ones_like(c), c, c * c])
    beta, cov, resid = _robust_ols(x, y, groups)

    def transform(b: np.ndarray) -> np.ndarray:
        a, bb, cc = b
        if cc >= 0:
            return np.array([np.nan, np.nan, np.nan])
        m = (-bb - np.sqrt(bb * bb - 4 * a * cc)) / (2 * cc)
        return np.array([a / m, -cc * m, m])

    p, q, m = transform(beta)
    if not (np.isfinite(m) and m > 0):
        raise ValueError(
            "the curve does not identify a market size (no slowdown in adoption): give market="
        )
    jac = np.empty((3, 3))
    for j in range(3):
        h = 1e-6 * max(abs(beta[j]), 1e-12)
        up, down = beta.copy(), beta.copy()
        up[j] += h
        down[j] -= h
        jac[:, j] = (transform(up) - transform(down)) / (2 * h)
    se = np.sqrt(np.maximum(np.diag(jac @ cov @ jac.T), 0.0))
    return BassFit(
        float(p), float(q), float(m), float(se[0]), float(se[1]), float(se[2]), "ols",
        float(np.sqrt(np.mean(resid**2))), int(y.size),
    )  # fmt: skip


def _nls(lag: np.ndarray, new: np.ndarray, market: float | None, start: BassFit) -> BassFit:
    """Least squares of the mean cumulative curve, from the OLS estimate ``start``."""
    from scipy.optimize import least_squares

    c0 = float(lag[:, 0].mean())
    target = c0 + np.cumsum(new.mean(axis=0))
    steps = target.size
    fit_m = market is None

    def residuals(theta: np.ndarray) -> np.ndarray:
        m = theta[2] if fit_m else float(market)
        return bass_curve(theta[0], theta[1], steps, m=m, initial=c0) - target

    theta = np.array([start.p, start.q, start.m] if fit_m else [start.p, start.q])
    theta[:2] = np.clip(theta[:2], 1e-9, None)
    if fit_m:
        theta[2] = max(theta[2], float(target.max()))
    # p and q are probabilities per step at most; m only needs to be positive
    lower = [0.0, 0.0, _MIN_MARKET] if fit_m else [0.0, 0.0]
    upper = [np.inf] * theta.size
    fit = least_squares(
        residuals,
        theta,
        jac="3-point",
        bounds=(lower, upper),
        method="trf",
        x_scale="jac",
        ftol=_TOL,
        xtol=_TOL,
        gtol=_TOL,
        max_nfev=_MAX_EVALUATIONS,
    )
    m = float(fit.x[2]) if fit_m else float(market)
    nan = float("nan")
    return BassFit(
        float(fit.x[0]), float(fit.x[1]), m, nan, nan, nan if fit_m else 0.0, "nls",
        float(np.sqrt(np.mean(fit.fun**2))), steps, int(fit.status), str(fit.message),
    )  # fmt: skip


def fit_bass(
    adopters: Any,
    *,
    cumulative: bool = True,
    market: float | None = None,
    initial: Any = None,
    method: Literal["ols", "nls"] = "ols",
) -> BassFit:
    """Fit the Bass model to one adoption curve or to several runs of one.

    Parameters
    ----------
    adopters : array_like, shape (steps,) or (runs, steps)
        Cumulative adopters after each step (``cumulative=True``) or new adopters in
        each step; one row per run.
    cumulative : bool
        Whether ``adopters`` is cumulative.
    market : float, optional
        Market size ``m`` when known (the audience size for a simulation); fitted
        otherwise.
    initial : float or array_like, optional
        Adopters before the first step (one per run, or one for all). Without it, a
        cumulative curve's first point serves only as the first lag and new-adopter
        counts start from 0.
    method : {"ols", "nls"}
        Bass's regression on discrete data, or nonlinear least squares on the whole
        curve (see the module notes).

    Returns
    -------
    BassFit

    Raises
    ------
    ValueError
        For a malformed curve, or when ``m`` must be fitted and the curve shows no
        slowdown that would identify it.
    """
    if method not in ("ols", "nls"):
        raise ValueError(f"method must be 'ols' or 'nls', got {method!r}")
    if market is not None and not (np.isfinite(market) and market > 0):
        raise ValueError(f"market must be a positive number, got {market!r}")
    lag, new = _as_runs(adopters, cumulative, initial)
    start = _ols(lag, new, market)
    if method == "ols":
        return start
    return _nls(lag, new, market, start)


def fit_results(
    results: Results, *, market: float | None = None, method: Literal["ols", "nls"] = "ols"
) -> BassFit:
    """Fit the Bass model to the adoption curves of a simulation.

    Adopters are the runs' sharers (for the ``bass`` model: everyone who adopted, seeds
    at step 0). The seeds are the adopters before the first step, and each run's new
    adopters per step are its non-seed sharers.

    Parameters
    ----------
    results : Results
        What :func:`smmsim.simulate` returned.
    market : float, optional
        Market size; default the audience size.
    method : {"ols", "nls"}
        See :func:`fit_bass`.

    Returns
    -------
    BassFit

    Examples
    --------
    >>> from smmsim import load_scenario, simulate  # doctest: +SKIP
    >>> res = simulate(load_scenario("scenarios/bass_launch.yaml"), runs=50)  # doctest: +SKIP
    >>> fit_results(res).q_over_p  # doctest: +SKIP
    """
    ts = results.timeseries.sort_values(["run", "step"])
    runs = results.runs.sort_values("run")
    steps = int(ts["step"].max()) + 1
    n_runs = len(runs)
    shares = ts["shares"].to_numpy(dtype=np.float64).reshape(n_runs, steps)
    seeds = runs["seeds"].to_numpy(dtype=np.float64)
    new = shares.copy()
    new[:, 0] -= seeds  # the seeds adopt at step 0 but came before it
    m = float(results.audience["n"]) if market is None else market
    return fit_bass(new, cumulative=False, market=m, initial=seeds, method=method)
