"""Plain-words verdict and text report of a :class:`~smmsim.threshold.ThresholdResult`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from smmsim.threshold._inputs import _label

if TYPE_CHECKING:
    from smmsim.threshold.result import ThresholdResult


def _count(x: float | None, rounding=round) -> str:
    """A count (seeds, users) as a whole number with thousands separators, never in
    scientific notation; ``rounding`` (``math.floor`` or ``math.ceil`` for the ends of
    an interval) makes it whole."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{int(rounding(x)):,}"


def _fmt(x: float | None) -> str:
    """A parameter value: three significant figures, whole numbers with thousands
    separators from 1,000 up (never ``1.02e+03``)."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _amount(x: float | None) -> str:
    """A mean number of users: three significant figures below 100, whole numbers with
    thousands separators above, never in scientific notation."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _verdict(r: ThresholdResult) -> str:
    a, e = r.analytic, r.empirical
    name = _label(r.param)
    if r.param == "seeding.k":
        return _seed_verdict(r)
    side = "above" if a.viral else "below"
    cur = f"this scenario has {_fmt(a.current)}: {side} threshold, K = {a.k_factor:.2f}"
    if a.critical is None:
        head = "Theory: this audience has no ties to spread along; no content can go viral."
    elif a.reachable:
        head = f"Theory: needs {name} >= {_fmt(a.critical)}; {cur}."
    else:
        head = (
            f"Theory: cannot go viral by {name} alone (would need {_fmt(a.critical)} > 1); {cur}."
        )
    if e is None:
        return head
    if e.value is None:
        return head + " Simulation: no large cascades at any transmissibility up to 1."
    ci = f"95% CI {_fmt(e.ci_low)} - {_fmt(e.ci_high)}"
    if e.value <= 1 or r.param == "transmissibility":
        sim_side = "above" if a.current > e.value else "below"
        sim = (
            f"Simulation: needs {name} >= {_fmt(e.value)} ({ci}); the scenario is {sim_side} "
            "the simulated threshold."
        )
    else:
        sim = f"Simulation: cannot go viral by {name} alone (would need {_fmt(e.value)}, {ci})."
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
            f"This scenario has {_count(a.current)} seeds."
        )
    else:
        head = (
            f"Theory: K = {a.k_factor:.2f} (above threshold); each random seed starts a large "
            f"cascade with probability {a.p_large:.1%}, so a {tgt} chance needs "
            f"{_count(a.critical, math.ceil)} seeds; this scenario has {_count(a.current)} "
            f"({a.p_large_seeds:.1%})."
        )
    if e is None:
        return head
    if e.value is None:
        return head + f" Simulation: no seed count tried reached a {tgt} chance of going viral."
    return (
        f"{head} Simulation (the scenario as it is): {_count(e.value)} "
        f"seeds for a {tgt} chance of going viral (95% CI {_count(e.ci_low, math.floor)} - "
        f"{_count(e.ci_high, math.ceil)})."
    )


def _report(r: ThresholdResult) -> str:
    a, e = r.analytic, r.empirical
    au = r.audience
    lines = [
        f"Virality threshold of {r.param} | scenario {r.scenario}",
        f"Audience: {au['name']}: {au['n']:,} users, {au['n_edges']:,} ties, mean degree "
        f"{au['mean']:.2f}, mean excess degree {au['excess']:.2f}",
        "",
        r.verdict(),
        "",
        f"  critical transmissibility T_c   theory {_fmt(a.critical_transmissibility)}"
        + (
            f"   simulated {_fmt(e.critical_transmissibility)} "
            f"(95% CI {_fmt(e.t_ci_low)} - {_fmt(e.t_ci_high)})"
            if e is not None and e.critical_transmissibility is not None
            else ""
        ),
        f"  this content: T = {a.transmissibility:.4g}, K = {a.k_factor:.3f}",
    ]
    if a.viral:
        lines.append(
            f"  one random seed starts a large cascade with probability {a.p_large:.1%}; "
            f"the scenario's seeds: {a.p_large_seeds:.1%}"
        )
        lines.append(
            f"  a large cascade: {a.large_sharers:,.0f} sharers, final reach "
            f"{a.large_reach:,.0f} users ({a.large_reach / max(au['n'], 1):.1%} of the audience)"
        )
    else:
        lines.append(
            f"  below threshold a cascade from one seed stays small: {_amount(a.mean_small)} "
            f"sharers and a reach of {_amount(a.mean_small_reach)} users on average"
        )
    if e is not None:
        lines.append(f"  search: {e.runs:,} simulated cascades in {e.seconds:.2f} s; {e.method}")
    lines += [f"  {note}" for note in r.notes]
    return "\n".join(lines)
