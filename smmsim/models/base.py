"""What every cascade model gives the engine, and what the engine asks of a model.

A model is one module: a :class:`Model` subclass that declares its scenario section
and parameters, validates them, and calls its kernel. It returns raw per-replicate
counts and series (a :class:`RawBatch`); the funnel metrics, economics and summaries
are computed from those arrays by :mod:`smmsim.metrics`, so they are written once for
every model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from smmsim.series import SERIES_COLUMNS, PackedSeries

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph
    from smmsim.params import Param
    from smmsim.theory import Seeding

__all__ = ["COUNT_COLUMNS", "SERIES_COLUMNS", "Model", "PackedSeries", "RawBatch"]

#: Columns of :attr:`RawBatch.counts`, in order.
COUNT_COLUMNS = (
    "impressions",
    "paid_impressions",
    "reach",
    "earned_reach",
    "engaged",
    "engagements",
    "shares",
    "seeds",
    "pending_shares",
    "conversions",
    "referral_conversions",
)


@dataclass
class RawBatch:
    """Raw output of a model for replicates ``first .. first + len - 1``.

    Attributes
    ----------
    first : int
        Index of the first replicate.
    counts : ndarray of int64, shape (R, len(COUNT_COLUMNS))
    virality : ndarray of float64, shape (R,)
        Structural virality of each replicate's sharer tree.
    series : ndarray of int64, shape (R, steps, len(SERIES_COLUMNS)), or PackedSeries
    seed_sets : ndarray of int64, shape (R, k) or (1, k)
        Seed users of each replicate (one shared row when fixed).
    media_cost : ndarray of float64, shape (R,), or None
        Cost of paid media other than seeding (ads) in each replicate, in the
        scenario's currency; ``None`` when the model buys none.
    active_steps : int or None
        Events fall in ``series[:, :active_steps]`` only (``None``: not known, every
        step is read). Lets the engine skip the empty tail of a long horizon.
    profile : tuple of two int64 arrays of shape (R,), or None
        Cascade depth and peak step of each replicate when the kernel tracked them
        (``None``: computed from ``series``; see
        :func:`smmsim._kernels.funnel.series_profile` for their definitions).
    """

    first: int
    counts: np.ndarray
    virality: np.ndarray
    series: np.ndarray | PackedSeries
    seed_sets: np.ndarray
    media_cost: np.ndarray | None = None
    active_steps: int | None = None
    profile: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def cut(self) -> int:
        """Number of leading steps that can hold events."""
        steps = int(self.series.shape[1])
        return steps if self.active_steps is None else min(steps, int(self.active_steps))

    def __len__(self) -> int:
        return int(self.counts.shape[0])


class Model:
    """Base of every spreading model.

    A subclass sets the class attributes below and implements :meth:`from_scenario`
    and :meth:`run`; :meth:`check`, :meth:`check_audience`, :meth:`theory` and
    :meth:`trace` are optional. Registering it in :data:`smmsim.models.MODELS` makes
    ``model: <name>`` valid in scenarios, with its parameters validated like every
    other section.

    Attributes
    ----------
    name : str
        Registry key: the scenario's ``model:`` value.
    section : str or None
        Scenario section holding the model's own parameters (usually ``name``);
        ``None`` when the model needs only the shared sections.
    params : dict of str to Param
        The parameters of ``section``, with ranges, defaults and descriptions.
    uses : tuple of str
        Shared ``content`` keys the model reads (the rest of ``content`` is ignored).
    title : str
        One line for listings: what the model assumes.
    undefined_metrics : dict of str to str
        Metrics of :data:`smmsim.metrics.METRICS` that mean nothing in this model, each
        with the reason (one clause). They are left out of the model's per-run table,
        summary and report rather than reported as 0 beside numbers that contradict
        them.
    peak_of : tuple of two str
        The per-step series (a :data:`SERIES_COLUMNS` name) whose first maximum is the
        run's ``peak_step``, and what the report calls it: new impressions unless the
        model's own account of time is about something else (Bass: new adopters).
    earned_reach_means : str
        What ``earned_reach`` counts, as the report's earned-media sentence says it
        ("N% of reach ..."): peers' shares unless the model's word of mouth is something
        else (Bass: adoption by imitation, whether or not the ad was seen first).
    """

    name: ClassVar[str]
    section: ClassVar[str | None] = None
    params: ClassVar[dict[str, Param]] = {}
    uses: ClassVar[tuple[str, ...]] = ()
    title: ClassVar[str] = ""
    undefined_metrics: ClassVar[dict[str, str]] = {}
    peak_of: ClassVar[tuple[str, str]] = ("impressions", "new impressions")
    earned_reach_means: ClassVar[str] = "came from peers' shares"

    @classmethod
    def check(cls, data: dict[str, Any]) -> None:
        """Cross-key checks on a resolved scenario (raise :class:`~smmsim.params.ParamError`).

        Called after every section has been validated on its own, whether or not the
        scenario selects this model, only when ``data`` holds this model's section.
        """

    @classmethod
    def from_scenario(cls, scenario: Any) -> Model:
        """Build from a validated scenario."""
        raise NotImplementedError

    def check_audience(self, graph: CSRGraph) -> None:
        """Checks that need the audience (segment names, weights); raise AudienceError."""

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

        Replicate ``r`` must draw only from streams keyed by ``(root, r)``, so the
        result is the same for any ``threads`` and any batching.
        """
        raise NotImplementedError

    @staticmethod
    def chunks(threads: int | None, n_reps: int) -> int:
        """Workers for ``n_reps`` replicates: ``threads`` (default: numba's thread
        count), at most one per replicate, at least one."""
        import numba

        threads = numba.get_num_threads() if threads is None else threads
        return max(1, min(int(threads), n_reps))

    def theory(self, graph: CSRGraph, seeds: Seeding | int) -> dict[str, Any]:
        """What theory predicts for this model on ``graph`` from ``seeds`` (the scenario's
        seeding; a number means that many random users). Empty when none applies.

        Keys the report understands (see :mod:`smmsim.report_theory`): ``verdict`` (one
        sentence), ``p_large`` (probability of a large cascade from these seeds),
        ``large_size``, ``expected_small``, ``expected_sharers``, ``caveats`` (sentences
        on assumptions the model breaks), ``transitivity`` and ``assortativity``
        (:mod:`smmsim.structure`), and for percolation models
        ``transmissibility``, ``critical`` and ``k_factor``.
        """
        return {}

    def trace(
        self, graph: CSRGraph, seeds: np.ndarray, steps: int, root: np.uint64, replicate: int
    ) -> dict[str, np.ndarray]:
        """Node-level record of one replicate (see :meth:`smmsim.models.EWOM.trace`)."""
        raise NotImplementedError(f"model {self.name} has no node-level trace")
