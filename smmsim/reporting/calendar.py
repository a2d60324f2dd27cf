"""Steps in a reader's time: a moment as its date, a length in days or weeks.

Without a calendar (``simulation.time_unit`` left at ``step``) every text here is what
the report always wrote (``step 3``, ``4.2 steps``); with a unit it is ``day 3`` and
``4.2 days``; with a start date too, ``2027-03-04 (step 3)``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smmsim.results import Results
    from smmsim.timeline import Timeline

__all__ = ["calendar_lines", "duration_text", "moment_text", "timing_lines"]


def moment_text(timeline: Timeline, step: float, fmt: str = ".0f") -> str:
    """``step`` (a step, or a mean of steps) in a sentence, the number written with
    ``fmt``: ``"step 3.4"``, ``"day 3.4"`` or ``"2027-03-04 (step 3.4)"``."""
    number = format(step, fmt)
    if not timeline.dated:
        return f"{timeline.unit} {number}"
    return f"{timeline.label(math.floor(step))} (step {number})"


def duration_text(timeline: Timeline, n: float, fmt: str = ".1f") -> str:
    """``n`` steps as a length of time, the number written with ``fmt``: ``"4.2 steps"``,
    ``"4.2 days"`` (``"1 day"``; steps are always plural, as the report has always
    written them)."""
    number = format(n, fmt)
    one = number == "1" and timeline.calendar
    return f"{number} {timeline.unit}{'' if one else 's'}"


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


def timing_lines(res: Results) -> list[str]:
    """When the cascades peak and stop spreading, in the scenario's time (none without a
    calendar): the median run's peak step and last new sharer, the central 90% of runs,
    and how long sharing goes on in the mean run."""
    line = res.timeline
    s = res.summary
    if not line.calendar or "peak_step" not in s.index:
        return []
    from smmsim.reporting.report import _declared

    undefined, peak_of = _declared(res)
    out = []
    if "peak_step" not in undefined:
        p = s.loc["peak_step"]
        out.append(
            f"Peak (most {peak_of}): {moment_text(line, round(p.q50))} in the median run; "
            f"90% of runs peak between {_moment_short(line, p.q05)} and "
            f"{_moment_short(line, p.q95)} (mean step {p['mean']:.1f})."
        )
    if "depth" in s.index and "depth" not in undefined:
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
