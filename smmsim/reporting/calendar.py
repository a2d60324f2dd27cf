"""The run report's lines in calendar time: the horizon, and when cascades peak and stop.

Without a calendar (``simulation.time_unit`` left at ``step``) there are none, and the
phrases other lines use (:func:`~smmsim.timeline.moment_text`,
:func:`~smmsim.timeline.duration_text`) read as the report always did (``step 3``, ``4.2
steps``); with a unit they read ``day 3`` and ``4.2 days``; with a start date too,
``2027-03-04 (step 3)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from smmsim.timeline import duration_text, moment_text

if TYPE_CHECKING:
    from smmsim.results import Results
    from smmsim.timeline import Timeline

__all__ = ["calendar_lines", "duration_text", "moment_text", "timing_lines"]


def calendar_lines(res: Results) -> list[str]:
    """The horizon in the scenario's time (none without a calendar)."""
    line = res.timeline
    if not line.calendar:
        return []
    steps = int(res.scenario["simulation"]["steps"])
    text = f"Calendar: a step is one {line.unit}"
    if line.dated:
        text += f" from {line.label(0)}"
    return [f"{text}; horizon {line.span(steps)}."]


def timing_lines(res: Results, undefined: Mapping[str, str], peak_of: str) -> list[str]:
    """When the cascades peak and stop spreading, in the scenario's time (none without a
    calendar): the median run's peak step and last new sharer, the central 90% of runs,
    and how long sharing goes on in the mean run. ``undefined`` are the metrics the
    model leaves undefined, ``peak_of`` what its peak step counts."""
    line = res.timeline
    s = res.summary
    if not line.calendar or "peak_step" not in s.index:
        return []
    out = []
    if "peak_step" not in undefined:
        p = s.loc["peak_step"]
        out.append(
            f"Peak (most {peak_of}): {moment_text(line, round(p.q50))} in the median run; "
            f"90% of runs peak between {_moment_short(line, p.q05)} and "
            f"{_moment_short(line, p.q95)} (mean step {p['mean']:.1f})."
        )
    if "depth" in s.index and "depth" not in undefined and res.extra.get("posts"):
        # a calendar's depth is its longest chain of shares, not a time: posts launch late
        d = s.loc["depth"]
        out.append(
            f"Longest chain of shares from a post: {d['mean']:.1f} generations on average "
            f"(cascade depth); the last post goes out on "
            f"{moment_text(line, max(p['at'] for p in res.extra['posts']))}."
        )
    elif "depth" in s.index and "depth" not in undefined:
        d = s.loc["depth"]
        out.append(
            f"Last new sharer: {moment_text(line, round(d.q50))} in the median run; "
            f"sharing goes on for {duration_text(line, float(d['mean']))} after launch "
            "on average (cascade depth)."
        )
    return out


def _moment_short(line: Timeline, step: float) -> str:
    """A whole step as its date alone (``"2027-03-04"``) or ``"day 3"``."""
    step = round(step)
    return line.label(step) if line.dated else f"{line.unit} {step}"
