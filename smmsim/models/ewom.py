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

import threading
from dataclasses import dataclass
from functools import partial

import numpy as np

from smmsim._lazy import lazy_module
from smmsim.graph import CSRGraph
from smmsim.models.base import SERIES_COLUMNS, Model, PackedSeries, RawBatch
from smmsim.theory.bond_percolation import Seeding, seeded_theory

kernel = lazy_module("smmsim._kernels.ewom")  # numba loads on first run

__all__ = ["EWOM"]


class _Workspaces(threading.local):
    """The eWOM kernel's user-state workspace, kept per thread between calls.

    A workspace holds one state word per user and worker; reusing it saves mapping and
    zeroing megabytes of fresh memory on every call, which on a large audience can cost
    more than simulating a batch of small cascades. Only the latest audience size is
    kept, and only up to ``LIMIT`` bytes.
    """

    LIMIT = 256 * 2**20

    def __init__(self) -> None:
        self.workspace: tuple[np.ndarray, np.ndarray] | None = None

    def get(self, n: int, chunks: int) -> tuple[np.ndarray, np.ndarray]:
        ws = self.workspace
        if ws is None or ws[0].shape[1] != n or ws[0].shape[0] < max(1, chunks):
            ws = kernel.new_workspace(n, chunks)
            self.workspace = ws if ws[0].nbytes <= self.LIMIT else None
        return ws


_WORKSPACES = _Workspaces()


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
    """

    visibility: float
    stickiness: float
    contagion: float
    half_life: float | None
    conversion: float
    referral_multiplier: float

    name = "ewom"
    uses = ("visibility", "stickiness", "contagion", "half_life")
    title = "independent cascade with a marketing funnel (default)"

    @classmethod
    def from_scenario(cls, scenario) -> EWOM:
        """Build from a scenario's ``content`` and ``funnel`` sections."""
        c, f = scenario.content, scenario.funnel
        return cls(
            visibility=c["visibility"],
            stickiness=c["stickiness"],
            contagion=c["contagion"],
            half_life=c["half_life"],
            conversion=f["conversion"],
            referral_multiplier=f["referral_multiplier"],
        )

    @property
    def transmissibility(self) -> float:
        """``visibility x stickiness x contagion`` at launch."""
        return self.visibility * self.stickiness * self.contagion

    def theory(self, graph: CSRGraph, seeds: Seeding | int) -> dict:
        """Bond-percolation predictions at ``T`` for the scenario's own seeds (Newman
        2002); see :func:`smmsim.theory.bond_percolation.seeded_theory`."""
        return seeded_theory(graph, self.transmissibility, seeds, self.half_life)

    def _args(self) -> tuple:
        hl = 0.0 if self.half_life is None else float(self.half_life)
        ref = min(1.0, self.conversion * self.referral_multiplier)
        return (
            float(self.visibility),
            float(self.stickiness),
            float(self.contagion),
            hl,
            float(self.conversion),
            ref,
        )

    def run(
        self,
        graph: CSRGraph,
        seed_sets: np.ndarray,
        first: int,
        n_reps: int,
        steps: int,
        root: np.uint64,
        threads: int | None = None,
    ) -> RawBatch:
        """Simulate replicates ``first .. first + n_reps - 1``.

        Replicate ``r`` draws from streams keyed by ``(root, r)`` alone, so the result
        is the same for any ``threads`` and any batching.
        """
        chunks = self.chunks(threads, n_reps)
        workspace = _WORKSPACES.get(graph.n, chunks)
        counts, virality, events, ev_start, profile = kernel.ensemble(
            graph.indptr,
            graph.indices,
            np.ascontiguousarray(seed_sets, dtype=np.int64),
            *self._args(),
            int(steps),
            np.uint64(root),
            int(first),
            int(n_reps),
            chunks,
            workspace,
        )
        unpack = partial(kernel.dense_series, events, ev_start, counts, profile, int(steps))
        return RawBatch(
            first,
            counts,
            virality,
            PackedSeries(unpack, (n_reps, steps, len(SERIES_COLUMNS))),
            seed_sets,
            active_steps=int(profile[:, 0].max(initial=-1)) + 1,
            profile=(profile[:, 0], profile[:, 1]),
        )

    def trace(
        self, graph: CSRGraph, seeds: np.ndarray, steps: int, root: np.uint64, replicate: int
    ) -> dict[str, np.ndarray]:
        """Node-level record of one replicate: who saw it when, who referred whom.

        Returns a dict with ``node``, ``first_step``, ``referrer`` (-1 for seeds),
        ``seed``, ``engaged``, ``shared``, ``referred``, ``converted`` (one entry per
        user reached or seeded), and ``sharers`` / ``sharer_parent`` (activation order
        and the position of each sharer's parent in it).
        """
        out = kernel.trace(
            graph.indptr,
            graph.indices,
            np.ascontiguousarray(seeds, dtype=np.int64),
            *self._args(),
            int(steps),
            np.uint64(root),
            int(replicate),
        )
        nodes, flags, referrer, first_step, order, parent = out[:6]
        return {
            "node": nodes,
            "first_step": first_step,
            "referrer": referrer,
            "seed": (flags & kernel.SEED) != 0,
            "engaged": (flags & kernel.ENGAGED) != 0,
            "shared": (flags & kernel.SHARER) != 0,
            "referred": (flags & kernel.REFERRED) != 0,
            "converted": (flags & kernel.CONVERTED) != 0,
            "sharers": order,
            "sharer_parent": parent,
        }
