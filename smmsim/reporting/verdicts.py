"""Verdicts: one sentence, or one paragraph, in plain words on where content stands
against the virality threshold.

* :func:`threshold_verdict`: the run report's line for percolation models (and what
  ``smmsim audience`` says);
* :func:`sir_verdict`: the same for the SIR model, with its own outbreak probability;
* :func:`threshold_result_verdict`: both thresholds of ``smmsim threshold`` (theory and
  simulation) and whether they agree.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from smmsim.reporting.numbers import count_text, value_text

if TYPE_CHECKING:
    from smmsim.theory.bond_percolation import PercolationTheory
    from smmsim.threshold.result import ThresholdResult

__all__ = ["sir_verdict", "threshold_result_verdict", "threshold_verdict"]


def threshold_verdict(theory: dict, content: dict) -> str:
    """One sentence: is the content above the virality threshold of this audience?"""
    T, Tc, K = theory["transmissibility"], theory["critical"], theory["k_factor"]
    if Tc is None:
        return "This audience has no ties to spread along: no content can go viral."
    vc = content["visibility"] * content["contagion"]
    crit_s = Tc / vc if vc > 0 else math.inf
    need = (
        f"needs stickiness >= {crit_s:.3g}"
        if crit_s <= 1
        else f"cannot go viral by stickiness alone (would need {crit_s:.3g} > 1)"
    )
    side = "above" if K > 1 else "below"
    launch = " at launch" if theory.get("decay") else ""
    return (
        f"Virality threshold: T_c = {Tc:.4g}; this content has T = {T:.4g}{launch} "
        f"(visibility x stickiness x contagion), viral coefficient K (theory) = {K:.2f}: "
        f"{side} threshold. It {need}; it has {content['stickiness']:.3g}."
    )


def sir_verdict(th: PercolationTheory, p1: float, beta: float, gamma: float) -> str:
    """One sentence on the SIR model's threshold, for the run report.

    ``th`` is bond percolation at ``T = beta / (beta + gamma)`` and ``p1`` the SIR
    probability that one random seed starts a large cascade.
    """
    T, K = th.transmissibility, th.k_factor
    if not np.isfinite(th.critical):
        return "This audience has no ties to spread along: no post can go viral."
    head = (
        f"SIR: a sharer passes it on at rate beta = {beta:.3g} per follower for a mean "
        f"{1 / gamma:.3g} time units, so T = beta/(beta+gamma) = {T:.3g} against the "
        f"threshold T_c = {th.critical:.3g} (K = {K:.2f})"
    )
    if K <= 1:
        return (
            head
            + f": below threshold, cascades stay small (mean {th.mean_small:.3g} sharers per seed)."
        )
    return (
        head + f": above threshold, a large cascade reaches {th.large_share:.1%} of the "
        f"audience and one random seed starts one with probability {p1:.1%} "
        f"({th.p_large:.1%} if ties were independent)."
    )


def threshold_result_verdict(r: ThresholdResult) -> str:
    """One paragraph in plain words: both thresholds of ``r``, the interval, the scenario."""
    a, e = r.analytic, r.empirical
    name = r.param.split(".")[-1]
    if r.param == "seeding.k":
        return _seed_verdict(r)
    side = "above" if a.viral else "below"
    cur = f"this scenario has {value_text(a.current)}: {side} threshold, K = {a.k_factor:.2f}"
    if a.critical is None:
        head = "Theory: this audience has no ties to spread along; no content can go viral."
    elif a.reachable:
        head = f"Theory: needs {name} >= {value_text(a.critical)}; {cur}."
    else:
        need = value_text(a.critical)
        head = f"Theory: cannot go viral by {name} alone (would need {need} > 1); {cur}."
    if e is None:
        return head
    if e.value is None:
        return head + " Simulation: no large cascades at any transmissibility up to 1."
    ci = f"95% CI {value_text(e.ci_low)} - {value_text(e.ci_high)}"
    if e.value <= 1 or r.param == "transmissibility":
        sim_side = "above" if a.current > e.value else "below"
        sim = (
            f"Simulation: needs {name} >= {value_text(e.value)} ({ci}); the scenario is {sim_side} "
            "the simulated threshold."
        )
    else:
        sim = (
            f"Simulation: cannot go viral by {name} alone (would need {value_text(e.value)}, {ci})."
        )
    if a.critical is not None and math.isfinite(a.critical) and a.critical > 0:
        off = e.value / a.critical - 1
        inside = e.ci_low is not None and e.ci_high is not None
        inside = inside and e.ci_low <= a.critical <= e.ci_high
        agree = "agrees with theory" if inside or abs(off) <= 0.05 else "differs from theory"
        sim += f" It {agree} ({off:+.1%})."
    return f"{head} {sim}"


def _seed_verdict(r: ThresholdResult) -> str:
    a, e = r.analytic, r.empirical
    tgt = f"{a.target:.0%}"
    if not a.viral:
        head = (
            f"Theory: the content is below threshold (K = {a.k_factor:.2f}); no number of "
            f"random seeds starts a large cascade, only more small ones. "
            f"This scenario has {count_text(a.current)} seeds."
        )
    else:
        head = (
            f"Theory: K = {a.k_factor:.2f} (above threshold); each random seed starts a large "
            f"cascade with probability {a.p_large:.1%}, so a {tgt} chance needs "
            f"{count_text(a.critical, math.ceil)} seeds; this scenario has {count_text(a.current)} "
            f"({a.p_large_seeds:.1%})."
        )
    if e is None:
        return head
    if e.value is None:
        return head + f" Simulation: no seed count tried reached a {tgt} chance of going viral."
    return (
        f"{head} Simulation (the scenario as it is): {count_text(e.value)} "
        f"seeds for a {tgt} chance of going viral (95% CI {count_text(e.ci_low, math.floor)} - "
        f"{count_text(e.ci_high, math.ceil)})."
    )
