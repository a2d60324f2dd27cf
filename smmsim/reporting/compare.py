"""The comparison of campaign variants in words (what ``smmsim compare`` prints)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from smmsim.reporting.numbers import amount_text

if TYPE_CHECKING:
    from smmsim.compare import Comparison

__all__ = ["format_comparison"]

#: Metrics shown as percentages (their mean is a probability or a ratio).
PERCENT = frozenset({"viral", "pays_back", "roi"})


def _num(x: float, metric: str, signed: bool = False) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    if metric in PERCENT:
        # a difference of two percentages is in percentage points
        text = f"{100 * x:.1f} pts" if signed else f"{100 * x:.1f}%"
        return f"+{text}" if signed and x > 0 else text
    text = amount_text(x)
    return f"+{text}" if signed and x > 0 else text


def _interval(lo: float, hi: float, metric: str, signed: bool = False) -> str:
    return f"[{_num(lo, metric, signed)}, {_num(hi, metric, signed)}]"


def format_comparison(comp: Comparison, metrics: Sequence[str]) -> str:
    """Each metric's mean per variant with its 95% interval, and each variant against
    the baseline run by run: the mean paired difference with its interval and the share
    of runs it did better in."""
    from smmsim.metrics import LOWER_IS_BETTER
    from smmsim.plots.labels import metric_label

    table = comp.table
    base = comp.names[0]
    first = comp.results[0]
    runs = first.n_runs
    users = first.audience.get("n")
    lines = [
        f"{len(comp.names)} variants on one audience"
        + (f" ({users:,} users)" if isinstance(users, int) else "")
        + f", {runs:,} runs each with common random numbers (seed {comp.rng_seed}): "
        f"run r of every variant starts from the same random streams. Baseline: {base}.",
        "Each metric: mean per run [95% interval]; against the baseline, the mean of the "
        "run-by-run differences [95% interval] and the share of runs in which the variant "
        "did better than the baseline's same run.",
        "",
    ]
    width = max(len(n) for n in comp.names)
    shown = [m for m in metrics if (m, base) in table.index]
    for metric in shown:
        better = "lower" if metric in LOWER_IS_BETTER else "higher"
        lines.append(f"{metric_label(metric)} ({better} is better)")
        for name in comp.names:
            row = table.loc[(metric, name)]
            text = f"  {name:<{width}}  {_num(row['mean'], metric):>9} "
            text += _interval(row["ci_low"], row["ci_high"], metric)
            if name != base:
                text += (
                    f";  vs {base}: {_num(row['diff'], metric, True)} "
                    f"{_interval(row['diff_ci_low'], row['diff_ci_high'], metric, True)}, "
                    f"better in {100 * row['p_beats']:.0f}% of runs"
                    f" (same in {100 * row['p_ties']:.0f}%)"
                )
            lines.append(text)
    lines += ["", *_verdicts(comp, shown)]
    return "\n".join(lines)


def _verdicts(comp: Comparison, metrics: Sequence[str]) -> list[str]:
    """One sentence per variant on the metrics whose difference is clear (its interval
    excludes zero)."""
    from smmsim.metrics import LOWER_IS_BETTER
    from smmsim.plots.labels import metric_label

    out = []
    base = comp.names[0]
    for name in comp.names[1:]:
        gains, losses = [], []
        for metric in metrics:
            row = comp.table.loc[(metric, name)]
            lo, hi = row["diff_ci_low"], row["diff_ci_high"]
            if not (math.isfinite(lo) and math.isfinite(hi)) or lo <= 0 <= hi:
                continue
            up = lo > 0
            good = up != (metric in LOWER_IS_BETTER)
            label = metric_label(metric).split(" (")[0].lower()
            part = f"{label} {_num(row['diff'], metric, True)}"
            (gains if good else losses).append(part)
        if not gains and not losses:
            out.append(
                f"{name} against {base}: no headline difference is clear at 95% with "
                f"{comp.results[0].n_runs:,} runs."
            )
            continue
        text = f"{name} against {base}, per run:"
        if gains:
            text += " better on " + ", ".join(gains) + "."
        if losses:
            text += " worse on " + ", ".join(losses) + "."
        out.append(text)
    return out
