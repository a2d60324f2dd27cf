"""The run report's lines on competing content: share of voice, the claim, its damage,
the brand's response and customer service, and their breakdown by segment."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from smmsim.reporting.calendar import duration_text, moment_text
from smmsim.reporting.numbers import amount_text, percent_text

if TYPE_CHECKING:
    from smmsim.results import Results

__all__ = ["competition_lines"]

#: Steps of the share of voice by step the report lists (the rest is in summary.json).
STEPS_SHOWN = 8


def _ci(m: dict[str, Any], text=amount_text) -> str:
    lo, hi = m["ci"]
    return f"{text(m['mean'])} [{text(lo)}, {text(hi)}]"


def _pct(m: dict[str, Any]) -> str:
    lo, hi = m["ci"]
    return f"{percent_text(m['mean'])} [{percent_text(lo)}, {percent_text(hi)}]"


def _voice_lines(c: dict[str, Any], res: Results) -> list[str]:
    m = c["metrics"]
    owners = [o for o in ("brand", "competitor", "claim") if f"{o}_share_of_voice" in m]
    if len(owners) < 2:
        return []
    parts = [
        f"{o} {_pct(m[f'{o}_share_of_voice'])} of impressions, "
        f"{percent_text(m[f'{o}_share_of_engaged']['mean'])} of engaged users"
        for o in owners
    ]
    lines = ["Share of voice (mean of runs, 95% CI): " + "; ".join(parts) + "."]
    if "rebuttal" in c["contents"]:
        lines.append("  The brand's voice is its post and its rebuttal.")
    by_step = c["voice_by_step"]["brand"]
    if by_step:
        cal = res.timeline
        shown = ", ".join(
            f"{cal.label(t) if cal.dated else t}: {percent_text(x)}"
            for t, x in enumerate(by_step[:STEPS_SHOWN])
            if math.isfinite(x)
        )
        more = " ..." if len(by_step) > STEPS_SHOWN else ""
        per = cal.unit if cal.calendar else "step"
        lines.append(
            f"  The brand's share of impressions by {per} (all runs pooled): {shown}{more}"
        )
    return lines


def _claim_lines(c: dict[str, Any], res: Results) -> list[str]:
    m = c["metrics"]
    if "claim_reach" not in m:
        return []
    parts = [
        f"The claim reached {_ci(m['claim_reach'])} users; {_ci(m['believers'])} believe it "
        f"at the end ({amount_text(m['believers_ever']['mean'])} ever did"
    ]
    if "corrected" in m:
        parts.append(
            f"; the rebuttal changed {amount_text(m['corrected']['mean'])} minds and protected "
            f"{amount_text(m['inoculated']['mean'])} users before they saw the claim"
        )
    lines = ["".join(parts) + ")."]
    cont = m["containment_step"]
    if cont["n"]:
        lines.append(
            f"  Contained (no new believer) from {moment_text(res.timeline, cont['mean'], '.1f')} "
            f"on average [{cont['ci'][0]:.1f}, {cont['ci'][1]:.1f}]."
        )
    damage = res.extra.get("damage")
    if damage and "conversions" in damage:
        d = damage["conversions"]
        lo, hi = d["ci"]
        line = (
            f"Damage: the claim cost the brand {d['lost']:,.1f} conversions a run "
            f"[{lo:,.1f}, {hi:,.1f}]: {d['with']:,.1f} with it (the table above) against "
            f"{d['without']:,.1f} in the same runs without it"
        )
        if "revenue" in damage:
            cur = res.scenario["economics"]["currency"]
            line += f" ({cur} {amount_text(damage['revenue']['lost'])} of revenue)"
        lines.append(line + ".")
    return lines


def _response_lines(c: dict[str, Any], res: Results) -> list[str]:
    m = c["metrics"]
    lines = []
    cal = res.timeline
    cur = res.scenario["economics"]["currency"]
    if "rebuttal_step" in m:
        step = m["rebuttal_step"]
        share = step["n"] / res.n_runs
        if step["n"]:
            lines.append(
                f"Response: the rebuttal went out at {moment_text(cal, step['mean'], '.1f')} "
                "on average, in "
                f"{percent_text(share)} of runs; it reached {_ci(m['rebuttal_reach'])} users."
            )
        else:
            lines.append("Response: the rebuttal never went out (the claim was never detected).")
    if "replies" in m:
        line = (
            f"Customer service answered {percent_text(m['response_rate']['mean'])} of the users "
            f"who engaged with the brand's post ({amount_text(m['replies']['mean'])} replies a "
            f"run), after {duration_text(cal, m['response_time']['mean'])} on average"
        )
        p90 = c.get("response_time_p90")
        if p90 is not None and math.isfinite(p90):
            line += f" (90% within {duration_text(cal, p90, '.0f')})"
        elif p90 is not None:
            line += f" (90th percentile beyond the histogram's {duration_text(cal, 64, '.0f')})"
        patience = (res.scenario.get("service") or {}).get("patience")
        if patience is not None:
            in_time = m["replies_in_time"]["mean"] / max(m["replies"]["mean"], 1e-300)
            line += f"; {percent_text(in_time)} within the {patience}-{cal.unit} patience"
        lines.append(line + ".")
    costs = []
    service = res.scenario.get("service")
    if service and "replies" in m:
        costs.append(
            f"replies {cur} {amount_text(m['replies']['mean'] * service['cost_per_reply'])}"
        )
    response = res.scenario.get("response")
    if response and response["cost"] and "rebuttal_step" in m:
        share = m["rebuttal_step"]["n"] / res.n_runs
        costs.append(f"the rebuttal {cur} {amount_text(response['cost'] * share)}")
    if costs:
        lines.append(f"  Mean cost a run, in Cost above: {', '.join(costs)}.")
    if "competitor_engaged" in m:
        lines.append(
            f"Competitor: won {_ci(m['competitor_engaged'])} users, lost to the brand, who made "
            f"{amount_text(m['competitor_conversions']['mean'])} purchases from it."
        )
    return lines


def _segment_lines(c: dict[str, Any], res: Results) -> list[str]:
    seg = c.get("segments")
    if seg is None:
        return []
    cols = [
        col
        for col in ("competitor_reach", "claim_reach", "believers", "brand_conversions")
        if seg[col].any() or col == "brand_conversions"
    ]
    width = max(len(str(i)) for i in seg.index) + 2
    voices = seg[["brand_engaged", "competitor_engaged", "claim_engaged"]].sum(axis=1)
    rivals = voices > seg["brand_engaged"]
    head = "".join(f"{col.replace('_', ' '):>18}" for col in cols)
    if rivals.any():
        head += f"{'brand voice':>13}"
    lines = ["By segment (means a run):", f"  {'segment':<{width}}{head}"]
    damage = res.extra.get("damage") or {}
    for name, row in seg.iterrows():
        cells = "".join(f"{amount_text(row[col]):>18}" for col in cols)
        if rivals.any():
            total = voices[name]
            share = row["brand_engaged"] / total if total else float("nan")
            cells += f"{percent_text(share):>13}"
        d = damage.get(f"conversions[{name}]")
        tail = f"   lost to the claim {amount_text(d['lost'])}" if d else ""
        lines.append(f"  {name!s:<{width}}{cells}{tail}")
    return lines


def competition_lines(res: Results) -> list[str]:
    """The report's paragraph on competing content (none without it)."""
    c = res.extra.get("competition")
    if not c:
        return []
    return [
        *_voice_lines(c, res),
        *_claim_lines(c, res),
        *_response_lines(c, res),
        *_segment_lines(c, res),
    ]
