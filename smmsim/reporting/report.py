"""Plain-text report of a simulation, in a marketer's words."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from smmsim.reporting.calendar import calendar_lines, timing_lines
from smmsim.reporting.competition import competition_lines
from smmsim.reporting.goals import goal_lines
from smmsim.reporting.posts import post_lines
from smmsim.reporting.referral import referral_value_lines
from smmsim.reporting.theory_lines import audience_caveats, comparison_lines
from smmsim.reporting.verdicts import threshold_verdict

if TYPE_CHECKING:
    import pandas as pd

    from smmsim.results import Results

__all__ = ["format_report", "metric_text", "money_lines"]

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
    ("new_sharers_per_sharer", "New sharers per sharer (this run)"),
    ("depth", "Cascade depth (generations)"),
    ("structural_virality", "Structural virality"),
    ("peak_step", "Peak step (most {peak})"),
    ("cost", "Cost"),
    ("revenue", "Revenue"),
    ("roi", "ROI"),
    ("earned_media_value", "Earned media value"),
)


#: Metrics whose per-run values are whole numbers: their quantiles print as counts.
COUNTS = frozenset(
    {
        "impressions",
        "earned_impressions",
        "reach",
        "earned_reach",
        "engaged",
        "engagements",
        "shares",
        "conversions",
        "direct_conversions",
        "referral_conversions",
        "depth",
        "peak_step",
    }
)
#: Metrics in the scenario's currency.
MONEY = frozenset({"cost", "revenue", "earned_media_value"})
LABEL_WIDTH = 34


def _num(x: float | None, kind: str = "") -> str:
    """A number for the report: never in scientific notation; ``kind`` ``"count"``
    (for quantiles of whole-number metrics, which interpolation can leave between two
    runs' values) prints the nearest whole number, ``"money"`` whole units from 100 up."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    ax = abs(x)
    if kind == "count":  # a quantile of whole numbers: the nearest whole number
        return f"{round(x):,}"
    if kind == "money":
        return f"{x:,.0f}" if ax >= 100 or float(x).is_integer() else f"{x:,.2f}"
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def metric_text(summary: pd.DataFrame, key: str, stat: str = "mean") -> str:
    """A metric's mean (or ``ci_low``, ``ci_high``) as the report's table prints it.

    Parameters
    ----------
    summary : pandas.DataFrame
        Ensemble statistics (``Results.summary``).
    key : str
        The metric (``"reach"``).
    stat : str
        A column of the summary.

    Returns
    -------
    str
        ``"1,008"``, ``"27.89"``, ``"n/a"``; amounts of money without their currency.
    """
    return _num(float(summary.loc[key, stat]), "money" if key in MONEY else "")


def _model(res: Results):
    from smmsim.models import MODELS

    return MODELS.get(res.scenario.get("model", ""))


def _declared(res: Results) -> tuple[dict[str, str], str]:
    """What the run's model declares: the metrics it leaves undefined (with why) and
    what its peak step counts."""
    model = _model(res)
    if model is None:
        return {}, "new impressions"
    return model.undefined_metrics, model.peak_of[1]


def _left_out_lines(res: Results) -> list[str]:
    """One line naming the metrics the model leaves undefined (none: no line)."""
    undefined, _peak = _declared(res)
    left_out = [key.replace("_", " ") for key, _ in TABLE if key in undefined]
    if not left_out:
        return []
    return [
        f"Left out of the table, as they mean nothing in the {res.scenario['model']} model: "
        f"{', '.join(left_out)} (why: README, Metrics)."
    ]


def _roi_words(roi: float, cur: str) -> str:
    """What one run's ROI means for its spend."""
    if roi < 0:
        return f"it loses {-roi:.0%} of its spend"
    if roi == 0:
        return "it breaks even"
    return f"it returns {1 + roi:.2f} {cur} per {cur} spent"


def money_lines(summary: pd.DataFrame, currency: str) -> list[str]:
    """Will the campaign pay back? The probability that a run does (ROI > 0, Wilson
    interval), the median run's ROI and the mean ROI with its interval.

    Parameters
    ----------
    summary : pandas.DataFrame
        Ensemble statistics (:func:`smmsim.metrics.summarize`), with ``roi`` and
        ``pays_back`` rows.
    currency : str
        The scenario's currency.

    Returns
    -------
    list of str
        Empty when the summary has no ROI.
    """
    if "roi" not in summary.index:
        return []
    r = summary.loc["roi"]
    if not r["n"] > 0:
        return ["ROI: undefined, the campaign costs nothing."]
    lines = []
    p = None
    if "pays_back" in summary.index and summary.loc["pays_back", "n"] > 0:
        b = summary.loc["pays_back"]
        p = float(b["mean"])
        lines.append(
            f"Pays back (ROI > 0) in {p:.1%} of runs (95% CI {b.ci_low:.1%} - "
            f"{b.ci_high:.1%}). The median run's ROI is {r.q50:.2f}: "
            f"{_roi_words(float(r.q50), currency)}."
        )
    mean = f"Mean ROI {r['mean']:.2f} (95% CI {r.ci_low:.2f} to {r.ci_high:.2f})"
    if p is not None and r["mean"] > 0 and p < 0.5:
        mean += ", carried by the minority of runs that pay back"
    elif p is not None and r["mean"] < 0 and p > 0.5:
        mean += ", pulled down by the minority of runs that lose money"
    lines.append(f"{mean}; 90% of runs fall between {r.q05:.2f} and {r.q95:.2f}.")
    return lines


def _theory_lines(theory: dict, content: dict) -> list[str]:
    if theory.get("verdict"):  # a model's own sentence
        return [theory["verdict"]]
    if "transmissibility" in theory and "critical" in theory:
        return [threshold_verdict(theory, content)]
    return []


#: Columns of the per-segment table: metric, header (the tallies and the revenue of
#: :mod:`smmsim.segment_metrics`, in the main table's order).
SEGMENT_TABLE = (
    ("impressions", "impressions"),
    ("reach", "reach"),
    ("earned_reach", "earned"),
    ("engaged", "engaged"),
    ("shares", "sharers"),
    ("conversions", "conversions"),
    ("referral_conversions", "referral"),
    ("revenue", "revenue"),
)
#: Shares printed under the per-segment table: metric, words.
SEGMENT_RATIOS = (
    ("conversion_rate", "conversion rate of reached users"),
    ("earned_share", "earned share of reach"),
)


def segment_lines(res: Results) -> list[str]:
    """The per-segment table: each segment's mean per run of every tally and of the
    revenue, then the row of all segments, which is the main table's figure (every
    user is in one segment, so a run's tallies add up to its counts); under it, each
    segment's conversion rate of reached users and earned share of reach."""
    by = res.extra.get("by_segment")
    if not by:
        return []
    undefined, _ = _declared(res)
    s = res.summary
    cols = [(k, h) for k, h in SEGMENT_TABLE if k in s.index and k not in undefined]
    cur = res.scenario["economics"]["currency"]
    names = list(by)
    width = max(len("all segments"), *(len(n) for n in names)) + 2
    w = max(11, *(len(h) + 2 for _, h in cols))

    # a money column's header carries the currency, and is as much wider
    heads = [f"{h} {cur}" if k in MONEY else h for k, h in cols]
    widths = [w + (len(cur) + 1 if k in MONEY else 0) for k, _ in cols]

    def row(label: str, values: list[float]) -> str:
        cells = (
            f"{'0' if x == 0 else _num(x, 'money' if k in MONEY else ''):>{wd}s}"
            for (k, _), x, wd in zip(cols, values, widths, strict=True)
        )
        return f"  {label:<{width}}{''.join(cells)}"

    header = "".join(f"{h:>{wd}s}" for h, wd in zip(heads, widths, strict=True))
    lines = [
        "",
        "By segment (mean per run; each column adds up to the table's figure, 'all segments'):",
        f"  {'segment':<{width}}{header}",
    ]
    lines += [row(n, [by[n][k]["mean"] for k, _ in cols]) for n in names]
    lines.append(row("all segments", [float(s.loc[k, "mean"]) for k, _ in cols]))
    reach = float(s.loc["reach", "mean"]) if "reach" in s.index else 0.0
    overall = {
        "conversion_rate": float(s.loc["conversions", "mean"]) / reach if reach > 0 else None,
        "earned_share": float(s.loc["earned_reach", "mean"]) / reach if reach > 0 else None,
    }
    for key, words in SEGMENT_RATIOS:
        if key == "earned_share" and "earned_reach" in undefined:
            continue
        parts = ", ".join(f"{n} {_share(by[n][key]['mean'])}" for n in names)
        lines.append(f"{words.capitalize()}: {parts} (all {_share(overall[key])}).")
    return lines


def attribute_text(audience: dict) -> str:
    """``"; attributes: age_band (3 values), region (2 values)"`` for the audience line
    (empty when the users carry no attributes)."""
    attributes = audience.get("attributes")
    if not attributes:
        return ""
    parts = ", ".join(
        f"{name} ({len(values)} value{'s' if len(values) != 1 else ''})"
        for name, values in attributes.items()
    )
    return f"; attributes: {parts}"


def spillover_lines(res: Results) -> list[str]:
    """The reach outside the target segments: users and share of reach, with intervals."""
    s = res.summary
    target = res.extra.get("target")
    if not target or "spillover" not in s.index:
        return []
    n = s.loc["spillover"]
    share, bands = "", f"{n.ci_low:,.1f} - {n.ci_high:,.1f} users"
    if "spillover_share" in s.index and s.loc["spillover_share", "n"] > 0:
        x = s.loc["spillover_share"]
        share = f" ({x['mean']:.1%} of reach)"
        bands += f" and {x.ci_low:.1%} - {x.ci_high:.1%}"
    return [
        f"Spill-over: {n['mean']:,.1f} users per run{share} outside the target segments "
        f"({', '.join(target)}); 95% CIs {bands}."
    ]


def _share(x: float | None) -> str:
    """A share as the per-segment lines print it (n/a when no one was reached)."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:.1%}"


def format_report(res: Results) -> str:
    """The summary table and verdicts that ``smmsim run`` prints."""
    sc, s, a = res.scenario, res.summary, res.audience
    cur = sc["economics"]["currency"]
    lines = [
        f"smmsim {res.version} | scenario {sc.get('name', '?')} | {res.n_runs:,} runs | "
        f"rng_seed {res.rng_seed}",
        f"Audience: {a['name']}: {a['n']:,} users, {a['n_edges']:,} ties, "
        f"mean degree {a['mean']:.2f}, mean excess degree {a['excess']:.2f}"
        f"{attribute_text(a)}",
        *calendar_lines(res),
        *_theory_lines(res.theory, sc["content"]),
        *_left_out_lines(res),
        "",
        f"{'metric':{LABEL_WIDTH}s}{'mean':>12s}{'95% CI':>26s}{'median':>11s}{'5%-95%':>22s}",
    ]
    undefined, peak = _declared(res)
    for key, label in TABLE:
        if key not in s.index or key in undefined:
            continue
        r = s.loc[key]
        kind = "count" if key in COUNTS else "money" if key in MONEY else ""
        unit = f" {cur}" if kind == "money" else ""
        # means and their intervals of counts keep decimals; quantiles are whole counts
        at = "" if kind == "count" else kind
        ci = f"[{_num(r.ci_low, at)}, {_num(r.ci_high, at)}]"
        band = f"{_num(r.q05, kind)} - {_num(r.q95, kind)}"
        lines.append(
            f"{label.format(peak=peak) + unit:{LABEL_WIDTH}s}{_num(r['mean'], at):>12s}"
            f"{ci:>26s}{_num(r.q50, kind):>11s}{band:>22s}"
        )
    reach = s.loc["reach", "mean"]
    conv = s.loc["conversions", "mean"]
    lines += ["", *timing_lines(res, undefined, peak), *comparison_lines(res)]
    caveats = audience_caveats(res)
    if caveats:
        lines += ["Where theory's assumptions do not hold here:", *(f"- {c}" for c in caveats)]
    if reach > 0:
        model = _model(res)
        earned_means = "came from peers' shares" if model is None else model.earned_reach_means
        lines.append(
            f"Earned media: {s.loc['earned_reach', 'mean'] / reach:.0%} of reach "
            f"{earned_means}"
            + (
                f"; {s.loc['referral_conversions', 'mean'] / conv:.0%} of conversions were "
                "referral-driven."
                if conv > 0
                else "."
            )
        )
    lines += money_lines(s, cur)
    lines += segment_lines(res)
    lines += spillover_lines(res)
    lines += post_lines(res)
    lines += competition_lines(res)
    lines += goal_lines(res)
    lines += referral_value_lines(res)
    t = res.timing
    extra = ""
    if "damage_baseline_s" in t:
        extra = f", the same runs without the claim {t['damage_baseline_s']:.2f} s"
    lines.append(
        f"Timing: audience {t['audience_s']:.2f} s, simulation {t['simulate_s']:.2f} s{extra}."
    )
    return "\n".join(lines)
