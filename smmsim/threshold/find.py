"""Both thresholds, the scan, the structure notes and the verdict: :func:`find_threshold`."""

from __future__ import annotations

import math
from typing import Any, Unpack

import numpy as np
import pandas as pd

from smmsim.run_options import RunOptions, check_options
from smmsim.scenario import Scenario
from smmsim.threshold._inputs import ThresholdError, _check_bounds, _check_param
from smmsim.threshold._search import _window
from smmsim.threshold.analytic import analytic_threshold
from smmsim.threshold.empirical import empirical_threshold
from smmsim.threshold.result import AnalyticThreshold, EmpiricalThreshold, ThresholdResult
from smmsim.threshold.scan import _scan_values, threshold_scan
from smmsim.threshold.structure import _structure

#: The run options :func:`find_threshold` takes (``scan_runs`` sets the runs; no progress bar).
_TAKES = ("rng", "graph", "threads")


def _notes(r_an: AnalyticThreshold, emp: EmpiricalThreshold | None, structure, param, g) -> list:
    notes = []
    C, C0 = structure.get("clustering"), structure.get("clustering_random")
    mp = structure.get("message_passing_critical_transmissibility")
    Tc = r_an.critical_transmissibility
    Te = emp.critical_transmissibility if emp is not None else None
    if Te is not None and math.isfinite(Tc) and Tc > 0:
        off = Te / Tc - 1
        inside = emp.t_ci_low is not None and emp.t_ci_high is not None
        inside = inside and emp.t_ci_low <= Tc <= emp.t_ci_high
        if inside or abs(off) <= 0.05:
            notes.append(
                f"Theory and simulation agree within {abs(off):.1%}: the audience behaves "
                "like a random network with its degree sequence."
            )
        else:
            why = []
            if C is not None and C > max(0.05, 3 * C0):
                why.append(
                    f"it is clustered (clustering {C:.2f} against {C0:.4f} in a random "
                    "audience with these degrees): friends of a sharer are often friends of "
                    "each other, so many impressions are repeats and each sharer recruits "
                    "fewer new sharers than theory counts, which raises the threshold"
                )
            if mp is not None and abs(mp / Tc - 1) > 0.05:
                why.append(
                    f"who is tied to whom matters (segments or degree correlations): "
                    f"message-passing theory, which knows the actual ties but not short "
                    f"loops, puts T_c at {mp:.3g} ({mp / Tc - 1:+.0%}, "
                    f"{'lower' if mp < Tc else 'higher'} than the degrees alone say)"
                )
            window = _window(g, Tc)
            if window > 0.03:
                why.append(
                    f"the audience is small for its hubs ({g.n:,} users), so the onset of "
                    f"large cascades is blurred over a range of about {window:.0%}"
                )
            text = f"The simulated threshold is {off:+.0%} from the configuration-model value"
            text += ": " + "; ".join(why) + "." if why else "."
            notes.append(text)
    return notes


