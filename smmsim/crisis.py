"""How fast to answer a false claim: damage and the claim's reach against the brand's
response delay.

:func:`crisis` runs a scenario that has a ``claim:`` once without the claim (the
baseline), once without any response, and once for each response delay, all on one
audience with the same runs and seed (common random numbers: run ``r`` of every variant
draws the same number for the same event). Damage at a delay is the brand's conversions
lost against the baseline, run by run; two delays are compared run by run too, so "answering
within 2 steps instead of 8 saves 340 [290, 390] conversions" is a paired difference with
its 95% interval.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Unpack

import numpy as np
import pandas as pd

from smmsim.competition.voice import mean_ci
from smmsim.results import Results
from smmsim.run_options import RunOptions, check_options, common_options
from smmsim.scenario import Scenario, ScenarioError
from smmsim.simulate import simulate

__all__ = ["DEFAULT_DELAYS", "Crisis", "crisis"]

#: Response delays (steps) of ``smmsim crisis`` when none are given.
DEFAULT_DELAYS = (0, 2, 4, 8, 16)
#: The per-run columns :attr:`Crisis.table` summarises, besides damage.
CURVE_METRICS = ("conversions", "claim_reach", "believers", "containment_step")


def _mean_ci(x: np.ndarray) -> tuple[float, float, float, int]:
    """Mean, 95% interval and count of the finite values of ``x``."""
    m = mean_ci(x)
    return m["mean"], m["ci"][0], m["ci"][1], m["n"]


@dataclass
class Crisis:
    """Damage and the claim's reach against the response delay.

    Attributes
    ----------
    delays : list of int
        The response delays run, in steps.
    baseline : Results
        The scenario without the claim (and the response).
    unanswered : Results
        The claim with no response.
    answered : dict of int to Results
        The claim answered after each delay.
    table : pandas.DataFrame
        One row per variant (``no response``, then each delay): ``delay`` (NaN for no
        response), and for damage and each of :data:`CURVE_METRICS` its mean, ``_low`` and
        ``_high`` (95% interval) and, for damage, ``damage_n`` (runs paired).
    """

    scenario: Scenario
    delays: list[int]
    baseline: Results
    unanswered: Results
    answered: dict[int, Results]
    table: pd.DataFrame = field(init=False)

    def __post_init__(self) -> None:
        rows = [self._row("no response", float("nan"), self.unanswered)]
        rows += [self._row(f"after {d}", float(d), self.answered[d]) for d in self.delays]
        self.table = pd.DataFrame(rows).set_index("variant")

    def _row(self, name: str, delay: float, res: Results) -> dict[str, Any]:
        base = self.baseline.runs["conversions"].to_numpy(float)
        runs = res.runs
        row: dict[str, Any] = {"variant": name, "delay": delay}
        m, lo, hi, n = _mean_ci(base - runs["conversions"].to_numpy(float))
        row.update(damage=m, damage_low=lo, damage_high=hi, damage_n=n)
        for metric in CURVE_METRICS:
            m, lo, hi, _ = _mean_ci(runs[metric].to_numpy(float))
            row.update({metric: m, f"{metric}_low": lo, f"{metric}_high": hi})
        cost = runs["cost"].to_numpy(float) - self.unanswered.runs["cost"].to_numpy(float)
        row["response_cost"] = float(np.mean(cost))
        return row

    def saving(self, sooner: int, later: int) -> tuple[float, float, float]:
        """Conversions saved by answering after ``sooner`` steps rather than ``later``:
        the mean of the run-by-run difference and its 95% interval."""
        a = self.answered[sooner].runs["conversions"].to_numpy(float)
        b = self.answered[later].runs["conversions"].to_numpy(float)
        m, lo, hi, _ = _mean_ci(a - b)
        return m, lo, hi

    def sentences(self) -> list[str]:
        """The curve in plain words: what answering sooner saves, what the claim costs
        unanswered, and from which delay on answering saves nothing measurable."""
        from smmsim.reporting.numbers import count_text

        t = self.table
        out = []
        unit = self.scenario.simulation.get("time_unit", "step")
        un = t.loc["no response"]
        out.append(
            f"Unanswered, the claim costs {count_text(un['damage'])} conversions "
            f"[{count_text(un['damage_low'])}, {count_text(un['damage_high'])}] and reaches "
            f"{count_text(un['claim_reach'])} users."
        )
        if len(self.delays) >= 2:
            sooner, later = min(self.delays), max(self.delays)
            m, lo, hi = self.saving(sooner, later)
            verb = "saves" if lo > 0 else "changes" if hi < 0 else "may save"
            when = "at once" if sooner == 0 else f"within {_steps(sooner, unit)}"
            out.append(
                f"Answering {when} instead of after {_steps(later, unit)} {verb} "
                f"{count_text(m)} [{count_text(lo)}, {count_text(hi)}] conversions."
            )
        useless = [
            d
            for d in self.delays
            if _mean_ci(
                self.answered[d].runs["conversions"].to_numpy(float)
                - self.unanswered.runs["conversions"].to_numpy(float)
            )[1]
            <= 0
        ]
        if useless and len(useless) < len(self.delays):
            out.append(
                f"Answering after {_steps(min(useless), unit)} or later saves no conversions "
                "measurably against not answering at all."
            )
        return out

    def report(self) -> str:
        """The table and the sentences, as the command prints them."""
        from smmsim.reporting.crisis import crisis_report

        return crisis_report(self)

    def write(self, out: str | os.PathLike) -> list[Path]:
        """Write ``crisis.csv`` and ``crisis.png`` into the folder ``out``."""
        from smmsim.outputs import make_dir
        from smmsim.plots.crisis import crisis_figure
        from smmsim.plots.runs import save

        folder = make_dir(out, "out_dir")
        paths = [folder / "crisis.csv"]
        self.table.to_csv(paths[0])
        paths.append(save(crisis_figure(self), folder / "crisis.png"))
        return paths


def _steps(d: int, unit: str = "step") -> str:
    """A delay in the scenario's unit (``simulation.time_unit``): ``2 steps``, ``1 day``."""
    return f"{d} {unit}" if d == 1 else f"{d} {unit}s"


