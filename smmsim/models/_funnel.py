"""The marketing funnel every model shares: the ``funnel`` section's model fields."""

from __future__ import annotations

from typing import Any

#: Fields of every model taken from the scenario's ``funnel`` section.
FUNNEL_FIELDS = ("conversion", "referral_multiplier")


def funnel_fields(scenario: Any) -> dict[str, float]:
    """``conversion`` and ``referral_multiplier`` from ``scenario.funnel``, as floats.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Returns
    -------
    dict of str to float
        Keyword arguments for a model's constructor.
    """
    funnel = scenario.funnel
    return {key: float(funnel[key]) for key in FUNNEL_FIELDS}