def find_threshold(
    scenario: Scenario,
    param: str = "content.stickiness",
    *,
    bounds: tuple[float, float] | None = None,
    empirical: bool = True,
    scan: bool = True,
    scan_runs: int = 200,
    precision: float = 0.02,
    max_runs: int = 1_000_000,
    max_seconds: float = 30.0,
    target: float = 0.5,
    **options: Unpack[RunOptions],
) -> ThresholdResult:
    """Analytic and simulated threshold of ``param``, a scan, and a verdict.

    Parameters
    ----------
    scenario : Scenario
    param : str
        ``"content.stickiness"`` (default), ``"content.contagion"``,
        ``"content.visibility"`` or ``"seeding.k"``.
    bounds : (float, float), optional
        Range of ``param`` that must bracket the threshold; also the scan's range.
    empirical, scan : bool
        Whether to simulate the threshold, and the scan of ``p_large`` and reach.
    scan_runs : int
        Cascades per scanned value (and per seed count for ``seeding.k``).
    precision, max_runs, max_seconds, target
        See :func:`empirical_threshold`.

    Other Parameters
    ----------------
    **options : RunOptions
        rng, graph, threads, as in :func:`smmsim.simulate`: one audience and seed for both
        thresholds, the scan and the structure notes (``scan_runs`` sets the runs).

    Returns
    -------
    ThresholdResult
        Both thresholds (the simulated one if ``empirical``), the scan if ``scan``,
        the audience's structure and notes in plain words.

    Examples
    --------
    >>> import smmsim
    >>> from smmsim.threshold import find_threshold
    >>> sc = smmsim.default_scenario().with_overrides({"audience.n": 2000})
    >>> res = find_threshold(sc, "content.stickiness", empirical=False, scan=False)
    >>> res.to_dict()["analytic"] > 0
    True
    """
    check_options("find_threshold", options, _TAKES)
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario, got {type(scenario).__name__}")
    param = _check_param(scenario, param)
    lo, hi = _check_bounds(param, bounds)
    from smmsim.audience import run_inputs

    threads = options.get("threads")
    graph, seed = run_inputs(scenario, options.get("graph"), options.get("rng"))
    an = analytic_threshold(scenario, param, graph=graph, target=target)
    emp = None
    if empirical:
        emp = empirical_threshold(
            scenario,
            param,
            graph=graph,
            bounds=bounds,
            precision=precision,
            max_runs=max_runs,
            max_seconds=max_seconds,
            target=target,
            runs=scan_runs,
            rng=seed,
            threads=threads,
        )
    elif bounds is not None and param != "seeding.k" and an.critical is not None:
        if not lo <= an.critical <= hi:
            raise ThresholdError(
                f"{param}: range [{lo:g}, {hi:g}] does not bracket the analytic "
                f"virality threshold {an.critical:.3g}"
            )
    if param == "seeding.k":
        table = emp.points.drop(columns="used_in_fit") if emp is not None else pd.DataFrame()
        if not table.empty:
            p = an.p_large
            table["theory_p_large"] = 1 - (1 - p) ** table["value"]
        structure: dict[str, Any] = {}
        notes: list[str] = []
        if an.viral and scenario.content["half_life"] is not None:
            notes.append(
                "Novelty decay lowers T after launch, so the simulation may need more seeds "
                "than theory, which assumes the launch appeal lasts."
            )
        if scenario.seeding["strategy"] != "random":
            notes.append(
                f"Theory counts random seeds; the simulation seeds as the scenario does "
                f"({scenario.seeding['strategy']})."
            )
        notes.append(
            "Theory treats the audience as a random network with its degree sequence; "
            "clustering and segments change how many seeds a viral start takes (see "
            "the threshold of content.stickiness for how far theory is off here)."
        )
    else:
        structure = _structure(graph, seed)
        notes = _notes(an, emp, structure, param, graph)
        center = an.critical if an.critical is not None else an.current
        if emp is not None and emp.value is not None:
            center = emp.value
        table = pd.DataFrame()
        if scan:
            if bounds is not None:
                values = np.linspace(max(lo, hi / 20), hi, 11)
            else:
                top = math.inf if param == "transmissibility" else 1.0
                values = _scan_values(center, an.current, lo, top)
            table = threshold_scan(
                scenario,
                param,
                values,
                graph=graph,
                runs=scan_runs,
                rng=seed,
                threads=threads,
            )
        if scenario.content["half_life"] is not None:
            notes.append(
                "The threshold is for content without novelty decay (T at launch); this "
                "scenario's decay lowers T over time, so it needs more than this to spread."
            )
    stats = graph.degree_stats()
    audience = {"name": graph.name, **stats.as_dict()}
    return ThresholdResult(
        param=param,
        scenario=scenario.name,
        audience=audience,
        analytic=an,
        empirical=emp,
        scan=table,
        structure=structure,
        notes=tuple(notes),
    )
