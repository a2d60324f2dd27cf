"""From raw cascade records to marketing metrics and ensemble summaries.

Shared by every model: a model produces a :class:`~smmsim.models.base.RawBatch`, and
this module turns it into one row of metrics per Monte Carlo run, a per-step time
series and ensemble statistics (mean, standard deviation, 95% confidence interval,
quantiles).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from functools import lru_cache, partial

import numpy as np
import pandas as pd

from smmsim._kernels.columns import FLOAT_COLUMNS, INT_COLUMNS, derived_columns
from smmsim._kernels.stats import (
    NOT_FINITE,
    OK,
    binary_counts,
    float_column_stats,
    int_column_stats,
    order_stats_through,
)
from smmsim.economics import Economics
from smmsim.graph import CSRGraph
from smmsim.models.base import COUNT_COLUMNS, RawBatch
from smmsim.series import series_frame, series_profile

__all__ = [
    "BOUNDS",
    "METRICS",
    "PROPORTIONS",
    "Economics",
    "run_columns",
    "run_table",
    "segment_summary",
    "series_table",
    "summarize",
]

#: Per-run metrics and what they mean (the README's metric glossary is built from this).
METRICS: dict[str, str] = {
    "seeds": "paid seed accounts that posted at step 0",
    "impressions": "times the content was shown, repeats included",
    "paid_impressions": "impressions from the seeds' own posts",
    "earned_impressions": "impressions from peers' shares",
    "reach": "unique users (other than seeds) who saw the content",
    "paid_reach": "users whose first exposure came from a seed",
    "earned_reach": "users whose first exposure came from a peer's share (referred users)",
    "engaged": "unique users who engaged at least once",
    "engagements": "engagement events (a user can engage at several exposures)",
    "shares": "users who shared within the horizon, seeds included",
    "earned_shares": "users other than the seeds who shared",
    "pending_shares": "users about to share when the horizon ended",
    "conversions": "purchases (a user's first engagement converts at most once)",
    "direct_conversions": "conversions of users first reached by a seed",
    "referral_conversions": "conversions of referred users (first reached by a peer)",
    "new_sharers_per_sharer": "new sharers per sharer in this run, (shares - seeds + pending) "
    "/ shares (not theory's viral coefficient K)",
    "depth": "generations of sharing beyond the seeds",
    "structural_virality": "mean pairwise distance in the sharer tree (Goel et al. 2016)",
    "peak_step": "step with the most new impressions (the most new adopters in the Bass model)",
    "viral": "1 if earned sharers reached simulation.viral_fraction of the audience",
    "cost": "campaign cost: fixed + per seed + per seed follower + paid media (ads)",
    "revenue": "conversions x revenue per conversion",
    "roi": "(revenue - cost) / cost",
    "pays_back": "1 if the run's revenue exceeded its cost (ROI > 0), else 0",
    "earned_media_value": "earned impressions valued at the scenario's CPM",
}


def run_columns(
    batch: RawBatch,
    graph: CSRGraph,
    economics: Economics,
    viral_fraction: float,
    profile: tuple[np.ndarray, np.ndarray] | None = None,
    omit: Iterable[str] = (),
) -> dict[str, np.ndarray]:
    """The metrics of every run of ``batch`` as columns (``run`` first); see :data:`METRICS`.

    ``profile`` is ``(depth, peak_step)`` when already computed from the series;
    ``omit`` names metrics the model leaves undefined
    (:attr:`~smmsim.models.base.Model.undefined_metrics`), which are left out.
    """
    return columns_of(batch, pricing(batch, graph, economics, viral_fraction, omit), profile)


def pricing(
    batch: RawBatch,
    graph: CSRGraph,
    economics: Economics,
    viral_fraction: float,
    omit: Iterable[str] = (),
) -> tuple:
    """What the derived metrics of ``batch`` need besides its counts: the seeding cost of
    each run (one value when the seeds are shared), the paid media cost, the revenue per
    conversion, the CPM and the earned sharers that make a run viral; last, the metrics
    to leave out (``omit``: those the model does not define)."""
    return (
        np.asarray(economics.cost(graph, batch.seed_sets), dtype=np.float64),
        np.zeros(0) if batch.media_cost is None else np.asarray(batch.media_cost, float),
        float(economics.revenue_per_conversion),
        float(economics.cpm),
        max(1, int(np.ceil(viral_fraction * graph.n))),
        frozenset(omit),
    )


#: The columns :func:`columns_of` derives from the counts (see :func:`derive_into`).
DERIVED = frozenset(INT_COLUMNS + FLOAT_COLUMNS)


def columns_of(
    batch: RawBatch,
    prices: tuple,
    profile: tuple[np.ndarray, np.ndarray] | None = None,
    out: tuple[np.ndarray, np.ndarray] | None = None,
    derive: bool = True,
) -> dict[str, np.ndarray]:
    """:func:`run_columns` from :func:`pricing`'s values; the derived columns go to
    ``out`` (int64 and float64 arrays of :data:`INT_COLUMNS` and :data:`FLOAT_COLUMNS`
    rows) when given. With ``derive`` false they are left to be filled by
    :func:`derive_into` (the same ``batch``, ``prices`` and ``out``)."""
    c = {name: batch.counts[:, i] for i, name in enumerate(COUNT_COLUMNS)}
    R = len(batch)
    if profile is None:
        profile = batch.profile
    depth, peak_step = series_profile(batch.series, batch.cut) if profile is None else profile
    if out is None:
        out = _derived_arrays(R)
    if derive:
        derive_into(batch, prices, out)
    ints, floats = out
    omit = prices[-1]
    d = dict(zip(INT_COLUMNS, ints, strict=True)) | dict(zip(FLOAT_COLUMNS, floats, strict=True))
    columns = {
        "run": np.arange(batch.first, batch.first + R),
        "seeds": c["seeds"],
        "impressions": c["impressions"],
        "paid_impressions": c["paid_impressions"],
        "earned_impressions": d["earned_impressions"],
        "reach": c["reach"],
        "paid_reach": d["paid_reach"],
        "earned_reach": c["earned_reach"],
        "engaged": c["engaged"],
        "engagements": c["engagements"],
        "shares": c["shares"],
        "earned_shares": d["earned_shares"],
        "pending_shares": c["pending_shares"],
        "conversions": c["conversions"],
        "direct_conversions": d["direct_conversions"],
        "referral_conversions": c["referral_conversions"],
        "new_sharers_per_sharer": d["new_sharers_per_sharer"],
        "depth": depth,
        "structural_virality": batch.virality,
        "peak_step": peak_step,
        "viral": d["viral"],
        "cost": d["cost"],
        "revenue": d["revenue"],
        "roi": d["roi"],
        "pays_back": d["pays_back"],
        "earned_media_value": d["earned_media_value"],
    }
    for name in omit:
        columns.pop(name, None)
    return columns


def _derived_arrays(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Room for the derived columns of ``n`` runs (see :func:`derive_into`)."""
    return np.empty((len(INT_COLUMNS), n), np.int64), np.empty((len(FLOAT_COLUMNS), n))


