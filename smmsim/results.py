"""Simulation results: tidy tables, a readable report, and files on disk."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

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
        conversions in that step.

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

    def mean(self, metric: str) -> float:
        """Ensemble mean of ``metric``."""
        return float(self.summary.loc[metric, "mean"])

    @property
    def n_runs(self) -> int:
        """Number of Monte Carlo runs."""
        return int(self.summary.loc["seeds", "n"])

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
                "metrics": metrics,
                "audience": self.audience,
                "theory": self.theory,
                "timing": self.timing,
                "scenario": self.scenario,
                **self.extra,
            }
        )

    def write(self, out_dir: str | Path, *, plots: bool = True) -> list[Path]:
        """Write ``summary.json``, ``runs.csv``, ``timeseries.csv`` and the adoption
        curves (``adoption.png``) to ``out_dir``; return the paths written."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        writer = RunWriter(out)
        writer(self.runs, self.timeseries)
        return writer.finish(self, plots=plots)

    def report(self) -> str:
        """A readable text summary (what ``smmsim run`` prints)."""
        from smmsim.report import format_report

        return format_report(self)


def _lazy_table(name: str) -> property:
    key = f"_{name}_table"

    def get(self: Results) -> pd.DataFrame:
        value = self.__dict__[key]
        if not isinstance(value, pd.DataFrame):
            value = value()
            self.__dict__[key] = value
        return value

    def put(self: Results, value: pd.DataFrame | Callable[[], pd.DataFrame]) -> None:
        self.__dict__[key] = value

    return property(get, put)


# set after the dataclass is made, so its __init__ assigns through them
Results.runs = _lazy_table("runs")  # type: ignore[method-assign,assignment]
Results.timeseries = _lazy_table("timeseries")  # type: ignore[method-assign,assignment]


class RunWriter:
    """Writes runs as they finish, so an interrupted job keeps what it computed.

    Call it with each batch's ``(runs, timeseries)`` frames; :meth:`finish` writes the
    summary and plots. CSV files are appended batch by batch; ``summary.json`` is
    written atomically at the end.
    """

    def __init__(self, out_dir: str | Path):
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.runs_path = self.out / "runs.csv"
        self.series_path = self.out / "timeseries.csv"
        self._started = False

    def __call__(self, runs: pd.DataFrame, series: pd.DataFrame) -> None:
        mode = "a" if self._started else "w"
        runs.to_csv(self.runs_path, mode=mode, header=not self._started, index=False)
        series.to_csv(self.series_path, mode=mode, header=not self._started, index=False)
        self._started = True

    def finish(self, results: Results, *, plots: bool = True) -> list[Path]:
        """Rewrite the time series trimmed to the active steps, write the summary and plots."""
        results.timeseries.to_csv(self.series_path, index=False)
        summary = self.out / "summary.json"
        _atomic_write_text(summary, json.dumps(results.to_dict(), indent=2))
        paths = [summary, self.runs_path, self.series_path]
        if plots:
            from smmsim.plotting import write_run_plots

            paths += write_run_plots(results, self.out)
        return paths
