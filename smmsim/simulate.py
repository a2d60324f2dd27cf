"""Run a scenario: build the audience, choose seeds, simulate the Monte Carlo ensemble.

This is the only layer that builds kernel inputs. Replicates run in batches so a
progress bar can move and finished runs can be written out while the rest compute;
replicate ``r`` always draws from the streams keyed by ``(rng_seed, r)``, so batching
and thread count never change a result.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from smmsim._kernel_thread import call_interruptibly, check_interrupt, deferred_interrupt
from smmsim._version import __version__
from smmsim.audience import build_audience, segmented
from smmsim.errors import AudienceError
from smmsim.graph import CSRGraph
from smmsim.metrics import (
    Economics,
    pricing,
    run_table,
    runs_frame,
    series_table,
    summarize,
    summarize_runs,
)
from smmsim.models import SERIES_COLUMNS, Calendar, Competition, Model, RawBatch, model_of
from smmsim.results import Results
from smmsim.rng import RandomLike, root_key, scenario_seed
from smmsim.scenario import Scenario, ScenarioError, check_seed_nodes
from smmsim.seeding import seed_sets
from smmsim.segment_metrics import by_segment_summary, segment_table, short_summary
from smmsim.series import PackedSeries, series_profile
from smmsim.theory.bond_percolation import Seeding
from smmsim.timeline import Timeline

__all__ = ["SimulationInterrupted", "simulate"]

BatchCallback = Callable[[pd.DataFrame, pd.DataFrame], None]
TARGET_BATCH_SECONDS = 0.25
MAX_BATCH_SERIES_BYTES = 2**30


class SimulationInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped :func:`simulate`; ``results`` holds the runs that finished.

    A ``KeyboardInterrupt``, so code that does not look for it stops as before.

    Attributes
    ----------
    results : Results or None
        The finished runs (``results.extra["interrupted"]`` is true), or ``None`` when
        none had finished.
    requested : int
        The number of runs asked for.
    """

    def __init__(self, results: Results | None, requested: int) -> None:
        super().__init__()
        self.results = results
        self.requested = requested


