"""What every cascade model gives the engine, and what the engine asks of a model.

A model is one module: a :class:`Model` subclass that declares its scenario section
and parameters, validates them, and calls its kernel. It returns raw per-replicate
counts and series (a :class:`RawBatch`); the funnel metrics, economics and summaries
are computed from those arrays by :mod:`smmsim.metrics`, so they are written once for
every model.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from smmsim.series import PackedSeries

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph
    from smmsim.params import Param
    from smmsim.theory.bond_percolation import Seeding

__all__ = [
    "COUNT_COLUMNS",
    "SEGMENT_COLUMNS",
    "SERIES_COLUMNS",
    "Model",
    "PackedSeries",
    "RawBatch",
]

# the ledger's layouts (plain constants: importing them loads no compiler)
from smmsim._kernels.layout import (
    CONVERTED,
    COUNT_COLUMNS,
    ENGAGED,
    REFERRED,
    SEED,
    SEGMENT_COLUMNS,
    SERIES_COLUMNS,
    SHARER,
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
    segment_counts : ndarray of int64, shape (R, segments, len(SEGMENT_COLUMNS)), or None
        Per-segment tallies of each replicate (``None``: the audience has no segments).
    tallies : ndarray of int64, shape (R, n), or None
        The kernel's own record of each replicate, in the model's layout (``None``: the
        model keeps none; see :meth:`Model.tally_width`).
    """

    first: int
    counts: np.ndarray
    virality: np.ndarray
    series: np.ndarray | PackedSeries
    seed_sets: np.ndarray
    media_cost: np.ndarray | None = None
    active_steps: int | None = None
    profile: tuple[np.ndarray, np.ndarray] | None = None
    segment_counts: np.ndarray | None = None
    tallies: np.ndarray | None = None

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
    and :meth:`kernel_args` (what its kernel is given); :meth:`run` and :meth:`trace`
    are written once here, over the shared driver of :mod:`smmsim._kernels.driver`.
    :meth:`check`, :meth:`check_audience`, :meth:`theory` and :meth:`finish` are
    optional. Registering it in :data:`smmsim.models.MODELS` makes
    ``model: <name>`` valid in scenarios, with its parameters validated like every
    other section.

    Attributes
    ----------
    name : str
        Registry key: the scenario's ``model:`` value.
    section : str or None
        Scenario section holding the model's own parameters: ``name`` unless the class
        says otherwise, when it declares ``params``; ``None`` when the model needs only
        the shared sections.
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
    kernel : str
        The kernel module (see :mod:`smmsim._kernels.driver` for what it provides).
    trace_flags : dict of str to int
        Model-specific user flags a trace reports beside the shared ones.
    """

    name: ClassVar[str]
    section: ClassVar[str | None] = None
    params: ClassVar[dict[str, Param]] = {}
    uses: ClassVar[tuple[str, ...]] = ()
    title: ClassVar[str] = ""
    undefined_metrics: ClassVar[dict[str, str]] = {}
    peak_of: ClassVar[tuple[str, str]] = ("impressions", "new impressions")
    earned_reach_means: ClassVar[str] = "came from peers' shares"
    kernel: ClassVar[str] = ""
    trace_flags: ClassVar[dict[str, int]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "params" in cls.__dict__ and "section" not in cls.__dict__:
            cls.section = cls.name

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

    def kernel_args(self, graph: CSRGraph, steps: int) -> tuple:
        """The kernel's ``args``: its audience arrays and parameters (see the kernel's
        ``run_reps``)."""
        raise NotImplementedError

    def tally_width(self, graph: CSRGraph, steps: int) -> int:
        """Entries of the kernel's own record a replicate (the ledger's ``tallies``); 0
        for a kernel that records nothing beyond the shared ledger."""
        return 0

    def _kernel(self) -> ModuleType:
        return importlib.import_module(self.kernel)

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

        Replicate ``r`` draws only from streams keyed by ``(root, r)``, so the result is
        the same for any ``threads`` and any batching.
        """
        from smmsim._kernels import driver

        segments = graph.segments
        n_segments = segment_count(graph)
        n_tallies = self.tally_width(graph, int(steps))
        ledger = driver.ensemble(
            self._kernel(),
            self.kernel_args(graph, int(steps)),
            seed_sets,
            np.uint64(root),
            int(first),
            int(n_reps),
            int(steps),
            self.chunks(threads, n_reps),
            graph.n,
            segment_of=None if segments is None else segment_ids(segments, n_segments),
            n_segments=n_segments,
            n_tallies=n_tallies,
        )
        profile = ledger.profile
        batch = RawBatch(
            first,
            ledger.counts,
            ledger.virality,
            PackedSeries(ledger.events, ledger.ev_start, ledger.used, int(steps)),
            seed_sets,
            active_steps=int(profile[:, 2].max(initial=0)),
            profile=(profile[:, 0], profile[:, 1]),
            segment_counts=None if segments is None else ledger.segment_counts,
            tallies=ledger.tallies if n_tallies else None,
        )
        return self.finish(batch, graph)

    def finish(self, batch: RawBatch, graph: CSRGraph) -> RawBatch:
        """The model's last word on a batch (Bass: the cost of its ads); as is by default."""
        return batch

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

        Keys the report understands (see :mod:`smmsim.reporting.theory_lines`): ``verdict`` (one
        sentence), ``p_large`` (probability of a large cascade from these seeds),
        ``large_size``, ``expected_small``, ``expected_sharers``, ``caveats`` (sentences
        on assumptions the model breaks), ``transitivity`` and ``assortativity``
        (:mod:`smmsim.theory.structure`), and for percolation models
        ``transmissibility``, ``critical`` and ``k_factor``.
        """
        return {}

    def trace(
        self, graph: CSRGraph, seeds: np.ndarray, steps: int, root: np.uint64, replicate: int
    ) -> dict[str, np.ndarray]:
        """Node-level record of one replicate: who saw it when, who referred whom.

        Returns a dict with ``node``, ``first_step``, ``referrer`` (-1 for seeds),
        ``seed``, ``engaged``, ``shared``, ``referred``, ``converted`` (one entry per
        user reached or seeded), the model's own :attr:`trace_flags`, and ``sharers`` /
        ``sharer_parent`` (activation order and the position of each sharer's parent in
        it).
        """
        from smmsim._kernels import driver

        _, record = driver.trace(
            self._kernel(),
            self.kernel_args(graph, int(steps)),
            seeds,
            np.uint64(root),
            int(replicate),
            int(steps),
            graph.n,
            self.tally_width(graph, int(steps)),
            segment_of=(
                None if graph.segments is None else np.ascontiguousarray(graph.segments, np.int32)
            ),
        )
        nodes, flags, referrer, first_step, order, parent = record
        out = trace_users(nodes, flags, referrer, first_step)
        out.update({name: (flags & bit) != 0 for name, bit in self.trace_flags.items()})
        out["sharers"] = order
        out["sharer_parent"] = parent
        return out


def trace_users(
    nodes: np.ndarray, flags: np.ndarray, referrer: np.ndarray, first_step: np.ndarray
) -> dict[str, np.ndarray]:
    """The per-user columns every model's trace starts with: ``node``, ``first_step``,
    ``referrer`` and the flags ``seed``, ``engaged``, ``shared``, ``referred``,
    ``converted`` read from the kernel's ``flags`` (see :meth:`Model.trace`)."""
    return {
        "node": nodes,
        "first_step": first_step,
        "referrer": referrer,
        "seed": (flags & SEED) != 0,
        "engaged": (flags & ENGAGED) != 0,
        "shared": (flags & SHARER) != 0,
        "referred": (flags & REFERRED) != 0,
        "converted": (flags & CONVERTED) != 0,
    }


def segment_ids(segments: np.ndarray, n_segments: int) -> np.ndarray:
    """Each user's segment id as the kernels read it: one byte a user when the ids fit
    (at most 127 segments), so that the ids of a large audience stay in cache beside
    the users' states (one random read an impression)."""
    return np.ascontiguousarray(segments, np.int8 if n_segments <= 127 else np.int32)


def segment_count(graph: CSRGraph) -> int:
    """Number of audience segments (segment ids run from 0; 0 without segments)."""
    segments = graph.segments
    if segments is None:
        return 0
    count = int(segments.max(initial=-1)) + 1
    # named segments count even when the last ones are empty (a group nobody matches)
    return max(count, len(graph.segment_names or ()))
