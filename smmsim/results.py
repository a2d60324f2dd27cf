"""Simulation results: tidy tables, a readable report, and files on disk."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from smmsim.errors import OutputPathError
from smmsim.series import PackedSeries, write_csv, write_frame_csv

if TYPE_CHECKING:
    from smmsim.timeline import Timeline
    from smmsim.trace import Cascade

__all__ = ["Results", "RunWriter"]


def _plain(x: Any) -> Any:
    """JSON-safe value: numpy scalars to Python, NaN and inf to None."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


@dataclass
class Results:
    """What a scenario's Monte Carlo ensemble produced.

    Attributes
    ----------
    scenario : dict
        The resolved scenario (every default filled in).
    rng_seed : int
        The seed that reproduces these results.
    runs : pandas.DataFrame
        One row per Monte Carlo run, one column per metric (see ``smmsim.METRICS``).
    timeseries : pandas.DataFrame
        One row per (run, step): new impressions, reach, engagements, shares and
        conversions in that step, for every step through the last one in which some
        run had an event.

    Both tables may be given as zero-argument functions that build them: they are
    then built on first access (the summary does not need them, and a large
    ensemble's per-run, per-step table is big).
    summary : pandas.DataFrame
        One row per metric: mean, std, sem, 95% ``ci_low``/``ci_high``, quantiles.
    audience : dict
        Audience size and degree moments.
    theory : dict
        Percolation-theory predictions for the scenario (see ``smmsim.theory``).
    timing : dict
        Seconds spent building the audience (``audience_s``) and simulating
        (``simulate_s``).
    version : str
        smmsim version that produced them.
    extra : dict
        More JSON-ready entries of ``summary.json`` (``interrupted``, ...).
    series : PackedSeries or None
        The per-step series of every run, packed (or a zero-argument function that
        builds it); ``timeseries`` is its table, and ``timeseries.csv`` is written
        from it. ``None`` when only the table is known.
    by_segment : pandas.DataFrame or None
        When the audience has segments, one row per (run, segment): ``run``,
        ``segment`` and each per-segment tally with the revenue (see
        :mod:`smmsim.segment_metrics`; a zero-argument function that builds it may be
        given); written as ``segments.csv``. Summed over the segments, a run's row is
        its row of ``runs``. ``None`` without segments.
    """

    scenario: dict
    rng_seed: int
    runs: pd.DataFrame = field(repr=False)
    timeseries: pd.DataFrame = field(repr=False)
    summary: pd.DataFrame
    audience: dict
    theory: dict
    timing: dict
    version: str
    extra: dict = field(default_factory=dict)
    series: PackedSeries | None = field(default=None, repr=False)
    by_segment: pd.DataFrame | None = field(default=None, repr=False)

    def mean(self, metric: str) -> float:
        """Ensemble mean of ``metric``."""
        return float(self.summary.loc[metric, "mean"])

    @property
    def n_runs(self) -> int:
        """Number of Monte Carlo runs."""
        return int(self.summary.loc["seeds", "n"])

    @property
    def timeline(self) -> Timeline:
        """The calendar of the steps (``simulation.time_unit`` and ``start``): a
        :class:`~smmsim.timeline.Timeline`, dated or not."""
        from smmsim.timeline import Timeline

        return Timeline.of(self.scenario.get("simulation", {}))

    def step_dates(self) -> list[str] | None:
        """The date of each step of the horizon as text (``timeseries.csv``'s ``date``
        column), or ``None`` when the steps have no dates."""
        line = self.timeline
        if not line.dated:
            return None
        return line.labels(int(self.scenario["simulation"]["steps"]))

    @property
    def p_viral(self) -> float:
        """Fraction of runs that went viral."""
        return self.mean("viral")

    def to_dict(self) -> dict:
        """Everything but the per-run tables, as JSON-ready plain values."""
        metrics = {
            name: {k: row[k] for k in self.summary.columns} for name, row in self.summary.iterrows()
        }
        return _plain(
            {
                "version": self.version,
                "rng_seed": self.rng_seed,
                "runs": self.n_runs,
                **self.timeline.record(),
                "metrics": metrics,
                "audience": self.audience,
                "theory": self.theory,
                "timing": self.timing,
                "scenario": self.scenario,
                **self.extra,
            }
        )

    def write(
        self, out_dir: str | Path, *, plots: bool = True, tree: Cascade | None = None
    ) -> list[Path]:
        """Write ``summary.json``, ``runs.csv``, ``timeseries.csv``, ``segments.csv``
        (when the audience has segments) and the pictures (``adoption.png`` and others;
        ``referral_tree.png`` when ``tree``, a traced run from
        :func:`smmsim.trace.results_cascade`, is given) to ``out_dir``; return the paths
        written."""
        return RunWriter(out_dir).finish(self, plots=plots, tree=tree)

    def report(self) -> str:
        """A readable text summary (what ``smmsim run`` prints)."""
        from smmsim.reporting.report import format_report

        return format_report(self)


def _lazy_table(name: str) -> property:
    key = f"_{name}_table"

    def get(self: Results) -> pd.DataFrame:
        value = self.__dict__[key]
        if callable(value):
            value = value()
            self.__dict__[key] = value
        return value

    def put(self: Results, value: pd.DataFrame | Callable[[], pd.DataFrame]) -> None:
        self.__dict__[key] = value

    return property(get, put)