def derive_into(batch: RawBatch, prices: tuple, out: tuple[np.ndarray, np.ndarray]) -> None:
    """Fill ``out`` with the derived columns of :func:`columns_of`."""
    ints, floats = out
    derived_columns(batch.counts, *prices[:-1], ints, floats)


class _Scratch(threading.local):
    """Derived-column arrays reused by consecutive summaries on one thread.

    The summary needs the derived columns only while it computes their statistics; a
    fresh array for each would make the operating system map (and zero) new pages every
    time, which on a virtual machine can cost more than simulating small cascades.
    """

    LIMIT = 64 * 2**20  # bytes kept between calls; larger ensembles allocate afresh

    def __init__(self) -> None:
        self.arrays: tuple[np.ndarray, np.ndarray] | None = None
        self.busy = False

    @contextmanager
    def derived(self, n: int):
        n_bytes = (len(INT_COLUMNS) + len(FLOAT_COLUMNS)) * 8 * n
        if self.busy or n_bytes > self.LIMIT:
            yield None
            return
        if self.arrays is None or self.arrays[0].shape[1] != n:
            self.arrays = _derived_arrays(n)
        self.busy = True
        try:
            yield self.arrays
        finally:
            self.busy = False


_SCRATCH = _Scratch()


def summarize_runs(
    batch: RawBatch,
    prices: tuple,
    profile: tuple[np.ndarray, np.ndarray] | None = None,
    threads: int | None = None,
) -> pd.DataFrame:
    """:func:`summarize` of :func:`columns_of`, with the derived columns in scratch
    arrays that are reused from one call to the next."""
    with _SCRATCH.derived(len(batch)) as out:
        if out is None:
            out = _derived_arrays(len(batch))
        columns = columns_of(batch, prices, profile, out, derive=False)
        return summarize(
            columns,
            threads=threads,
            prepare=partial(derive_into, batch, prices, out),
            prepared=DERIVED,
        )


