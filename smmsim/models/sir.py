"""Continuous-time SIR: people share until they lose interest.

A user who shares keeps passing the post to each follower at rate ``beta`` (per time
unit; the scenarios use hours) until they lose interest, at rate ``gamma``; a follower
who sees it and has not shared yet starts sharing at that moment. This is the Markovian
SIR epidemic on the audience graph (susceptible = has not seen it, infected = sharing,
recovered = lost interest), simulated event by event with the ``fast_SIR`` algorithm of
Kiss, Miller & Simon (2017). Seeds share at time 0; time is continuous and the per-step
series are counts in bins of width ``dt`` (``simulation.steps`` bins: the horizon is
``steps x dt``).

In marketing terms every impression from a peer is a referral and every user reached
engages and shares (pure SIR: the funnel's engagement and sharing steps are certain);
the shared funnel then decides who buys: a user's first engagement, at the moment they
start sharing, converts with probability ``conversion`` (times the referral multiplier
when their first impression came from a peer rather than a seed).

Theory. Along one tie the share gets through before the sharer loses interest with
probability ``T = beta / (beta + gamma)``. The epidemic threshold (``K = T x excess
degree = 1``), the mean size of small cascades and the fraction of the audience a large
cascade reaches are those of bond percolation with probability ``T`` (Newman 2002;
Kenah & Robins 2007). The probability that one seed starts a large cascade is not: the
ties out of one sharer share that sharer's interest span, so their transmissions are
positively correlated, and it is the chance that the seed's out-component in the
epidemic percolation network is large (Kenah & Robins 2007; Miller 2007), computed by
:func:`smmsim.theory.sir.p_large_outbreak`. It is below the bond-percolation value.

References
----------
I. Z. Kiss, J. C. Miller and P. L. Simon, *Mathematics of Epidemics on Networks*,
Springer (2017), Appendix A.1.
E. Kenah and J. M. Robins, "Second look at the spread of epidemics on networks",
Phys. Rev. E 76, 036113 (2007).
J. C. Miller, "Epidemic size and probability in populations with heterogeneous
infectivity and susceptibility", Phys. Rev. E 76, 010101(R) (2007).
M. E. J. Newman, "Spread of epidemic disease on networks", Phys. Rev. E 66, 016128 (2002).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from smmsim._lazy import lazy_module
from smmsim.graph import CSRGraph
from smmsim.models._funnel import funnel_fields
from smmsim.models.base import Model
from smmsim.params import Param
from smmsim.reporting.verdicts import sir_verdict
from smmsim.theory.bond_percolation import Seeding, percolation, seeded_theory
from smmsim.theory.sir import p_large_outbreak

kernel = lazy_module("smmsim._kernels.sir")  # numba loads on first run

__all__ = ["SIR"]

_RATE = {"low": 0, "closed": "neither"}


@dataclass(frozen=True)
class SIR(Model):
    """Continuous-time SIR (Markovian: exponential transmission and interest spans).

    Parameters
    ----------
    beta : float
        Rate at which a sharer's post reaches each follower, per time unit.
    gamma : float
        Rate at which a sharer loses interest; ``1 / gamma`` is the mean sharing span.
    dt : float
        Width of one time-series step, in the same time unit.
    conversion : float
        Probability that a user's first engagement is a purchase.
    referral_multiplier : float
        Factor on ``conversion`` for users whose first exposure came from a peer.

    Notes
    -----
    The time unit is whatever ``beta``, ``gamma`` and ``dt`` share; the scenarios use
    hours. Counts per replicate: every user reached starts sharing at their first
    impression, so ``reach = engaged = engagements = shares - seeds``. ``shares`` counts
    users who started before the horizon ``steps x dt``; ``pending_shares`` counts users
    not yet sharing at the horizon to whom a sharer had already passed the post, landing
    after it (they will start sharing then; their own followers are not counted).
    Impressions are counted at the moment they land, within the horizon, repeats
    included (one per tie at most: an SIR sharer transmits once along a tie).

    References
    ----------
    I. Z. Kiss, J. C. Miller and P. L. Simon, *Mathematics of Epidemics on Networks*,
    Springer (2017), Appendix A.1.
    E. Kenah and J. M. Robins, Phys. Rev. E 76, 036113 (2007).
    """

    beta: float
    gamma: float
    dt: float
    conversion: float
    referral_multiplier: float

    name = "sir"
    params: ClassVar[dict[str, Param]] = {
        "beta": Param(
            "float",
            0.1,
            **_RATE,
            description="rate a sharer's post reaches each follower, per time unit (hours)",
        ),
        "gamma": Param(
            "float",
            0.5,
            **_RATE,
            description="rate a sharer loses interest, per time unit (1/gamma: mean span)",
        ),
        "dt": Param(
            "float",
            1.0,
            **_RATE,
            description="width of one step of the time series, in the same unit (hours)",
        ),
    }
    uses = ()
    title = "continuous-time SIR: sharers pass it on at rate beta until they lose interest"
    kernel = "smmsim._kernels.sir"
    undefined_metrics: ClassVar[dict[str, str]] = {
        "depth": "time is continuous: the last step with a new sharer is a time, not a "
        "count of generations (the sharer tree's shape is in structural virality)",
    }

    @classmethod
    def from_scenario(cls, scenario: Any) -> SIR:
        """Build from a scenario's ``sir`` and ``funnel`` sections."""
        own = scenario.data[cls.section]
        return cls(**{key: own[key] for key in cls.params}, **funnel_fields(scenario))

    @property
    def transmissibility(self) -> float:
        """``beta / (beta + gamma)``: chance a share gets along a tie before interest ends."""
        return self.beta / (self.beta + self.gamma)

    def theory(self, graph: CSRGraph, seeds: Seeding | int) -> dict[str, Any]:
        """Threshold and sizes from bond percolation at ``T``; the outbreak probability
        from the epidemic percolation network, for the scenario's own seeds (see the
        module notes).

        Keys: those of :func:`smmsim.theory.bond_percolation.seeded_theory` with
        ``p_large`` the SIR value for these seeds (one random seed: ``p_large_one_seed``;
        the bond-percolation values kept as ``p_large_bond`` and
        ``p_large_bond_one_seed``), ``beta``, ``gamma`` and a one-sentence ``verdict``.
        ``expected_small`` is the bond-percolation mean, exact below threshold and an
        approximation above it (used only to place the large-cascade cut).
        """
        seeds = Seeding.of(seeds)
        out = seeded_theory(graph, self.transmissibility, seeds)
        th = percolation(graph, self.transmissibility)
        p1 = p_large_outbreak(graph, self.beta, self.gamma)
        if seeds.fixed:
            f = seeds.followers(graph)
            p_seeds = p_large_outbreak(graph, self.beta, self.gamma, followers=f)
        else:
            p_seeds = 1.0 - (1.0 - p1) ** seeds.k
        out.update(
            model=self.name,
            beta=float(self.beta),
            gamma=float(self.gamma),
            p_large_bond=out["p_large"],
            p_large_bond_one_seed=th.p_large,
            p_large=p_seeds,
            p_large_one_seed=p1,
        )
        out["verdict"] = sir_verdict(th, p1, self.beta, self.gamma)
        return out

    def kernel_args(self, graph: CSRGraph, steps: int) -> tuple:
        """``(indptr, indices, params)`` for :func:`smmsim._kernels.sir.run_reps`."""
        ref = min(1.0, self.conversion * self.referral_multiplier)
        params = np.array([self.beta, self.gamma, self.dt, self.conversion, ref], dtype=np.float64)
        return graph.indptr, graph.indices, params

    def trace(
        self, graph: CSRGraph, seeds: np.ndarray, steps: int, root: np.uint64, replicate: int
    ) -> dict[str, np.ndarray]:
        """Node-level record of one replicate (every user reached is a sharer).

        Same keys as :meth:`smmsim.models.base.Model.trace`, with ``first_step`` the step
        (bin of width ``dt``) of the first exposure, plus ``first_time``, its time, and
        ``sharer_step``, the bin in which each of ``sharers`` started sharing.
        """
        out = super().trace(graph, seeds, steps, root, replicate)
        nodes = out.pop("node")
        first_time = out.pop("first_step")  # the kernel records times, not steps
        first_step = np.floor(first_time / self.dt).astype(np.int64)
        return {
            "node": nodes,
            "first_step": first_step,
            "first_time": first_time,
            **out,
            # a user starts sharing at their first exposure (``nodes`` is sorted)
            "sharer_step": first_step[np.searchsorted(nodes, out["sharers"])],
        }
