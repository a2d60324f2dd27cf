"""Customer referral value in the run report (see :mod:`smmsim.referral_value`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from smmsim.reporting.numbers import value_text

if TYPE_CHECKING:
    from smmsim.results import Results

__all__ = ["referral_value_lines"]


def referral_value_lines(res: Results) -> list[str]:
    """The distribution of customer referral value, when the results carry it."""
    rv = res.extra.get("referral_value")
    if not rv:
        return []
    cur = res.scenario["economics"]["currency"]
    runs = rv["runs_traced"]
    head = (
        f"Customer referral value (Kumar, Petersen & Leone 2010; the first {runs:,} runs "
        "traced user by user): "
    )
    if rv["customers"] == 0:
        return [head + "no customer bought in those runs."]
    mean = value_text(rv["mean_referred"])
    line = (
        f"{100 * rv['share_referring']:.1f}% of the {rv['customers']:,} customers referred "
        f"at least one buyer; a customer referred {mean} buyers on average "
        f"({cur} {rv['mean_value']:,.2f} of referral revenue)"
    )
    if math.isfinite(rv["top1_share"]):
        line += (
            f"; the top 1% of customers made {100 * rv['top1_share']:.0f}% of the customers' "
            "referred purchases"
        )
    earned, direct, seeds = (
        value_text(rv[k]["mean_referred"]) for k in ("earned", "direct", "seeds")
    )
    line += (
        f". Customers first reached by a peer referred {earned} each, those reached by a "
        f"seed's post {direct}; each seed referred {seeds} buyers (its direct conversions)."
    )
    return [head + line]
