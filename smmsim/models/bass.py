"""Bass diffusion on a network: advertising (innovation) and word of mouth (imitation).

Each step, every user who has not adopted yet adopts because of an ad with probability
``p`` (only while the ads run, and only in the targeted segments) or because of their
friends with probability ``q`` times the fraction of the accounts they see that have
adopted. The two routes are exclusive, so a targeted user's chance per step is exactly
Bass's hazard ``p + q F`` and ``p + q <= 1`` is required. Seeds (the ``seeding``
section) are adopters at step 0; with ``bass.seeded: false`` the launch is ads only.

Earned media is adoption caused by imitation: imitators are the referred users (earned
reach, referral conversions). Every adopter counts as engaged and as a sharer (their
adoption is visible to their followers). Ads cost ``ad_cpm`` per 1,000 impressions;
every targeted user who has not adopted sees the ad once per ad step.

On a complete graph the mean adoption curve follows the Bass model's discrete-time
solution ``F(t+1) = F(t) + (p + q F(t)) (1 - F(t))``; :func:`mean_field_curve` gives
it (with targeting and an ad schedule) and :mod:`smmsim.theory.bass` fits ``(p, q)`` to
simulated or observed adoption curves.

References
----------
F. M. Bass, "A new product growth for model consumer durables", Management Science
15(5), 215-227 (1969).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from smmsim.errors import AudienceError
from smmsim.graph import CSRGraph
from smmsim.models._funnel import funnel_fields
from smmsim.models.base import Model, RawBatch
from smmsim.params import Param, ParamError, optional_int_param, optional_list_param

if TYPE_CHECKING:
    from smmsim.theory.bond_percolation import Seeding

__all__ = ["BassDiffusion", "mean_field_curve"]


def _non_negative_steps(value: list, key: str) -> list[int]:
    if any(x < 0 for x in value):
        raise ParamError(key, f"steps must be integers >= 0, got {value!r}")
    return sorted(set(value))


PARAMS: dict[str, Param] = {
    "p": Param(
        "float",
        0.03,
        low=0,
        high=1,
        description="innovation: chance per ad step that a targeted user adopts because of the ad",
    ),
    "q": Param(
        "float",
        0.38,
        low=0,
        high=1,
        description="imitation: chance per step of adopting if all friends have (x share adopted)",
    ),
    "target_segments": optional_list_param(
        ("str",),
        "audience segments shown the ads (null: everyone)",
        low=1,
    ),
    "ad_start": Param("int", 0, low=0, description="first step the ads run"),
    "ad_stop": optional_int_param(
        "step the ads stop, not included (null: they run to the horizon)", low=1
    ),
    "ad_steps": optional_list_param(
        ("int",),
        "the steps the ads run, instead of ad_start/ad_stop (null: use those)",
        low=1,
        check=_non_negative_steps,
    ),
    "ad_cpm": Param(
        "float", 5.0, low=0, description="cost of 1,000 ad impressions (scenario's currency)"
    ),
    "seeded": Param(
        "bool",
        True,
        description="seeds adopt at step 0 (false: an ads-only launch; seeding is unused)",
    ),
}


#: Metrics that mean nothing in this model, and why (see ``Model.undefined_metrics``).
UNDEFINED_METRICS: dict[str, str] = {
    "earned_impressions": "word of mouth is a hazard, not a message in a feed: "
    "every impression is an ad",
    "earned_media_value": "it values earned impressions, and every impression is an ad",
    "new_sharers_per_sharer": "ad adopters are not brought by a sharer; earned reach "
    "counts the imitators",
    "depth": "the run's last adoption step is a date near the horizon, not a count of "
    "generations: adoption goes on every step, by ads and by imitation (the referral "
    "tree's shape is in structural_virality)",
}


def mean_field_curve(
    p: float,
    q: float,
    steps: int,
    *,
    active: np.ndarray | None = None,
    target_share: float = 1.0,
    initial: float = 0.0,
) -> np.ndarray:
    """The Bass model's discrete-time solution: adopted share after each step.

    ``F(t) = F(t-1) + (p a(t) + q F(t-1)) (1 - F(t-1))`` with ``F(-1) = initial``, where
    ``a(t)`` is 1 when the ads run at step ``t``. With targeting the targeted share
    ``phi`` and the rest evolve separately, both hearing from the whole audience
    (well mixed)::

        x_T(t) = x_T(t-1) + (p a(t) + q F(t-1)) (1 - x_T(t-1))
        x_U(t) = x_U(t-1) + q F(t-1) (1 - x_U(t-1))
        F = phi x_T + (1 - phi) x_U

    This is the expected curve on a complete graph up to O(1/n) (see the model's
    documentation); on a sparse audience word of mouth is slower.

    Parameters
    ----------
    p, q, steps
        As in :func:`smmsim.theory.bass.bass_curve`, whose curve this is without
        ads schedule or targeting.
    active : array of bool, optional
        Whether the ads run at each step (default: every step).
    target_share : float
        Share of the audience the ads target.
    initial : float
        Adopted share before step 0 (the seeds' share).

    Returns
    -------
    ndarray of float64, shape (steps,)

    Examples
    --------
    >>> f = mean_field_curve(0.03, 0.38, 3)
    >>> round(float(f[0]), 4), round(float(f[1]), 4)
    (0.03, 0.0702)
    """
    a = np.ones(steps, dtype=bool) if active is None else np.asarray(active, dtype=bool)
    phi = float(target_share)
    x_t = x_u = float(initial)
    out = np.empty(steps, dtype=np.float64)
    for t in range(steps):
        f = phi * x_t + (1.0 - phi) * x_u
        x_t = x_t + (p * a[t] + q * f) * (1.0 - x_t)
        x_u = x_u + q * f * (1.0 - x_u)
        out[t] = phi * x_t + (1.0 - phi) * x_u
    return out


@dataclass(frozen=True)
class BassDiffusion(Model):
    """Bass (1969) diffusion on the audience graph, with targeted, scheduled ads.

    Parameters
    ----------
    p : float
        Innovation: chance per ad step that a targeted user who has not adopted adopts
        because of the ad.
    q : float
        Imitation: chance per step of adopting by word of mouth, times the share of the
        accounts the user sees that have adopted (``p + q <= 1``).
    target_segments : tuple of str or None
        Segment names shown the ads; ``None`` for everyone.
    ad_start, ad_stop : int, int or None
        The ads run at steps ``ad_start <= t < ad_stop`` (``None``: to the horizon).
    ad_steps : tuple of int or None
        Explicit ad steps, instead of ``ad_start`` / ``ad_stop``.
    ad_cpm : float
        Cost of 1,000 ad impressions.
    seeded : bool
        Whether the seeds adopt at step 0.
    conversion : float
        Probability that an adopter buys (1 reads adoption as purchase, as Bass did).
    referral_multiplier : float
        Factor on ``conversion`` for imitators (referred users).

    References
    ----------
    F. M. Bass, "A new product growth for model consumer durables", Management Science
    15(5), 215-227 (1969).
    """

    p: float = 0.03
    q: float = 0.38
    target_segments: tuple[str, ...] | None = None
    ad_start: int = 0
    ad_stop: int | None = None
    ad_steps: tuple[int, ...] | None = None
    ad_cpm: float = 5.0
    seeded: bool = True
    conversion: float = 1.0
    referral_multiplier: float = 1.0
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    name = "bass"
    params = PARAMS
    uses = ()
    title = "Bass diffusion: targeted, scheduled ads (innovation) and word of mouth (imitation)"
    undefined_metrics = UNDEFINED_METRICS
    # the engagement series counts new adopters other than the seeds
    peak_of = ("engagements", "new adopters")
    # imitators count as earned even when an ad reached them first (docs/models/bass.md)
    earned_reach_means = "were users who adopted by imitating friends (some saw the ad first)"
    kernel = "smmsim._kernels.bass"

    @classmethod
    def check(cls, data: dict[str, Any]) -> None:
        """Cross-key checks: ``p + q <= 1``, one way of scheduling, ads that can run."""
        b = data["bass"]
        steps = data["simulation"]["steps"]
        if b["p"] + b["q"] > 1 + 1e-12:
            raise ParamError(
                "bass.q",
                f"p + q must be at most 1 (ad and word of mouth are exclusive chances "
                f"per step), got p = {b['p']:g}, q = {b['q']:g}",
            )
        if b["ad_steps"] is not None:
            if b["ad_start"] != 0 or b["ad_stop"] is not None:
                raise ParamError(
                    "bass.ad_steps",
                    "give either ad_steps or ad_start/ad_stop, not both",
                )
        elif b["ad_stop"] is not None and b["ad_stop"] <= b["ad_start"]:
            raise ParamError(
                "bass.ad_stop",
                f"must be greater than bass.ad_start = {b['ad_start']} or null, got {b['ad_stop']}",
            )
        if not b["seeded"]:
            never = (
                all(s >= steps for s in b["ad_steps"])
                if b["ad_steps"] is not None
                else b["ad_start"] >= steps
            )
            if b["p"] <= 0 or never:
                raise ParamError(
                    "bass.seeded",
                    "with no seeds adoption can only start from ads: bass.p must be > 0 "
                    f"and the ads must run before step simulation.steps = {steps}",
                )

    @classmethod
    def from_scenario(cls, scenario: Any) -> BassDiffusion:
        """Build from a scenario's ``bass`` and ``funnel`` sections."""
        b = scenario.get("bass")
        return cls(
            p=b["p"],
            q=b["q"],
            target_segments=None if b["target_segments"] is None else tuple(b["target_segments"]),
            ad_start=b["ad_start"],
            ad_stop=b["ad_stop"],
            ad_steps=None if b["ad_steps"] is None else tuple(b["ad_steps"]),
            ad_cpm=b["ad_cpm"],
            seeded=b["seeded"],
            **funnel_fields(scenario),
        )

    # ------------------------------------------------------------------ audience
    def check_audience(self, graph: CSRGraph) -> None:
        """The targeted segments must be segments of ``graph``."""
        self._targets(graph)

    def schedule(self, steps: int) -> np.ndarray:
        """Whether the ads run at each of ``steps`` steps (uint8)."""
        active = np.zeros(steps, dtype=np.uint8)
        if self.ad_steps is not None:
            at = np.asarray([s for s in self.ad_steps if s < steps], dtype=np.int64)
            active[at] = 1
        else:
            stop = steps if self.ad_stop is None else min(self.ad_stop, steps)
            active[self.ad_start : stop] = 1
        return active

    def _targets(self, graph: CSRGraph) -> tuple[bool, np.ndarray, np.ndarray]:
        """``(target_all, targeted users sorted, per-user mask)``; checks the names."""
        if self.target_segments is None:
            return True, np.empty(0, dtype=np.int32), np.empty(0, dtype=np.uint8)
        key = ("targets", id(graph))
        if key in self._cache:
            return self._cache[key][1]
        names = graph.segment_names
        if graph.segments is None or names is None:
            raise AudienceError(
                "bass.target_segments: the audience has no segments (use audience.generator "
                "sbm, or target_segments: null to show the ads to everyone)"
            )
        ids = []
        for name in self.target_segments:
            if name not in names:
                raise AudienceError(
                    f"bass.target_segments: unknown segment {name!r}; the audience has: "
                    f"{', '.join(names)}"
                )
            ids.append(names.index(name))
        mask = np.isin(graph.segments, np.asarray(ids)).astype(np.uint8)
        users = np.flatnonzero(mask).astype(np.int32)
        out = (False, users, mask)
        self._cache[key] = (graph, out)  # keep the graph alive so its id is not reused
        return out

    # ------------------------------------------------------------------ simulation
    def kernel_args(self, graph: CSRGraph, steps: int) -> tuple:
        """The arguments of :func:`smmsim._kernels.bass.run_reps`: the audience, each
        user's in-degree, the ad schedule, the targeted users, the parameters, and no
        count of users examined."""
        from smmsim._kernels import bass as K

        target_all, users, mask = self._targets(graph)
        params = np.zeros(K.N_PARAMS, dtype=np.float64)
        params[K.P_P] = self.p
        params[K.P_Q] = self.q
        params[K.P_CONVERSION] = self.conversion
        params[K.P_CONVERSION_REFERRED] = min(1.0, self.conversion * self.referral_multiplier)
        ints = np.zeros(K.N_INTS, dtype=np.int64)
        ints[K.I_TARGET_ALL] = target_all
        ints[K.I_SEEDED] = self.seeded
        ints[K.I_DENSE_SHARE] = K.DENSE_SHARE
        return (
            graph.indptr,
            graph.indices,
            np.ascontiguousarray(graph.in_degree(), dtype=np.int64),
            self.schedule(steps),
            users,
            mask,
            params,
            ints,
            np.zeros((0, 0), dtype=np.int64),
        )

    def finish(self, batch: RawBatch, graph: CSRGraph) -> RawBatch:
        """The ads' cost (:attr:`RawBatch.media_cost`, ``ad_cpm`` per 1,000 ad
        impressions); with ``seeded`` false, no seeds (and no seeding cost)."""
        from smmsim._kernels.ledger import C_PAID_IMPRESSIONS

        return replace(
            batch,
            media_cost=batch.counts[:, C_PAID_IMPRESSIONS] * (self.ad_cpm / 1000.0),
            seed_sets=batch.seed_sets if self.seeded else np.empty((1, 0), dtype=np.int64),
        )

    def trace(
        self, graph: CSRGraph, seeds: np.ndarray, steps: int, root: np.uint64, replicate: int
    ) -> dict[str, np.ndarray]:
        """Node-level record of one replicate: every adopter, when and through whom.

        The keys of :meth:`Model.trace`, one entry per adopter in adoption order (users
        shown the ad who did not adopt are not listed): ``first_step`` is the first ad
        step that reached them, or their adoption step when no ad did; ``referrer`` is
        an imitator's parent (-1 for seeds and ad adopters); and ``sharer_step``, the
        step each of ``sharers`` adopted (seeds at step 0).
        """
        out = super().trace(graph, seeds, steps, root, replicate)
        step = out["first_step"]  # the kernel records each adopter's adoption step
        target_all, _users, mask = self._targets(graph)
        active = np.flatnonzero(self.schedule(steps))
        targeted = np.ones(step.size, bool) if target_all else mask[out["node"]] != 0
        first_ad = int(active[0]) if active.size else steps
        seen_ad = targeted & (first_ad <= step) & ~out["seed"]
        out["first_step"] = np.where(seen_ad, first_ad, step)
        out["sharer_step"] = step
        return out

    # ------------------------------------------------------------------ theory
    def theory(self, graph: CSRGraph, seeds: Seeding | int) -> dict[str, Any]:
        """The Bass mean-field curve for this audience's size, targeting and schedule.

        The well-mixed (complete-graph) prediction, computed over up to 10,000 steps
        with the ads running as scheduled (to the end when ``ad_stop`` is null). In a
        well-mixed audience only the number of seeds matters, not who they are, so
        every seeding enters as its count. Keys: ``verdict``, ``bass_p``, ``bass_q``,
        ``target_share``, ``mean_field_peak_step`` (step with most new adopters),
        ``mean_field_half_step`` (first step with half the audience adopted; ``None``
        if never), ``mean_field`` (true: the audience's structure is not in it).
        """
        from smmsim.theory.bond_percolation import Seeding

        n = graph.n
        target_all, users, _mask = self._targets(graph)
        phi = 1.0 if target_all else users.size / n
        seeds = Seeding.of(seeds).k if self.seeded else 0
        horizon = 10_000
        f = mean_field_curve(
            self.p,
            self.q,
            horizon,
            active=self.schedule(horizon).astype(bool),
            target_share=phi,
            initial=seeds / n,
        )
        new = np.diff(np.concatenate([[seeds / n], f]))
        peak = int(np.argmax(new))
        half = np.flatnonzero(f >= 0.5)
        half_step = int(half[0]) if half.size else None
        ratio = self.q / self.p if self.p > 0 else float("inf")
        when = (
            f"half the audience by step {half_step}"
            if half_step is not None
            else ("never half the audience")
        )
        verdict = (
            f"Bass mean field (well-mixed audience, p = {self.p:g} on {phi:.0%} of users "
            f"while the ads run, q = {self.q:g}, q/p = {ratio:.3g}): adoptions peak at step "
            f"{peak}, {when}. Sultan, Farley & Lehmann (1990) average p = 0.03, q = 0.38 per "
            f"period; word of mouth is slower on a sparse audience than in this mean field."
        )
        return {
            "verdict": verdict,
            "bass_p": float(self.p),
            "bass_q": float(self.q),
            "target_share": float(phi),
            "mean_field_peak_step": peak,
            "mean_field_half_step": half_step,
            "mean_field": True,
        }
