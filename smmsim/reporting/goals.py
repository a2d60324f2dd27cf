"""The campaign's goals in the run report: how likely each is met, and by how much not."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from smmsim.reporting.calendar import moment_text
from smmsim.reporting.numbers import amount_text, percent_text

if TYPE_CHECKING:
    from smmsim.results import Results

__all__ = ["goal_lines"]


def goal_lines(res: Results) -> list[str]:
    """One line per goal of ``res`` (none when the scenario has none)."""
    goals = res.extra.get("goals")
    if not goals:
        return []
    steps = res.scenario["simulation"]["steps"]
    cal = res.timeline
    lines = ["Goals (share of runs that meet each, with its 95% interval):"]
    for g in goals:
        text = g["goal"]
        if g.get("baseline"):
            text = text.replace(g["baseline"], Path(g["baseline"]).name)
        mean = amount_text(g["mean"])
        if g.get("by") is not None and g["by"] < steps - 1:
            if cal.calendar:
                end = f", to {cal.label(steps - 1)}" if cal.dated else ""
                counted = (
                    f"by {moment_text(cal, g['by'])}: {mean} a run (the table counts all "
                    f"{cal.plural(steps)}{end})"
                )
            else:
                counted = f"by step {g['by']}: {mean} a run (the table counts all {steps} steps)"
        else:
            counted = f"{mean} a run"
        line = f"- {text}: met in {percent_text(g['probability'])} of runs "
        line += (
            f"[{percent_text(g['ci_low'])}, {percent_text(g['ci_high'])}]; {g['metric']} {counted}"
        )
        if g.get("lift") is not None:
            lift, low, high = (
                percent_text(g[k], signed=True) for k in ("lift", "lift_ci_low", "lift_ci_high")
            )
            line += (
                f"; lift of the means {lift} [{low}, {high}] over "
                f"{amount_text(g['baseline_mean'])} a run under the baseline (same audience "
                "and random numbers)"
            )
        if g["probability"] < 1:
            word = "over" if g.get("at_most") is not None else "short"
            line += (
                f"; when missed, {word} by {amount_text(g['shortfall_when_missed'])} on "
                f"average ({amount_text(g['expected_shortfall'])} a run over all runs)"
            )
        lines.append(line + ".")
    return lines