# set after the dataclass is made, so its __init__ assigns through them
Results.runs = _lazy_table("runs")  # type: ignore[method-assign,assignment]
Results.timeseries = _lazy_table("timeseries")  # type: ignore[method-assign,assignment]
Results.series = _lazy_table("series")  # type: ignore[method-assign,assignment]
Results.by_segment = _lazy_table("by_segment")  # type: ignore[method-assign,assignment]


def _built(results: Results, name: str) -> bool:
    """Whether the lazy table ``name`` has been built (or given as a table)."""
    return not callable(results.__dict__.get(f"_{name}_table"))


#: What a run writes into its folder besides the plots; an older run's copies (and the
#: plots its summary lists) are removed before a new run writes there.
RUN_FILES = ("summary.json", "runs.csv", "timeseries.csv", "segments.csv")
#: Plots of earlier versions, removed too when an older run left no list of its files.
KNOWN_PLOTS = (
    "adoption.png",
    "reach_distribution.png",
    "earned_media.png",
    "referral_tree.png",
    "segments.png",
)


class RunWriter:
    """Writes runs as they finish, so an interrupted job keeps what it computed.

    Call it with each batch's ``(runs, timeseries)`` frames; :meth:`finish` writes the
    summary and plots. ``dates`` (the text of each step's date, when the scenario's
    steps have dates) adds a ``date`` column to ``timeseries.csv``. CSV files are
    appended batch by batch; ``summary.json`` is written atomically at the end, last,
    and lists every file of the run. While a run
    is in progress each batch's per-step rows go through its own last active step;
    :meth:`finish` rewrites ``timeseries.csv`` through the last active step of all
    runs (integer tables are formatted by compiled code, the final one straight from
    the packed series, so its cost follows the events, not the horizon).

    A folder that holds an older run's files never mixes them with the new ones: before
    the first batch is written, the older run's files (``summary.json``, ``runs.csv``,
    ``timeseries.csv`` and the plots its summary lists) are removed; :attr:`removed`
    names them. Other files in the folder are left alone.
    """

    def __init__(self, out_dir: str | Path, dates: list[str] | None = None):
        self.out = Path(out_dir)
        self.dates = dates
        self.out.mkdir(parents=True, exist_ok=True)
        self.runs_path = self.out / "runs.csv"
        self.series_path = self.out / "timeseries.csv"
        self.summary_path = self.out / "summary.json"
        self.removed: list[Path] = []
        self._started = False

    def _clear_previous(self) -> None:
        """Remove an older run's files from the folder (once, before writing)."""
        names = [*RUN_FILES, *KNOWN_PLOTS]
        try:
            listed = json.loads(self.summary_path.read_text()).get("files", [])
        except (OSError, ValueError, AttributeError):
            listed = []
        # only plain file names: a summary cannot send the removal out of this folder
        names += [f for f in listed if isinstance(f, str) and f == Path(f).name]
        for name in dict.fromkeys(names):
            path = self.out / name
            if path.is_file():
                try:
                    path.unlink()
                except OSError as exc:
                    raise OutputPathError(
                        f"{path}: cannot remove this file of an older run "
                        f"({exc.strerror or type(exc).__name__}); remove it or choose "
                        "another folder"
                    ) from None
                self.removed.append(path)

    def __call__(self, runs: pd.DataFrame, series: pd.DataFrame) -> None:
        if not self._started:
            self._clear_previous()
        mode = "a" if self._started else "w"
        runs.to_csv(self.runs_path, mode=mode, header=not self._started, index=False)
        write_frame_csv(self.series_path, series, append=self._started, dates=self.dates)
        self._started = True

    def finish(
        self, results: Results, *, plots: bool = True, tree: Cascade | None = None
    ) -> list[Path]:
        """Write the summary and plots; return the paths written.

        ``tree`` is the traced run drawn as ``referral_tree.png`` (none without it):
        writing never simulates or rebuilds the audience.

        The time series is rewritten through the last step in which some run had an
        event. The per-run table is written here when no batch was (:meth:`Results.write`),
        and rewritten for the finished runs of an interrupted ensemble
        (``results.extra["interrupted"]``), so that the files hold exactly the runs the
        summary counts.
        """
        started = self._started
        if not started:
            self._clear_previous()
        if not started or results.extra.get("interrupted"):
            results.runs.to_csv(self.runs_path, index=False)
        dates = results.step_dates()
        if results.series is not None and not _built(results, "timeseries"):
            write_csv(self.series_path, results.series, dates=dates)
        else:
            write_frame_csv(self.series_path, results.timeseries, dates=dates)
        self._started = True
        paths = [self.summary_path, self.runs_path, self.series_path]
        if results.by_segment is not None:
            # one row per (run, segment); the runs of an interrupted ensemble's summary
            path = self.out / "segments.csv"
            results.by_segment.to_csv(path, index=False)
            paths.append(path)
        if plots:
            from smmsim.plots.runs import write_run_plots

            paths += write_run_plots(results, self.out, tree=tree)
        record = results.to_dict()
        record["files"] = [p.name for p in paths]
        _atomic_write_text(self.summary_path, json.dumps(record, indent=2))
        return paths