def runs_frame(
    batch: RawBatch, prices: tuple, profile: tuple[np.ndarray, np.ndarray] | None = None
) -> pd.DataFrame:
    """The per-run table of :func:`columns_of` (fresh arrays)."""
    return pd.DataFrame(columns_of(batch, prices, profile))


def run_table(
    batch: RawBatch,
    graph: CSRGraph,
    economics: Economics,
    viral_fraction: float,
    omit: Iterable[str] = (),
) -> pd.DataFrame:
    """One row of metrics per Monte Carlo run of ``batch``; see :data:`METRICS`.

    ``omit`` names metrics the model leaves undefined; they are left out."""
    return runs_frame(batch, pricing(batch, graph, economics, viral_fraction, omit))


def series_table(batch: RawBatch, steps: int | None = None) -> pd.DataFrame:
    """Tidy per-step series of ``batch``: one row per (run, step), new events per step.

    ``steps`` truncates to the first steps (default: through the last step in which
    some run had an event). Built from the packed rows of the series (see
    :func:`smmsim.series.series_frame`).
    """
    return series_frame(batch.series, batch.first, steps)


QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Runs from which :func:`summarize` spreads the columns over its threads.
PARALLEL_ROWS = 50_000
#: Float columns up to this many entries are summarised by numpy directly.
SMALL_FLOAT_COLUMN = 64