def simulate(
    scenario: Scenario,
    *,
    runs: int | None = None,
    rng: RandomLike = None,
    graph: CSRGraph | None = None,
    progress: bool | None = False,
    on_batch: BatchCallback | None = None,
    threads: int | None = None,
    model: Model | None = None,
) -> Results:
    """Simulate a scenario's Monte Carlo ensemble.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see :func:`smmsim.load_scenario`).
    runs, rng, graph, threads, progress
        The run options: Monte Carlo runs, random state, an audience already built, worker
        threads and a progress bar; :class:`~smmsim.RunOptions` gives each one's meaning
        and default (the functions built on this one take them as ``**options``).
    on_batch : callable, optional
        Called with ``(runs, timeseries)`` frames of each finished batch, in order,
        so callers can write results as they arrive. A batch's ``timeseries`` holds
        the steps through the last one in which some run of the batch had an event
        (the results' table runs through the last such step of every batch).
    model : Model, optional
        The model to run instead of the scenario's: a variant the scenario cannot state
        (the scenario without its claim, on the same kernel, for common random numbers).
        Goals and the claim's damage are not evaluated for a variant.

    Returns
    -------
    Results

    Raises
    ------
    SimulationInterrupted
        On Ctrl-C (at most a fraction of a second after it, even during a long kernel
        call), with the runs that finished before it.
    """
    from tqdm.auto import tqdm

    sim = scenario.simulation
    n_runs = int(sim["runs"] if runs is None else runs)
    if n_runs < 1:
        raise ScenarioError(None, "simulation.runs", f"must be >= 1, got {n_runs}")
    seed = scenario_seed(scenario, rng)
    root = root_key(seed)
    timing = {}

    t0 = time.perf_counter()
    if graph is None:
        try:
            graph = call_interruptibly(build_audience, scenario)
        except KeyboardInterrupt:
            raise SimulationInterrupted(None, n_runs) from None
    elif scenario.data.get("segments"):
        # a graph built for another scenario (compare, a goal's baseline): this
        # scenario's own segments, from the users' attributes
        graph = segmented(scenario, graph)
    timing["audience_s"] = time.perf_counter() - t0
    check_seed_nodes(scenario, graph)

    variant = model is not None
    model = model_of(scenario) if model is None else model
    try:
        model.check_audience(graph)
    except AudienceError as exc:
        raise ScenarioError(scenario._source_text, None, str(exc)) from None
    economics = Economics.from_scenario(scenario)
    seeding = scenario.seeding
    steps = int(sim["steps"])
    chosen = None
    if seeding["strategy"] == "optimize" and not isinstance(model, Calendar):
        from smmsim.influence import choose_seeds

        t0 = time.perf_counter()
        try:
            choice = call_interruptibly(
                partial(choose_seeds, scenario, rng=seed, graph=graph, threads=threads)
            )
        except KeyboardInterrupt:
            raise SimulationInterrupted(None, n_runs) from None
        chosen = choice.nodes[None, :]
        timing["choose_seeds_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    batches = []
    done = 0
    bar = tqdm(total=n_runs, unit="run", disable=None if progress is None else not progress)
    # a batch's kernel reserves (lazily mapped) room for every run to last every step;
    # the cap keeps that reservation near MAX_BATCH_SERIES_BYTES
    cap = max(16, MAX_BATCH_SERIES_BYTES // (max(steps, 1) * len(SERIES_COLUMNS) * 8))
    # batches exist for the progress bar and for results written as they arrive; with
    # neither, as few batches as the cap allows save joining their tables afterwards
    batch = min(n_runs, cap) if bar.disable and on_batch is None else min(n_runs, 16)
    with deferred_interrupt():
        try:
            while done < n_runs:
                check_interrupt()
                started = time.perf_counter()
                sets = (
                    chosen
                    if chosen is not None
                    else model.seed_sets(graph, root, done, batch)
                    if isinstance(model, Calendar)
                    else seed_sets(
                        graph,
                        seeding["strategy"],
                        k=seeding["k"],
                        nodes=seeding["nodes"],
                        root=root,
                        first=done,
                        n_reps=batch,
                    )
                )
                raw = call_interruptibly(model.run, graph, sets, done, batch, steps, root, threads)
                batches.append(raw)
                if on_batch is not None:
                    table = run_table(
                        raw, graph, economics, sim["viral_fraction"], model.undefined_metrics
                    )
                    if isinstance(model, Calendar):
                        posts = model.post_columns(raw.tallies)
                        table = pd.concat([table, pd.DataFrame(posts, index=table.index)], axis=1)
                    elif raw.tallies is not None:
                        voice = _voice(raw, model, graph, steps)
                        table = pd.concat([table, pd.DataFrame(voice, index=table.index)], axis=1)
                    spill = _spillover(scenario, raw, graph)
                    if spill:
                        table = pd.concat([table, pd.DataFrame(spill, index=table.index)], axis=1)
                    on_batch(table, series_table(raw))
                done += batch
                bar.update(batch)
                elapsed = time.perf_counter() - started
                if elapsed < TARGET_BATCH_SECONDS / 16:
                    batch *= 8
                elif elapsed < TARGET_BATCH_SECONDS / 2:
                    batch *= 2
                batch = max(1, min(batch, cap, n_runs - done))
            check_interrupt()  # a Ctrl-C held back during the last batch
        except KeyboardInterrupt:
            bar.close()
            results = None
            if batches:
                results = _results(
                    scenario, seed, graph, model, economics, batches, timing, t0, threads
                )
                results.extra["interrupted"] = True
                results.extra["runs_requested"] = n_runs
            raise SimulationInterrupted(results, n_runs) from None
        finally:
            bar.close()
    results = None
    try:
        # summarising runs compiled code on this thread: a Ctrl-C waits until it is done
        with deferred_interrupt():
            results = _results(
                scenario, seed, graph, model, economics, batches, timing, t0, threads
            )
    except KeyboardInterrupt:
        if results is not None:
            results.extra["interrupted"] = True
            results.extra["runs_requested"] = n_runs
        raise SimulationInterrupted(results, n_runs) from None
    if variant:
        return results
    if scenario.data.get("goals"):
        results.extra["goals"] = _goals(scenario, results, graph, seed, threads)
    if isinstance(model, Competition) and model.claim:
        results.extra["damage"] = _damage(scenario, results, graph, model, seed, threads)
    return results


def _damage(scenario, results, graph, model, seed, threads) -> dict:
    """What the claim cost the brand: the same scenario without the claim (and the
    response), on the same audience, runs and seed, so that each run is paired with
    itself; see :func:`smmsim.competition.damage.damage_of`."""
    from smmsim.competition.damage import damage_of

    t0 = time.perf_counter()
    baseline = simulate(
        scenario, runs=results.n_runs, rng=seed, graph=graph, threads=threads,
        model=model.without_claim(),
    )  # fmt: skip
    results.timing["damage_baseline_s"] = time.perf_counter() - t0
    return damage_of(results, baseline)


def _goals(scenario, results, graph, seed, threads) -> list[dict]:
    """Each goal of the scenario evaluated on ``results``; a lift goal's baseline runs
    on the same audience with the same seed and runs (common random numbers)."""
    from smmsim.goals import evaluate_goal, values_by
    from smmsim.scenario import load_scenario

    out = []
    baselines: dict[str, Results] = {}
    for goal in scenario.data["goals"]:
        base = None
        if goal["baseline"] is not None:
            if goal["baseline"] not in baselines:
                # same audience: checked when the scenario was loaded from its file
                sc = load_scenario(goal["baseline"]).with_overrides({"goals": None})
                baselines[goal["baseline"]] = simulate(
                    sc, runs=results.n_runs, rng=seed, threads=threads, graph=graph, progress=False
                )
            base = values_by(baselines[goal["baseline"]], goal["metric"], goal["by"])
        values = values_by(results, goal["metric"], goal["by"])
        out.append(evaluate_goal(goal, values, base, Timeline.of(scenario.simulation)))
    return out


def _results(scenario, seed, graph, model, economics, batches, timing, t0, threads) -> Results:
    """The Results of the finished ``batches`` (all of them, or those before Ctrl-C)."""
    sim = scenario.simulation
    # metrics are computed as columns from the joined raw counts; the pandas tables are
    # built only when asked for: with small cascades, building them would cost more
    # than simulating
    profiles = [
        series_profile(b.series, b.cut) if b.profile is None else b.profile for b in batches
    ]
    raw = _concat(batches, series=False)
    profile = (_cat([p[0] for p in profiles]), _cat([p[1] for p in profiles]))
    prices = pricing(raw, graph, economics, sim["viral_fraction"], model.undefined_metrics)
    summary = summarize_runs(raw, prices, profile, threads=model.chunks(threads, len(raw)))
    revenue = float(economics.revenue_per_conversion)
    by_segment = by_segment_summary(
        raw.segment_counts, graph.segment_names, revenue, counts=raw.counts
    )
    segments = short_summary(by_segment)
    timing["simulate_s"] = time.perf_counter() - t0

    extra: dict = {} if segments is None else {"segments": segments, "by_segment": by_segment}
    runs = partial(runs_frame, raw, prices, profile)
    if isinstance(model, Calendar):
        runs, extra["posts"], columns = _calendar(raw, runs, model, graph, economics, sim)
        summary = pd.concat([summary, summarize(columns)])
    elif raw.tallies is not None:
        runs, extra["competition"] = _competition(raw, runs, model, graph, sim["steps"])
        # the competition's columns are summarised like the brand's (``Results.mean``,
        # goals and comparisons read them by name)
        summary = pd.concat([summary, summarize(_voice(raw, model, graph, sim["steps"]))])

    spill = _spillover(scenario, raw, graph)
    if spill:
        runs = _with_columns(runs, spill)
        summary = pd.concat([summary, summarize(spill)])
        extra["target"] = list(scenario.data["target"])

    stats = graph.degree_stats()
    resolved = scenario.to_dict()
    # the runs done, which may differ from the scenario's (``runs=``, Ctrl-C)
    resolved["simulation"]["runs"] = sum(len(b) for b in batches)
    edges = scenario.audience_path()
    if edges is not None:
        # the file that was read, whatever the working directory of whoever reads this
        resolved["audience"]["path"] = os.path.abspath(edges)
    return Results(
        scenario=resolved,
        rng_seed=seed,
        runs=runs,
        timeseries=partial(_series_frame, batches, Timeline.of(sim)),
        series=partial(_packed_series, batches),
        summary=summary,
        audience={"name": graph.name, **stats.as_dict(), **_attributes_of(graph)},
        theory=model.theory(
            graph, Seeding.from_sets(scenario.seeding["strategy"], batches[0].seed_sets)
        ),
        timing=timing,
        version=__version__,
        extra=extra,
        by_segment=(
            None
            if raw.segment_counts is None
            else partial(segment_table, raw.segment_counts, graph.segment_names, revenue, raw.first)
        ),
    )


def _spillover(scenario, raw, graph) -> dict[str, np.ndarray] | None:
    """The per-run spill-over columns (reach outside ``target:``), or ``None`` without a
    target; see :func:`smmsim.segments.spillover_columns`."""
    from smmsim._kernels.layout import C_REACH, SEGMENT_COLUMNS
    from smmsim.segments import spillover_columns

    target = scenario.data.get("target")
    if not target or raw.segment_counts is None:
        return None
    names = list(graph.segment_names)
    col = SEGMENT_COLUMNS.index("reach")
    ids = [names.index(name) for name in target]
    return spillover_columns(raw.counts[:, C_REACH], raw.segment_counts[:, :, col], ids)


def _with_columns(runs: Callable, columns: dict[str, np.ndarray]) -> Callable:
    """``runs`` (a table maker) with ``columns`` appended."""

    def table() -> pd.DataFrame:
        frame = runs()
        return pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)

    return table


def _attributes_of(graph) -> dict:
    """The audience's attributes for the results: ``{"attributes": {name: [values]}}``
    (nothing when it has none)."""
    if not graph.attributes:
        return {}
    return {"attributes": {name: list(values) for name, (_, values) in graph.attributes.items()}}


def _voice(raw, model, graph, steps) -> dict[str, np.ndarray]:
    """The competition's per-run columns of ``raw`` (see
    :func:`smmsim.competition.voice_columns`)."""
    from smmsim._kernels.layout import C_ENGAGED
    from smmsim.competition import voice_columns

    return voice_columns(
        raw.tallies, model.layout(graph, int(steps)), [who for who, _ in model.contents],
        int(steps), raw.counts[:, C_ENGAGED], bool(model.service), graph.segment_names,
    )  # fmt: skip


def _calendar(raw, runs, model, graph, economics, sim) -> tuple[Callable, list, dict]:
    """The per-run table with each post's columns, the per-post summary and the columns
    (see :mod:`smmsim.reporting.posts`)."""
    from smmsim.reporting.posts import post_summary

    columns = model.post_columns(raw.tallies)
    summary = post_summary(raw, model, graph, economics, sim)

    def table() -> pd.DataFrame:
        frame = runs()
        return pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)

    return table, summary, columns


