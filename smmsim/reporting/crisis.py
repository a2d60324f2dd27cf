"""The crisis report: damage and the claim's reach at each response delay, in words."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from smmsim.reporting.numbers import count_text
from smmsim.timeline import Timeline

if TYPE_CHECKING:
    from smmsim.crisis import Crisis

__all__ = ["crisis_report"]


def _interval(row, col: str) -> str:
    return (
        f"{count_text(row[col])} [{count_text(row[col + '_low'])}, "
        f"{count_text(row[col + '_high'])}]"
    )


def crisis_report(c: Crisis) -> str:
    """Text of :meth:`smmsim.crisis.Crisis.report`."""
    t = c.table
    n = int(t["damage_n"].max())
    base = c.baseline.runs["conversions"].mean()
    line = Timeline.of(c.scenario.simulation)
    width = max(19, len(line.label(0)) + 10) if line.dated else 19
    lines = [
        f"Crisis: {c.scenario.name} ({n:,} paired runs; without the claim the brand "
        f"converts {count_text(base)} users)",
        "",
        f"{'response':<14}{'conversions lost [95% CI]':>28}{'claim reach [95% CI]':>28}"
        f"{'believers':>11}{'contained at step':>{width}}",
    ]
    for name, row in t.iterrows():
        contained = row["containment_step"]
        at = f"{contained:.1f}" if math.isfinite(contained) else "-"
        if line.dated and math.isfinite(contained):
            at = f"{line.label(math.floor(contained))} ({at})"
        lines.append(
            f"{name:<14}{_interval(row, 'damage'):>28}{_interval(row, 'claim_reach'):>28}"
            f"{count_text(row['believers']):>11}{at:>{width}}"
        )
    lines += ["", *c.sentences()]
    lines.append(
        "Damage is the brand's conversions without the claim minus with it, run by run "
        f"(same audience, runs and seed); delays are {line.unit}s after the claim's launch"
        + (" (after its detection)" if c.scenario.data["response"].get("detect") else "")
        + "."
        if c.scenario.data.get("response")
        else "Damage is the brand's conversions without the claim minus with it, run by run."
    )
    return "\n".join(lines)