def summarize(
    runs: pd.DataFrame | Mapping[str, np.ndarray],
    confidence: float = 0.95,
    threads: int | None = None,
    prepare: Callable[[], None] | None = None,
    prepared: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Ensemble statistics of every metric: one row per metric.

    ``runs`` is the per-run table, or its columns as a mapping of arrays.

    Columns: ``mean``, ``std`` (sample), ``sem``, ``ci_low``/``ci_high`` (normal
    approximation, ``mean -/+ z sem``, clipped to the values the mean can take, see
    :data:`BOUNDS`; for the 0/1 metrics of :data:`PROPORTIONS` the Wilson score
    interval), ``q05`` ... ``q95`` and ``n`` (runs with a defined value: ROI is
    undefined when a campaign costs nothing). ``threads`` (default one) summarise the
    columns of a table of at least :data:`PARALLEL_ROWS` runs in parallel; the result is
    the same. ``prepare``, when given, fills the columns named in ``prepared`` (and is
    called before any of them is read): on several threads, while the others are
    summarised.
    """
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    names = [name for name in runs.keys() if name != "run"]
    mean = np.full(len(names), np.nan)
    std = np.full(len(names), np.nan)
    count = np.zeros(len(names), dtype=np.int64)
    qs = np.full((len(names), len(QUANTILES)), np.nan)
    rows = len(runs[names[0]]) if names else 0
    workers = 1 if threads is None or rows < PARALLEL_ROWS else max(1, min(int(threads), 8))
    if workers > 1:
        # the column statistics are compiled and release the GIL: large tables (small
        # cascades, many runs) summarise on several threads, each taking the next column
        # not yet taken (the ensemble driver's workers, each on a CPU of its own)
        from smmsim._kernels.driver import in_threads

        stats = [None] * len(names)
        # the prepared columns last, so that the others keep the threads busy meanwhile
        later = [i for i, name in enumerate(names) if name in prepared]
        first = [i for i, name in enumerate(names) if name not in prepared]
        untaken = iter(([-1] if prepare is not None else []) + first + later)
        ready = threading.Event()
        if prepare is None:
            ready.set()

        def work(_: int) -> None:
            for i in untaken:
                if i < 0:
                    try:
                        prepare()
                    finally:
                        ready.set()  # an error is raised by in_threads
                    continue
                if names[i] in prepared:
                    ready.wait()
                stats[i] = _column_stats(runs, names[i])

        in_threads(work, workers)
    else:
        if prepare is not None:
            prepare()
        stats = [_column_stats(runs, name) for name in names]
    for i, got in enumerate(stats):
        if got is not None:
            count[i], mean[i], std[i], qs[i] = got
    with np.errstate(divide="ignore", invalid="ignore"):
        sem = std / np.sqrt(count)
    ci_low, ci_high = mean - z * sem, mean + z * sem
    low, high = _bounds(names, mean)
    ci_low, ci_high = np.maximum(ci_low, low), np.minimum(ci_high, high)
    for name in PROPORTIONS:
        if name in names:
            i = names.index(name)
            if count[i] > 0:
                ci_low[i], ci_high[i] = wilson_interval(mean[i], int(count[i]), z)
    table = {"mean": mean, "std": std, "sem": sem, "ci_low": ci_low, "ci_high": ci_high}
    table["n"] = count
    for j, q in enumerate(QUANTILES):
        table[f"q{int(q * 100):02d}"] = qs[:, j]
    return pd.DataFrame(table, index=pd.Index(names, name="metric"))


def _column_stats(
    runs: pd.DataFrame | Mapping[str, np.ndarray], name: str
) -> tuple[int, float, float, np.ndarray] | None:
    """Count, mean, sample standard deviation and :data:`QUANTILES` of one column of the
    per-run table (``None`` when no run defines it)."""
    raw = np.asarray(runs[name])
    if raw.dtype.kind in "iu" and raw.size > 0:
        n = raw.size
        mu, m2, q = _int_stats(raw.astype(np.int64, copy=False))
        return n, mu, (np.sqrt(m2 / (n - 1)) if n > 1 else 0.0), q
    if name in PROPORTIONS:
        n, mu, sd, q = _binary_stats(raw.astype(float, copy=False))
    else:
        key = runs.get(_ORDER_KEYS.get(name, ""), None)
        n, mu, sd, q = _float_stats(raw.astype(float, copy=False), key)
    return None if n == 0 else (n, mu, sd, q)


#: 0/1 metrics: their mean is a probability, with a Wilson score interval.
PROPORTIONS = ("viral", "pays_back")
#: Metrics where a lower value is the better one (in a comparison, a run "beats" its
#: pair with less); for every other metric of :data:`METRICS` more is better.
LOWER_IS_BETTER = frozenset({"cost"})

#: The values the mean of a metric can take, ``(lowest, highest)``: counts, money and
#: shapes are never negative, ROI never below -1 (revenue is never negative),
#: probabilities lie in [0, 1]. The normal-approximation interval is clipped to them;
#: metrics not listed are not clipped.
BOUNDS: dict[str, tuple[float, float]] = {
    **{name: (0.0, np.inf) for name in METRICS},
    "roi": (-1.0, np.inf),
    "viral": (0.0, 1.0),
    "pays_back": (0.0, 1.0),
}


def _bounds(names: list[str], mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest possible mean of each metric (see :data:`BOUNDS`); sharers
    include the seeds, so their mean is at least the seeds' mean."""
    low = np.array([BOUNDS.get(name, (-np.inf, np.inf))[0] for name in names])
    high = np.array([BOUNDS.get(name, (-np.inf, np.inf))[1] for name in names])
    if "shares" in names and "seeds" in names:
        i = names.index("shares")
        low[i] = max(low[i], mean[names.index("seeds")])
    return low, high


#: Integer columns that float metrics usually depend on alone, monotonically: their
#: quantiles are then read through the integer column (checked, see
#: :func:`~smmsim._kernels.stats.order_stats_through`).
_ORDER_KEYS = {
    "revenue": "conversions",
    "roi": "conversions",
    "pays_back": "conversions",
    "earned_media_value": "earned_impressions",
    "cost": "seeds",
}


@lru_cache(maxsize=8)
def _ranks(n: int) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """For ``n`` entries: the ranks whose order statistics the :data:`QUANTILES` need,
    and where each quantile reads them (see :func:`_lerp_quantiles`)."""
    h = (n - 1) * np.asarray(QUANTILES)
    below = np.floor(h)
    above = np.minimum(below + 1, n - 1)
    ranks = np.unique(np.concatenate([below, above]).astype(np.int64))
    ia = np.searchsorted(ranks, below.astype(np.int64))
    ib = np.searchsorted(ranks, above.astype(np.int64))
    return ranks, (ia.tolist(), ib.tolist(), (h - below).tolist())


def _lerp_quantiles(plan, values) -> np.ndarray:
    """numpy's linear interpolation between order statistics, in its own form (on Python
    floats: the same arithmetic, without numpy's overhead on five numbers)."""
    ia, ib, t = plan
    v = values.tolist()
    return np.array(
        [
            v[j] - (v[j] - v[i]) * (1 - w) if w >= 0.5 else v[i] + (v[j] - v[i]) * w
            for i, j, w in zip(ia, ib, t, strict=True)
        ]
    )


def _float_stats(x: np.ndarray, key: np.ndarray | None) -> tuple[int, float, float, np.ndarray]:
    """Count, mean, sample standard deviation and :data:`QUANTILES` of the finite
    entries of a float column (NaN and infinities, such as the ROI of a campaign that
    cost nothing, are left out).

    Quantiles are numpy's (linear rule), exactly: from bucket counts; where a few far
    outliers crowd the rest into one bucket, read through the integer column ``key``
    when ``x`` is a non-decreasing function of it, else by partitioning.
    """
    n = x.size
    if n > SMALL_FLOAT_COLUMN:
        x = np.ascontiguousarray(x, dtype=np.float64)
        ranks, plan = _ranks(n)
        mean, m2, values, status = float_column_stats(x, ranks)
        if status != NOT_FINITE:
            std = float(np.sqrt(m2 / (n - 1)))
            if status == OK:
                return n, float(mean), std, _lerp_quantiles(plan, values)
            if key is not None:
                key = np.asarray(key)
                if key.dtype.kind in "iu" and key.shape == x.shape:
                    key = key.astype(np.int64, copy=False)
                    through, by_key = order_stats_through(key, x, ranks)
                    if through:
                        return n, float(mean), std, _lerp_quantiles(plan, by_key)
            return n, float(mean), std, np.quantile(x, QUANTILES)
    finite = np.isfinite(x)
    if not finite.all():
        if key is not None and np.shape(key) == x.shape:
            key = np.asarray(key)[finite]
        return _float_stats(x[finite], key)
    if n == 0:
        return 0, np.nan, np.nan, np.full(len(QUANTILES), np.nan)
    std = float(x.std(ddof=1)) if n > 1 else 0.0
    return n, float(x.mean()), std, np.quantile(x, QUANTILES)


def _binary_stats(x: np.ndarray) -> tuple[int, float, float, np.ndarray]:
    """:func:`_float_stats` of a column of 0.0, 1.0 and NaN (left out), from its counts:
    the ordered column is the zeros, then the ones."""
    n, ones, binary = binary_counts(np.ascontiguousarray(x, dtype=np.float64))
    if n == 0 or not binary:
        return _float_stats(x, None)
    mean = ones / n
    std = float(np.sqrt(ones * (n - ones) / (n * (n - 1)))) if n > 1 else 0.0
    ranks, plan = _ranks(n)
    return n, mean, std, _lerp_quantiles(plan, (ranks >= n - ones).astype(np.float64))


def _int_stats(x: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Mean, sum of squared deviations and :data:`QUANTILES` (numpy's linear rule,
    exactly) of an integer column."""
    ranks, plan = _ranks(x.size)
    mean, m2, values = int_column_stats(x, ranks)
    return float(mean), float(m2), _lerp_quantiles(plan, values)


def wilson_interval(p: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p`` observed in ``n`` trials."""
    if n == 0:
        return (0.0, 1.0)
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # the interval holds p; at p = 0 or 1 rounding could leave it a hair outside
    return (min(max(0.0, centre - half), p), max(min(1.0, centre + half), p))


def segment_summary(
    segment_counts: np.ndarray | None, names: Iterable[str] | None
) -> dict[str, dict[str, dict[str, float]]] | None:
    """Per-segment tallies (:data:`SEGMENT_COLUMNS`) over the runs: for each segment,
    each tally's mean per run and its standard error; ``None`` when the audience has no
    segments (the short form of :func:`smmsim.segment_metrics.by_segment_summary`).

    Every user is in exactly one segment, so a tally summed over the segments is the
    run's own count (per-segment reach adds up to reach, run by run).
    """
    from smmsim.segment_metrics import by_segment_summary, short_summary

    names = None if names is None else list(names)
    return short_summary(by_segment_summary(segment_counts, names, 0.0))