def crisis(
    scenario: Scenario,
    delays: Sequence[int] = DEFAULT_DELAYS,
    **options: Unpack[RunOptions],
) -> Crisis:
    """Damage and the claim's reach against the response delay.

    Parameters
    ----------
    scenario : Scenario
        A scenario with a ``claim:`` (its ``response:``, if any, gives the rebuttal; its
        ``delay`` is replaced by each of ``delays``).
    delays : sequence of int
        Response delays in steps (after the claim's launch, or after its detection when
        ``response.detect`` is set).

    Other Parameters
    ----------------
    **options : RunOptions
        runs, rng, graph, threads, progress, as in :func:`smmsim.simulate`; every variant
        gets the same, on the audience built from the scenario once unless ``graph`` is
        given.

    Returns
    -------
    Crisis

    Raises
    ------
    ScenarioError
        The scenario has no claim, or a delay is negative.
    """
    from smmsim.models.competition import Competition

    check_options("crisis", options)
    src = scenario.source
    if not scenario.data.get("claim"):
        raise ScenarioError(
            src, "claim", "a crisis needs a false claim: add a claim: section to the scenario"
        )
    delays = sorted({int(d) for d in delays})
    if not delays or delays[0] < 0:
        raise ScenarioError(src, "response.delay", f"delays must be >= 0, got {delays}")
    common = common_options(scenario, options)
    model = Competition.from_scenario(scenario)
    baseline = simulate(scenario, model=model.without_claim(), **common)
    unanswered = simulate(scenario, model=Competition.from_scenario(_silent(scenario)), **common)
    answered = {}
    for d in delays:
        variant = scenario.with_overrides({"response.delay": d})
        answered[d] = simulate(variant, model=Competition.from_scenario(variant), **common)
    return Crisis(scenario, delays, baseline, unanswered, answered)


def _silent(scenario: Scenario) -> Scenario:
    """The scenario without its response."""
    from smmsim.scenario import scenario_from_dict

    data = scenario.to_dict()
    data.pop("response", None)
    return scenario_from_dict(data, source=scenario.source, base_dir=scenario.base_dir)
