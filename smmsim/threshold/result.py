"""What a threshold request returns: :class:`AnalyticThreshold`,
:class:`EmpiricalThreshold` and :class:`ThresholdResult`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from smmsim.reporting.threshold_report import threshold_report
from smmsim.reporting.verdicts import threshold_result_verdict
from smmsim.threshold._inputs import _plain


@dataclass(frozen=True)
class AnalyticThreshold:
    """What percolation theory says about one parameter of one scenario.

    Attributes
    ----------
    param : str
        The dotted parameter (``"content.stickiness"``), or ``"seeding.k"``.
    current : float
        The scenario's value of ``param``.
    critical : float or None
        Critical value of ``param`` with the other factors of ``T`` fixed,
        ``T_c / (product of the other two)``; it may exceed 1, see ``reachable``. For
        ``seeding.k``: the fewest random seeds whose chance of starting a large cascade
        reaches ``target``. ``None`` when no value works (no ties, or for
        ``seeding.k`` content below threshold).
    reachable : bool
        Whether a valid value (a probability <= 1, or a seed count <= n) reaches it.
    critical_transmissibility : float
        ``T_c``.
    transmissibility : float
        The scenario's ``T`` at launch.
    k_factor : float
        Viral coefficient ``K = T / T_c``.
    viral : bool
        ``K > 1``.
    p_large : float
        Probability that one random seed starts a large cascade.
    p_large_seeds : float
        The same for the scenario's seeds (``seeding.k`` random seeds, or the given or
        most-followed users).
    large_share, large_sharers, large_reach : float
        Fraction of the audience that shares in a large cascade, the number of sharers
        and the number of users who see it (expected final reach).
    mean_small : float
        Mean number of sharers (seed included) of a cascade from one random seed that
        stays small: below the threshold every cascade does; ``inf`` at the threshold.
    mean_small_reach : float
        Mean reach of such a cascade (tree-like estimate; approximate above the
        threshold, ``nan`` at it).
    target : float or None
        For ``seeding.k``: the probability of a large cascade asked for.
    """

    param: str
    current: float
    critical: float | None
    reachable: bool
    critical_transmissibility: float
    transmissibility: float
    k_factor: float
    viral: bool
    p_large: float
    p_large_seeds: float
    large_share: float
    large_sharers: float
    large_reach: float
    mean_small: float
    mean_small_reach: float
    target: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain dictionary (JSON-ready; infinities and NaN become ``None``)."""
        return {k: _plain(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class EmpiricalThreshold:
    """The threshold found by simulation.

    Attributes
    ----------
    param : str
    value : float or None
        Critical value of ``param`` (it may exceed 1: the parameter alone cannot reach
        the threshold). For ``seeding.k``: the fewest seeds whose simulated chance of
        a viral cascade reaches ``target``. ``None`` when not found.
    ci_low, ci_high : float or None
        95% confidence interval of ``value``.
    critical_transmissibility : float or None
        The simulated threshold as a transmissibility ``T`` (not for ``seeding.k``).
    t_ci_low, t_ci_high : float or None
        Its 95% confidence interval.
    method : str
        How it was found (one line).
    model : str
        ``"linear"`` or ``"quadratic"``: the fit that located the threshold.
    runs : int
        Simulated cascades used.
    seconds : float
        Wall time of the search.
    depletion : float or None
        Largest relative drop of ``K`` that the cascades of the points used could
        cause by using up the audience (finite size); the interval's lower end is
        widened by this much. ``None`` for ``seeding.k``.
    points : pandas.DataFrame
        The simulated points: one row per transmissibility (or seed count) with its
        runs, mean cascade size and whether the fit used it.
    """

    param: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    critical_transmissibility: float | None
    t_ci_low: float | None
    t_ci_high: float | None
    method: str
    model: str
    runs: int
    seconds: float
    depletion: float | None
    points: pd.DataFrame = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        """Plain dictionary (JSON-ready) without the points table."""
        return {
            k: _plain(getattr(self, k))
            for k in (
                "value",
                "ci_low",
                "ci_high",
                "critical_transmissibility",
                "t_ci_low",
                "t_ci_high",
                "method",
                "model",
                "runs",
                "seconds",
                "depletion",
            )
        }


@dataclass(frozen=True)
class ThresholdResult:
    """Analytic and simulated virality threshold of one parameter of one scenario.

    Attributes
    ----------
    param : str
    scenario : str
        The scenario's name.
    audience : dict
        Name, size, ties and degree moments of the audience.
    analytic : AnalyticThreshold
    empirical : EmpiricalThreshold or None
    scan : pandas.DataFrame
        Tidy scan (see :func:`threshold_scan`); empty if not asked for.
    structure : dict
        Clustering (measured, and expected in a random audience with these degrees)
        and the message-passing threshold.
    notes : tuple of str
        Plain-words explanations (why theory is off, what the scan shows).
    """

    param: str
    scenario: str
    audience: dict
    analytic: AnalyticThreshold
    empirical: EmpiricalThreshold | None
    scan: pd.DataFrame
    structure: dict
    notes: tuple[str, ...]

    @property
    def k_factor(self) -> float:
        """Theory's viral coefficient ``K`` of the scenario."""
        return self.analytic.k_factor

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: ``param``, ``analytic``, ``empirical`` (``value``,
        ``ci_low``, ``ci_high``, ...), ``k_factor``, ``current``, ``theory``, ``scan``."""
        a = self.analytic
        emp = self.empirical.as_dict() if self.empirical is not None else None
        return {
            "param": self.param,
            "scenario": self.scenario,
            "current": _plain(a.current),
            "analytic": _plain(a.critical),
            "analytic_reachable": a.reachable,
            "empirical": emp,
            "k_factor": _plain(a.k_factor),
            "above_threshold": bool(a.viral),
            "theory": a.as_dict(),
            "audience": {k: _plain(v) for k, v in self.audience.items()},
            "structure": {k: _plain(v) for k, v in self.structure.items()},
            "notes": list(self.notes),
            "verdict": self.verdict(),
            "scan": [
                {k: _plain(v) for k, v in row.items()} for row in self.scan.to_dict("records")
            ],
        }

    def verdict(self) -> str:
        """One paragraph in plain words: both thresholds, the interval, the scenario."""
        return threshold_result_verdict(self)

    def report(self) -> str:
        """The text that ``smmsim threshold`` prints."""
        return threshold_report(self)
