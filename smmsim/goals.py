"""Campaign goals: what a campaign must achieve, and how likely it is to.

A scenario's ``goals:`` lists them. A goal is absolute (``{metric: conversions,
at_least: 500, by: 90}``: at least 500 conversions by step 90; ``at_most`` for a ceiling
such as cost; ``by`` may be a date, ``by: 2027-05-30``, when the scenario has a calendar:
:mod:`smmsim.timeline`) or a lift over a baseline scenario (``{metric: conversions, lift: 0.15,
by: 90, baseline: current.yaml}``: 15% more conversions by step 90 than the campaign the
brand runs today). A run meets an absolute goal when its value (through step ``by``)
reaches the target; it meets a lift goal when its value is at least ``1 + lift`` times
the same run's value under the baseline, run on the same audience with common random
numbers, and is not zero. The probability of meeting a goal is the share of runs that
meet it, with a Wilson score interval (Wilson 1927); the expected shortfall is the mean
of ``max(0, target - value)`` over the runs, and over the runs that missed.

References
----------
E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
Journal of the American Statistical Association 22(158), 209-212 (1927).
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from smmsim.params import ParamError

if TYPE_CHECKING:
    from smmsim.timeline import Timeline

__all__ = ["BY_METRICS", "GOAL_KEYS", "by_date", "evaluate_goal", "parse_goals", "values_by"]

#: The keys a goal may have.
GOAL_KEYS = ("name", "metric", "at_least", "at_most", "lift", "by", "baseline")
#: Metrics a goal can count up to a step (``by``): those of the per-step series. Any
#: other metric is counted over the whole horizon (``by`` omitted).
BY_METRICS = ("impressions", "reach", "engagements", "shares", "conversions")


def parse_goals(value: Any, key: str) -> list[dict[str, Any]] | None:
    """The scenario's ``goals`` as a list of complete goals (every key present, ``None``
    where not given); raise :class:`~smmsim.params.ParamError` naming the goal and key."""
    if value is None:
        return None
    if not isinstance(value, list | tuple):
        raise ParamError(key, "must be a list of goals, each a mapping with a metric and a target")
    from smmsim.metrics import METRICS
    from smmsim.params import unknown_key_message

    out = []
    for i, goal in enumerate(value):
        where = f"{key}[{i}]"
        if not isinstance(goal, Mapping):
            raise ParamError(
                where, "must be a mapping such as {metric: conversions, at_least: 500}"
            )
        for k in goal:
            if k not in GOAL_KEYS:
                raise ParamError(f"{where}.{k}", unknown_key_message(k, GOAL_KEYS, "a goal", "key"))
        metric = goal.get("metric")
        if metric not in METRICS:
            close = difflib.get_close_matches(str(metric), list(METRICS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParamError(
                f"{where}.metric",
                f"unknown metric {metric!r}; a goal takes a metric of the per-run table "
                f"(reach, earned_reach, conversions, referral_conversions, cost, roi, ...: "
                f"the README's metrics table){hint}",
            )
        targets = [k for k in ("at_least", "at_most", "lift") if goal.get(k) is not None]
        if len(targets) != 1:
            raise ParamError(where, "needs exactly one of at_least, at_most and lift")
        for k in ("at_least", "at_most", "lift"):
            x = goal.get(k)
            if x is not None and (isinstance(x, bool) or not isinstance(x, int | float)):
                raise ParamError(f"{where}.{k}", f"must be a number, got {x!r}")
            if x is not None and not math.isfinite(x):
                raise ParamError(f"{where}.{k}", f"must be finite, got {x!r}")
        lift = goal.get("lift")
        if lift is not None and lift <= -1:
            raise ParamError(f"{where}.lift", f"must be > -1 (a share: 0.15 is +15%), got {lift}")
        baseline = goal.get("baseline")
        if (lift is None) != (baseline is None):
            raise ParamError(
                where, "a lift goal needs a baseline scenario file, and only a lift goal has one"
            )
        if baseline is not None and (not isinstance(baseline, str) or not baseline.strip()):
            raise ParamError(f"{where}.baseline", "must be the path of a scenario file")
        by = goal.get("by")
        if by is not None:
            if isinstance(by, bool) or (isinstance(by, int) and by < 1):
                raise ParamError(f"{where}.by", f"must be a whole number of steps >= 1, got {by!r}")
            if not isinstance(by, int | str | dt.date):
                raise ParamError(
                    f"{where}.by",
                    f"must be a whole number of steps >= 1 or a date such as 2027-05-29, "
                    f"got {by!r}",
                )
            if metric not in BY_METRICS:
                raise ParamError(
                    f"{where}.by",
                    f"{metric} is counted over the whole horizon; 'by' applies to "
                    f"{', '.join(BY_METRICS)}",
                )
        name = goal.get("name")
        if name is not None and not isinstance(name, str):
            raise ParamError(f"{where}.name", f"must be text, got {name!r}")
        out.append({k: goal.get(k) for k in GOAL_KEYS})
    return out


def by_date(value: Any, timeline: Timeline, key: str) -> int:
    """A goal's ``by`` (a step, or a date on the scenario's calendar) as a step >= 1;
    raise :class:`~smmsim.params.ParamError` naming ``key``."""
    step = timeline.step_of(value, key)
    if step < 1:
        raise ParamError(
            key,
            f"{timeline.label(step)} is step {step}, the launch; a goal is counted by a "
            "later step (>= 1)",
        )
    return step


def goal_text(goal: Mapping[str, Any], timeline: Timeline | None = None) -> str:
    """The goal in words: ``conversions >= 500 by step 90`` (``by 2027-05-30 (step
    90)`` on a dated ``timeline``, ``by day 90`` on one with a unit alone)."""
    if goal.get("name"):
        return str(goal["name"])
    by = ""
    if goal.get("by") is not None:
        by = f" by step {goal['by']}"
        if timeline is not None and timeline.calendar:
            from smmsim.timeline import moment_text

            by = f" by {moment_text(timeline, goal['by'])}"
    if goal.get("lift") is not None:
        return f"{goal['metric']} {100 * goal['lift']:+.0f}% over {goal['baseline']}{by}"
    if goal.get("at_least") is not None:
        return f"{goal['metric']} >= {goal['at_least']:,}{by}"
    return f"{goal['metric']} <= {goal['at_most']:,}{by}"


def values_by(results, metric: str, by: int | None) -> np.ndarray:
    """Each run's ``metric``, counted through step ``by`` (inclusive; ``None`` or a step
    past the horizon: the whole run), from the per-step series."""
    steps = int(results.scenario["simulation"]["steps"])
    if by is None or by >= steps:
        return results.runs[metric].to_numpy(dtype=float)
    from smmsim.series import SERIES_COLUMNS

    s = results.series
    col = SERIES_COLUMNS.index(metric)
    n = np.minimum(np.asarray(s.used, dtype=np.int64), by + 1)
    runs = np.repeat(np.arange(n.size), n)
    offset = np.arange(runs.size) - np.repeat(np.cumsum(n) - n, n)
    rows = np.repeat(np.asarray(s.ev_start, dtype=np.int64), n) + offset
    values = np.asarray(s.events)[rows, col].astype(float)
    return np.bincount(runs, weights=values, minlength=n.size)


def evaluate_goal(
    goal: Mapping[str, Any],
    values: np.ndarray,
    base: np.ndarray | None = None,
    timeline: Timeline | None = None,
) -> dict[str, Any]:
    """The probability of meeting ``goal`` from each run's value (``base``: the same
    runs' values under the baseline, for a lift goal), with its 95% Wilson interval, the
    expected shortfall per run and when missed, and for a lift goal the lift of the means
    with its 95% interval (paired, delta method). The goal's words name its ``by`` on the
    scenario's ``timeline`` when given."""
    from smmsim.metrics import wilson_interval

    values = np.asarray(values, dtype=float)
    keep = np.isfinite(values) if base is None else np.isfinite(values) & np.isfinite(base)
    v = values[keep]
    out: dict[str, Any] = {"goal": goal_text(goal, timeline), **{k: goal[k] for k in GOAL_KEYS}}
    if goal.get("lift") is not None:
        b = np.asarray(base, dtype=float)[keep]
        target = (1.0 + goal["lift"]) * b
        met = (v >= target) & (v > 0)
        short = np.maximum(target - v, 0.0)
        out.update(_lift_of_means(v, b))
        out["baseline_mean"] = float(b.mean()) if b.size else math.nan
    else:
        if goal.get("at_least") is not None:
            target = np.full(v.shape, float(goal["at_least"]))
            met = v >= target
            short = np.maximum(target - v, 0.0)
        else:
            target = np.full(v.shape, float(goal["at_most"]))
            met = v <= target
            short = np.maximum(v - target, 0.0)
    n = int(v.size)
    p = float(met.mean()) if n else math.nan
    lo, hi = wilson_interval(p, n) if n else (math.nan, math.nan)
    missed = ~met
    out.update(
        {
            "n": n,
            "mean": float(v.mean()) if n else math.nan,
            "probability": p,
            "ci_low": lo,
            "ci_high": hi,
            "expected_shortfall": float(short.mean()) if n else math.nan,
            "shortfall_when_missed": float(short[missed].mean()) if missed.any() else 0.0,
        }
    )
    return out


def _lift_of_means(v: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """``mean(v) / mean(b) - 1`` and its 95% interval for paired runs (delta method)."""
    n = v.size
    mb = float(b.mean()) if n else math.nan
    if n < 2 or mb == 0:
        return {"lift": math.nan, "lift_ci_low": math.nan, "lift_ci_high": math.nan}
    mv = float(v.mean())
    r = mv / mb
    # the linearised ratio's per-run terms: (v - r b) / mean(b)
    resid = (v - r * b) / mb
    half = 1.959963984540054 * float(resid.std(ddof=1)) / math.sqrt(n)
    return {"lift": r - 1.0, "lift_ci_low": r - 1.0 - half, "lift_ci_high": r - 1.0 + half}
