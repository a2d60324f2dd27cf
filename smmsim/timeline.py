"""Calendar time: what a simulation step is, and the date it falls on.

A scenario's ``simulation.time_unit`` says how long a step lasts (``step``: no unit,
the default; ``hour``, ``day`` or ``week``) and ``simulation.start`` the date of step 0.
With both, a step is a date: reports, tables and plots show dates, and keys that name
a moment (``posts[].at``, ``goals[].by``) take a date or a step.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from smmsim.params import ParamError, describe_value

__all__ = ["UNITS", "Timeline", "duration_text", "moment_text", "parse_start"]

#: What one step can stand for.
UNITS = ("step", "hour", "day", "week")
_LENGTH = {
    "hour": dt.timedelta(hours=1),
    "day": dt.timedelta(days=1),
    "week": dt.timedelta(weeks=1),
}


def _as_datetime(value: Any) -> dt.datetime | None:
    """``value`` (an ISO date or date-time text, or a date) as a naive date-time, or
    ``None`` when it is not one."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip()).replace(tzinfo=None)
        except ValueError:
            return None
    return None


def parse_start(value: Any, key: str) -> str | None:
    """Check ``simulation.start``: a date (``2027-03-01``) or date-time
    (``2027-03-01T09:00``); returns it in ISO form."""
    if value is None:
        return None
    when = _as_datetime(value)
    if when is None:
        raise ParamError(
            key,
            f"must be a date such as 2027-03-01 (or 2027-03-01T09:00), got {describe_value(value)}",
        )
    return (
        when.isoformat(timespec="minutes") if when.time() != dt.time() else when.date().isoformat()
    )


@dataclass(frozen=True)
class Timeline:
    """The calendar of a scenario's steps.

    Parameters
    ----------
    unit : str
        One of :data:`UNITS`; ``"step"`` means steps carry no calendar.
    start : datetime.datetime or None
        The moment of step 0; ``None`` without a calendar.
    """

    unit: str = "step"
    start: dt.datetime | None = None

    @classmethod
    def of(cls, simulation: Mapping[str, Any]) -> Timeline:
        """The timeline of a validated ``simulation`` section."""
        start = simulation.get("start")
        return cls(
            simulation.get("time_unit", "step"), None if start is None else _as_datetime(start)
        )

    @property
    def dated(self) -> bool:
        """Do steps fall on dates (a unit and a start)?"""
        return self.start is not None and self.unit in _LENGTH

    @property
    def unit_name(self) -> str:
        """What a step is called in sentences (``step``, ``day``, ...)."""
        return self.unit

    def plural(self, n: float) -> str:
        """``"1 day"``, ``"3 days"``: ``n`` steps in the timeline's unit."""
        word = self.unit if n == 1 else f"{self.unit}s"
        return f"{n:g} {word}"

    def date_of(self, step: float) -> dt.datetime:
        """The moment of ``step`` (only on a dated timeline)."""
        if not self.dated:
            raise ValueError("this timeline has no start date")
        return self.start + step * _LENGTH[self.unit]

    def label(self, step: int) -> str:
        """``step`` as a reader sees it: ``"2027-03-14"`` (with an hour when steps are
        hours or the start has one) on a dated timeline, else ``"step 13"``."""
        if not self.dated:
            return f"step {int(step)}"
        when = self.date_of(step)
        if self.unit == "hour" or when.time() != dt.time():
            return when.strftime("%Y-%m-%d %H:%M")
        return when.date().isoformat()

    def dates(self, steps: int) -> np.ndarray:
        """The moments of steps ``0 .. steps - 1`` as ``datetime64[m]`` (for tables and
        plot axes); only on a dated timeline."""
        length = np.timedelta64(int(_LENGTH[self.unit].total_seconds() // 60), "m")
        return np.datetime64(self.date_of(0), "m") + np.arange(int(steps)) * length

    def step_of(self, value: Any, key: str) -> int:
        """The step of ``value``, a step number or (on a dated timeline) a date that
        falls on a step; raise :class:`~smmsim.params.ParamError` naming ``key``."""
        if isinstance(value, bool):
            raise ParamError(
                key, f"must be a step (an integer >= 0) or a date, got {describe_value(value)}"
            )
        if isinstance(value, int):
            if value < 0:
                raise ParamError(key, f"must be a step >= 0 or a date, got {value}")
            return value
        when = _as_datetime(value)
        if when is None:
            raise ParamError(
                key,
                "must be a step (an integer >= 0) or a date such as 2027-03-01, "
                f"got {describe_value(value)}",
            )
        if not self.dated:
            raise ParamError(
                key,
                f"is a date ({describe_value(value)}) but the scenario has no calendar: set "
                "simulation.start and simulation.time_unit (hour, day or week), or give a step",
            )
        offset = when - self.start
        length = _LENGTH[self.unit]
        if offset < dt.timedelta(0):
            raise ParamError(key, f"{when.date()} is before simulation.start {self.label(0)}")
        if offset % length:
            raise ParamError(
                key,
                f"{describe_value(value)} falls between two steps (one {self.unit} each "
                f"from {self.label(0)})",
            )
        return int(offset // length)

    @property
    def calendar(self) -> bool:
        """Does a step stand for a length of time (a unit other than ``step``)?"""
        return self.unit in _LENGTH

    def labels(self, steps: int) -> list[str]:
        """:meth:`label` of steps ``0 .. steps - 1`` (one text per step; only on a dated
        timeline)."""
        text = np.datetime_as_string(self.dates(steps), unit="m")
        if self.unit == "hour" or self.start.time() != dt.time():
            return [t.replace("T", " ") for t in text]
        return [t[:10] for t in text]

    def when(self, step: float) -> str:
        """A moment in a sentence: ``"2027-03-04 (step 3)"`` on a dated timeline,
        ``"day 3"`` with a unit alone, ``"step 3"`` without a calendar. A step that is a
        mean (``3.4``) is dated by the step it falls in and keeps its decimal."""
        shown = f"{step:g}" if isinstance(step, float) and not step.is_integer() else f"{step:.0f}"
        if not self.dated:
            return f"{self.unit} {shown}"
        return f"{self.label(int(np.floor(step)))} (step {shown})"

    def span(self, steps: int) -> str:
        """A horizon of ``steps`` steps: ``"90 days (2027-03-01 to 2027-05-29)"``,
        ``"90 days"`` with a unit alone, ``"90 steps"`` without a calendar."""
        text = self.plural(int(steps))
        if self.dated and steps > 0:
            text += f" ({self.label(0)} to {self.label(int(steps) - 1)})"
        return text

    def record(self) -> dict[str, str]:
        """``time_unit`` and ``start`` for a results file (empty without a calendar)."""
        if not self.calendar:
            return {}
        out = {"time_unit": self.unit}
        if self.start is not None:
            out["start"] = self.label(0).replace(" ", "T")
        return out


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
