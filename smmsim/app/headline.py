"""The headline of a simulation, as the app shows it: :func:`headline`.

Reach, earned reach, conversions (direct and referral-driven), ROI with its interval,
the probability of paying back and the virality verdict, each as a short text. Means
are written exactly as ``smmsim run`` prints them in its table
(:func:`smmsim.reporting.metric_text`), so the page and the command line can be
compared number for number. Nothing here imports Panel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from smmsim.reporting.report import metric_text
from smmsim.reporting.verdicts import threshold_verdict

if TYPE_CHECKING:
    from smmsim.results import Results

__all__ = ["Figure", "headline", "verdict"]


@dataclass(frozen=True)
class Figure:
    """One headline figure: ``key`` (the metric), ``label``, ``value`` (as the report's
    table prints the mean) and ``detail`` (its interval, or what it adds up to)."""

    key: str
    label: str
    value: str
    detail: str


def _pct(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:.1%}"


def _ci(res: Results, key: str) -> str:
    s = res.summary
    return f"95% CI {metric_text(s, key, 'ci_low')} to {metric_text(s, key, 'ci_high')}"


def verdict(res: Results) -> str:
    """The virality verdict of the run report (theory's sentence), or ``""``."""
    theory = res.theory
    if theory.get("verdict"):
        return str(theory["verdict"])
    if "transmissibility" in theory and "critical" in theory:
        return threshold_verdict(theory, res.scenario["content"])
    return ""


def headline(res: Results) -> list[Figure]:
    """The figures a strategist reads first.

    Parameters
    ----------
    res : Results

    Returns
    -------
    list of Figure
        Reach, earned reach, conversions, direct and referral-driven conversions, ROI,
        the probability of paying back and of going viral (those the summary has), with
        competing content the brand's share of voice, the claim's reach and the
        conversions it cost, and the probability of meeting each of the scenario's goals.
    """
    s = res.summary
    cur = res.scenario["economics"]["currency"]
    out = []
    if "reach" in s.index:
        out.append(Figure("reach", "Reach (users)", metric_text(s, "reach"), _ci(res, "reach")))
    if "earned_reach" in s.index:
        reach = float(s.loc["reach", "mean"])
        share = float(s.loc["earned_reach", "mean"]) / reach if reach > 0 else math.nan
        out.append(
            Figure(
                "earned_reach",
                "Earned reach (referred)",
                metric_text(s, "earned_reach"),
                f"{_pct(share)} of reach came from peers' shares",
            )
        )
    if "conversions" in s.index:
        out.append(
            Figure(
                "conversions", "Conversions", metric_text(s, "conversions"), _ci(res, "conversions")
            )
        )
    for key, label in (
        ("direct_conversions", "Direct conversions"),
        ("referral_conversions", "Referral conversions"),
    ):
        if key in s.index:
            conv = float(s.loc["conversions", "mean"])
            share = float(s.loc[key, "mean"]) / conv if conv > 0 else math.nan
            out.append(Figure(key, label, metric_text(s, key), f"{_pct(share)} of conversions"))
    if "roi" in s.index and s.loc["roi", "n"] > 0:
        out.append(Figure("roi", "ROI (mean)", metric_text(s, "roi"), _ci(res, "roi")))
    if "pays_back" in s.index and s.loc["pays_back", "n"] > 0:
        b = s.loc["pays_back"]
        out.append(_share("pays_back", "Pays back (ROI > 0)", b["mean"], b.ci_low, b.ci_high))
    if "viral" in s.index:
        v = s.loc["viral"]
        out.append(_share("viral", "Went viral", v["mean"], v.ci_low, v.ci_high))
    if "cost" in s.index:
        out.append(Figure("cost", f"Cost ({cur})", metric_text(s, "cost"), "mean per run"))
    out += _competition(res)
    for i, g in enumerate(res.extra.get("goals") or ()):
        label = f"Goal: {g['goal']}"
        out.append(
            _share(f"goal{i}", label, g["probability"], g["ci_low"], g["ci_high"], "meet it")
        )
    return out


def _competition(res: Results) -> list[Figure]:
    """With competing content: the brand's share of voice, the claim's reach and the
    conversions it cost (as the run report writes them)."""
    s = res.summary
    out = []
    voices = [k for k in s.index if k.endswith("_share_of_voice")]
    if "brand_share_of_voice" in s.index and len(voices) > 1:
        v = s.loc["brand_share_of_voice"]
        out.append(
            Figure(
                "brand_share_of_voice",
                "Brand's share of voice",
                _pct(v["mean"]),
                f"of impressions, 95% CI {_pct(v.ci_low)} to {_pct(v.ci_high)}",
            )
        )
    if "claim_reach" in s.index:
        out.append(
            Figure("claim_reach", "Claim's reach (users)", metric_text(s, "claim_reach"),
                   _ci(res, "claim_reach"))
        )  # fmt: skip
    damage = (res.extra.get("damage") or {}).get("conversions")
    if damage:
        lo, hi = damage["ci"]
        out.append(
            Figure(
                "damage",
                "Conversions lost to the claim",
                f"{damage['lost']:,.1f}",
                f"95% CI {lo:,.1f} to {hi:,.1f}; {damage['without']:,.1f} without the claim",
            )
        )
    return out


def _share(key: str, label: str, p: float, low: float, high: float, what: str = "") -> Figure:
    """A probability: the share of runs and its 95% interval."""
    runs = f"of runs {what}," if what else "of runs,"
    return Figure(
        key, label, _pct(float(p)), f"{runs} 95% CI {_pct(float(low))} to {_pct(float(high))}"
    )
