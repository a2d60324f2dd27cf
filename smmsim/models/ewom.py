"""The default eWOM model: an independent cascade with a marketing funnel.

A share shows in each follower's feed with probability ``visibility``; at each
impression a user who has not shared yet engages with probability ``stickiness(t)``
(halving every ``half_life`` steps when novelty decays), and an engagement becomes a
share at the next step with probability ``contagion``. Every sharing tie is one
independent chance, as in the independent cascade model, so without decay the sharers
are a bond-percolation cluster with ``T = visibility x stickiness x contagion``.

References
----------
D. Kempe, J. Kleinberg and E. Tardos, "Maximizing the spread of influence through a
social network", KDD 2003.
M. E. J. Newman, "Spread of epidemic disease on networks", Phys. Rev. E 66, 016128 (2002).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from smmsim.graph import CSRGraph
from smmsim.models._funnel import funnel_fields
from smmsim.models.base import Model
from smmsim.segments import has_multipliers, multiplier_table
from smmsim.theory.bond_percolation import Seeding, seeded_theory

__all__ = ["EWOM"]


@dataclass(frozen=True)
class EWOM(Model):
    """Parameters of the default model (all probabilities in [0, 1]).

    Parameters
    ----------
    visibility : float
        Probability that a share appears in a given follower's feed.
    stickiness : float
        Probability that a user who sees the content engages (at launch).
    contagion : float
        Probability that an engagement becomes a share.
    half_life : float or None
        Steps after which stickiness has halved; ``None`` for no novelty decay.
    conversion : float
        Probability that a user's first engagement is a purchase.
    referral_multiplier : float
        Factor on ``conversion`` for users whose first exposure came from a peer.
    segments : dict or None
        The scenario's resolved ``segments:`` section, whose per-segment multipliers of
        stickiness, contagion and conversion apply to the users of each segment (see
        :mod:`smmsim.segments`); ``None``: every user alike.
    """

    visibility: float
    stickiness: float
    contagion: float
    half_life: float | None
    conversion: float
    referral_multiplier: float
    segments: dict | None = field(default=None, compare=False)

    name = "ewom"
    uses = ("visibility", "stickiness", "contagion", "half_life")
    title = "independent cascade with a marketing funnel (default)"
    kernel = "smmsim._kernels.ewom"

    @classmethod
    def from_scenario(cls, scenario) -> EWOM:
        """Build from a scenario's ``content`` and ``funnel`` sections."""
        content = scenario.content
        spec = scenario.data.get("segments")
        return cls(
            **{key: content[key] for key in cls.uses},
            **funnel_fields(scenario),
            segments=spec if has_multipliers(spec) else None,
        )

    @property
    def transmissibility(self) -> float:
        """``visibility x stickiness x contagion`` at launch."""
        return self.visibility * self.stickiness * self.contagion

    def theory(self, graph: CSRGraph, seeds: Seeding | int) -> dict:
        """Bond-percolation predictions at ``T`` for the scenario's own seeds (Newman
        2002); see :func:`smmsim.theory.bond_percolation.seeded_theory`."""
        out = seeded_theory(graph, self.transmissibility, seeds, self.half_life)
        if self.segments is not None and out:
            words = (
                "Theory takes every user alike, at the content's own stickiness, contagion "
                "and conversion; the per-segment multipliers change them segment by segment."
            )
            own = out.get("caveats")
            out["caveats"] = f"{own} {words}" if own else words
        return out

    def kernel_args(self, graph: CSRGraph, steps: int) -> tuple:
        """``(indptr, indices, params, seg_mult, gap_tab)`` for
        :func:`smmsim._kernels.ewom.run_reps` (``seg_mult``: see
        :func:`smmsim.segments.multiplier_table`; ``gap_tab``: the visibility's
        :func:`~smmsim._kernels.rng.visibility_table`)."""
        from smmsim._kernels.rng import visibility_table

        hl = 0.0 if self.half_life is None else float(self.half_life)
        ref = min(1.0, self.conversion * self.referral_multiplier)
        params = np.array(
            [self.visibility, self.stickiness, self.contagion, hl, self.conversion, ref],
            dtype=np.float64,
        )
        seg_mult = multiplier_table(self.segments, graph.segment_names)
        return graph.indptr, graph.indices, params, seg_mult, visibility_table(self.visibility)
