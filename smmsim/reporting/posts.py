"""A content calendar in the results and the run report: what each post did and cost.

:func:`post_summary` is what ``summary.json`` keeps under ``posts`` (one entry a post:
its name, launch step and date, its seeds, its mean impressions, reach, earned reach,
engaged users, sharers, conversions and referral conversions credited to it, its cost
and cost per conversion); :func:`post_lines` is the report's per-post table.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from smmsim._kernels.posts_layout import N_POST_COLUMNS, POST_COLUMNS
from smmsim.reporting.numbers import amount_text

if TYPE_CHECKING:
    from smmsim.economics import Economics
    from smmsim.graph import CSRGraph
    from smmsim.models.base import RawBatch
    from smmsim.models.calendar import Calendar
    from smmsim.results import Results

__all__ = ["post_lines", "post_summary"]


def post_summary(
    raw: RawBatch, model: Calendar, graph: CSRGraph, economics: Economics, simulation: dict
) -> list[dict[str, Any]]:
    """Each post's account over the runs of ``raw`` (means a run)."""
    from smmsim.timeline import Timeline

    timeline = Timeline.of(simulation)
    block = raw.tallies.reshape(len(raw), len(model.posts), N_POST_COLUMNS)
    prices = economics.prices(graph)
    out = []
    for p, (post, (a, b)) in enumerate(zip(model.posts, model.columns(graph), strict=True)):
        seeds = raw.seed_sets[:, a:b]
        fees = float(prices[seeds].sum(axis=1).mean()) if b > a else 0.0
        cost = fees + float(post["cost"])
        means = {c: float(block[:, p, q].mean()) for q, c in enumerate(POST_COLUMNS)}
        entry = {
            "name": post["name"],
            "at": int(post["at"]),
            "seeds": int(b - a),
            **means,
            "seed_cost": fees,
            "cost": cost,
            "cost_per_conversion": cost / means["conversions"] if means["conversions"] else None,
        }
        if timeline.dated:
            entry["date"] = timeline.label(int(post["at"]))
        out.append(entry)
    return out


def post_lines(res: Results) -> list[str]:
    """The report's per-post table (none without a calendar)."""
    posts = res.extra.get("posts")
    if not posts:
        return []
    cur = res.scenario["economics"]["currency"]
    when = "date" if "date" in posts[0] else "step"
    width = max(12, *(len(p["name"]) for p in posts)) + 2
    lines = [
        "",
        "Posts (mean per run; conversions credited to the post whose engagement converted):",
        f"{'post':{width}s}{when:>12s}{'reach':>11s}{'engaged':>10s}{'conversions':>13s}"
        f"{'cost ' + cur:>14s}{'per conv.':>12s}",
    ]
    for p in posts:
        at = p.get("date", str(p["at"]))
        cpc = p["cost_per_conversion"]
        per = amount_text(cpc) if cpc is not None and math.isfinite(cpc) else "-"
        lines.append(
            f"{p['name']:{width}s}{at:>12s}{p['reach']:>11,.1f}{p['engaged']:>10,.1f}"
            f"{p['conversions']:>13,.2f}{amount_text(p['cost']):>14s}{per:>12s}"
        )
    total = sum(p["conversions"] for p in posts)
    if total > 0:
        best = max(posts, key=lambda p: p["conversions"])
        lines.append(
            f"  {best['name']} made {best['conversions'] / total:.0%} of the conversions; "
            f"per-post reach overlaps (a user reached by two posts counts in both), so it adds "
            f"up to more than the campaign's reach of {res.mean('reach'):,.1f}."
        )
    return lines
