"""Plain-text report of a simulation, in a marketer's words."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from smmsim.report_theory import audience_caveats, comparison_lines

if TYPE_CHECKING:
    from smmsim.results import Results

__all__ = ["format_report", "threshold_verdict"]

TABLE = (
    ("impressions", "Impressions"),
    ("earned_impressions", "  earned (peer shares)"),
    ("reach", "Reach (unique users)"),
    ("earned_reach", "  earned reach (referred)"),
    ("engaged", "Engaged users"),
    ("engagements", "Engagements"),
    ("shares", "Sharers (seeds included)"),
    ("conversions", "Conversions"),
    ("direct_conversions", "  direct"),
    ("referral_conversions", "  referral-driven"),
    ("k_factor", "K-factor (new sharers/sharer)"),
    ("depth", "Cascade depth (generations)"),
    ("structural_virality", "Structural virality"),
    ("peak_step", "Peak step"),
    ("cost", "Cost"),
    ("revenue", "Revenue"),
    ("roi", "ROI"),
    ("earned_media_value", "Earned media value"),
)


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


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


def _theory_lines(theory: dict, content: dict) -> list[str]:
    if theory.get("verdict"):  # a model's own sentence
        return [theory["verdict"]]
    if "transmissibility" in theory and "critical" in theory:
        return [threshold_verdict(theory, content)]
    return []


def format_report(res: Results) -> str:
    """The summary table and verdicts that ``smmsim run`` prints."""
    sc, s, a = res.scenario, res.summary, res.audience
    cur = sc["economics"]["currency"]
    lines = [
        f"smmsim {res.version} | scenario {sc.get('name', '?')} | {res.n_runs:,} runs | "
        f"rng_seed {res.rng_seed}",
        f"Audience: {a['name']}: {a['n']:,} users, {a['n_edges']:,} ties, "
        f"mean degree {a['mean']:.2f}, mean excess degree {a['excess']:.2f}",
        *_theory_lines(res.theory, sc["content"]),
        "",
        f"{'metric':32s}{'mean':>12s}{'95% CI':>26s}{'median':>11s}{'5%-95%':>22s}",
    ]
    for key, label in TABLE:
        if key not in s.index:
            continue
        r = s.loc[key]
        unit = f" {cur}" if key in ("cost", "revenue", "earned_media_value") else ""
        ci = f"[{_num(r.ci_low)}, {_num(r.ci_high)}]"
        band = f"{_num(r.q05)} - {_num(r.q95)}"
        lines.append(
            f"{label + unit:32s}{_num(r['mean']):>12s}{ci:>26s}{_num(r.q50):>11s}{band:>22s}"
        )
    reach = s.loc["reach", "mean"]
    conv = s.loc["conversions", "mean"]
    lines += ["", *comparison_lines(res)]
    caveats = audience_caveats(res)
    if caveats:
        lines += ["Where theory's assumptions do not hold here:", *(f"- {c}" for c in caveats)]
    if reach > 0:
        lines.append(
            f"Earned media: {s.loc['earned_reach', 'mean'] / reach:.0%} of reach came from "
            f"peers' shares"
            + (
                f"; {s.loc['referral_conversions', 'mean'] / conv:.0%} of conversions were "
                "referral-driven."
                if conv > 0
                else "."
            )
        )
    if "roi" in s.index and s.loc["roi", "n"] > 0:
        r = s.loc["roi"]
        lines.append(f"ROI {r['mean']:.2f} (95% CI {r.ci_low:.2f} - {r.ci_high:.2f}).")
    t = res.timing
    lines.append(f"Timing: audience {t['audience_s']:.2f} s, simulation {t['simulate_s']:.2f} s.")
    return "\n".join(lines)