def _competition(raw, runs, model, graph, steps) -> tuple[Callable, dict]:
    """The per-run table with the competition's columns, and its summary."""
    from smmsim.competition import voice_summary

    layout = model.layout(graph, int(steps))
    contents = [who for who, _ in model.contents]
    columns = _voice(raw, model, graph, steps)
    summary = voice_summary(raw.tallies, layout, contents, int(steps), columns, graph.segment_names)

    def table() -> pd.DataFrame:
        frame = runs()
        return pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)

    return table, summary


def _series_frame(batches: list[RawBatch], timeline: Timeline) -> pd.DataFrame:
    """The per-step table; on a dated timeline with each step's ``date`` after ``step``."""
    frame = series_table(_concat(batches))
    if timeline.dated:
        steps = frame["step"].to_numpy()
        dates = timeline.dates(int(steps.max(initial=-1)) + 1)
        frame.insert(2, "date", dates[steps])
    return frame


def _packed_series(batches: list[RawBatch]) -> PackedSeries:
    return PackedSeries.concat([b.series for b in batches])


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _concat(batches: list[RawBatch], series: bool = True) -> RawBatch:
    """One raw batch from consecutive batches (their series packed together, never
    unpacked; with ``series`` false, an empty series)."""
    if len(batches) == 1 and series:
        return batches[0]
    shared = all(b.seed_sets.shape[0] == 1 for b in batches)
    sets = batches[0].seed_sets if shared else np.concatenate([b.seed_sets for b in batches])
    cut = max(b.cut for b in batches)
    return RawBatch(
        first=batches[0].first,
        counts=_cat([b.counts for b in batches]),
        virality=_cat([b.virality for b in batches]),
        series=(
            _packed_series(batches)
            if series
            else np.zeros((sum(len(b) for b in batches), 0, len(SERIES_COLUMNS)), np.int64)
        ),
        seed_sets=sets,
        media_cost=(
            None
            if all(b.media_cost is None for b in batches)
            else np.concatenate(
                [np.zeros(len(b)) if b.media_cost is None else b.media_cost for b in batches]
            )
        ),
        active_steps=cut if series else 0,
        segment_counts=(
            None
            if any(b.segment_counts is None for b in batches)
            else _cat([b.segment_counts for b in batches])
        ),
        tallies=(
            None if any(b.tallies is None for b in batches) else _cat([b.tallies for b in batches])
        ),
    )
