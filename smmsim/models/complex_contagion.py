"""Complex contagion: a user shares after seeing shares from at least ``m`` distinct friends.

Centola & Macy (2007): some behaviours need reinforcement from several sources, so one
friend's share is not enough however many followers that friend has. A user adopts once
``m`` of the accounts they follow have shared *and* their shares showed in the user's
feed (each with probability ``content.visibility``); ``m`` may differ per audience
segment. With ``m = 1`` this is a plain cascade in which every seen share converts.

Adoption semantics are those of :mod:`smmsim.models.social_proof` (one kernel serves
both): the share that brings a user to ``m`` is their activation (its sharer is their
parent), the adopter engages at that step and shares at the next; seeds share at step
0; ``content.stickiness`` and ``content.contagion`` are not used.

References
----------
D. Centola and M. Macy, "Complex contagions and the weakness of long ties", American
Journal of Sociology 113(3), 702-734 (2007).
J. P. Gleeson and D. J. Cahalane, "Seed size strongly affects cascades on random
networks", Phys. Rev. E 75, 056103 (2007).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from smmsim._lazy import lazy_module
from smmsim.models._funnel import funnel_fields
from smmsim.models.social_proof import ThresholdModel, _check_segment_map
from smmsim.params import Param, validate

_social = lazy_module("smmsim._kernels.social")  # numba loads on first use

__all__ = ["ComplexContagion"]

_M = Param("int", 2, low=1, description="distinct sharing friends needed to adopt")


def _check_m(value, key: str) -> int:
    return validate(value, _M, key)


@dataclass(frozen=True)
class ComplexContagion(ThresholdModel):
    """Complex contagion with an absolute threshold (Centola & Macy 2007).

    A user shares after seeing shares from at least ``m`` distinct accounts they follow.

    Examples
    --------
    >>> from smmsim.scenario import default_scenario
    >>> sc = default_scenario().with_overrides(
    ...     {"model": "complex_contagion", "complex_contagion.m": 3}
    ... )
    >>> model = ComplexContagion.from_scenario(sc)
    >>> model.rows, model.absolute  # three sharing friends: a count, not a fraction
    (((0, 3.0, 0.0),), True)
    """

    name = "complex_contagion"
    title = "share after seeing shares from at least m friends (Centola & Macy)"
    params: ClassVar[dict[str, Param]] = {
        "m": _M,
        "segment_m": Param(
            "any",
            None,
            nullable=True,
            check=_check_segment_map(_check_m),
            type_text="a mapping of segment name to an integer >= 1",
            description="friends needed per audience segment (others use m)",
        ),
    }
    _segment_key: ClassVar[str] = "segment_m"

    @classmethod
    def from_scenario(cls, scenario) -> ComplexContagion:
        """Build from the ``complex_contagion``, ``content`` and ``funnel`` sections."""
        s = scenario.data["complex_contagion"]
        seg = s["segment_m"]
        return cls(
            rows=((_social.FIXED, float(s["m"]), 0.0),),
            segment_rows=(
                None
                if seg is None
                else tuple((k, (_social.FIXED, float(v), 0.0)) for k, v in seg.items())
            ),
            absolute=True,
            weighted=False,
            visibility=float(scenario.content["visibility"]),
            **funnel_fields(scenario),
        )
