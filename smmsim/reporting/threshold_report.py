"""The text report of a virality-threshold search (what ``smmsim threshold`` prints)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smmsim.reporting.numbers import amount_text, value_text

if TYPE_CHECKING:
    from smmsim.threshold.result import ThresholdResult

__all__ = ["threshold_report"]


def threshold_report(r: ThresholdResult) -> str:
    """The text that ``smmsim threshold`` prints for ``r``."""
    a, e = r.analytic, r.empirical
    au = r.audience
    lines = [
        f"Virality threshold of {r.param} | scenario {r.scenario}",
        f"Audience: {au['name']}: {au['n']:,} users, {au['n_edges']:,} ties, mean degree "
        f"{au['mean']:.2f}, mean excess degree {au['excess']:.2f}",
        "",
        r.verdict(),
        "",
        f"  critical transmissibility T_c   theory {value_text(a.critical_transmissibility)}"
        + (
            f"   simulated {value_text(e.critical_transmissibility)} "
            f"(95% CI {value_text(e.t_ci_low)} - {value_text(e.t_ci_high)})"
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
            f"  below threshold a cascade from one seed stays small: {amount_text(a.mean_small)} "
            f"sharers and a reach of {amount_text(a.mean_small_reach)} users on average"
        )
    if e is not None:
        lines.append(f"  search: {e.runs:,} simulated cascades in {e.seconds:.2f} s; {e.method}")
    lines += [f"  {note}" for note in r.notes]
    return "\n".join(lines)
