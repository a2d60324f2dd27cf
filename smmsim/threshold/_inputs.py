"""Inputs of a threshold request: the parameters, constants, argument checks and
small helpers that the other modules share."""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping

import numpy as np

from smmsim.errors import UserError
from smmsim.graph import CSRGraph
from smmsim.models.base import COUNT_COLUMNS
from smmsim.scenario import GENERATOR_SCHEMA, SCHEMA, Scenario, ScenarioError, default_scenario

#: Parameters whose product is the transmissibility ``T``.
CONTENT_PARAMS = ("content.stickiness", "content.contagion", "content.visibility")
#: Every parameter a threshold can be found for.
PARAMS = (*CONTENT_PARAMS, "seeding.k")

_SHARES = COUNT_COLUMNS.index("shares")
_PENDING = COUNT_COLUMNS.index("pending_shares")
_REACH = COUNT_COLUMNS.index("reach")
_SEEDS = COUNT_COLUMNS.index("seeds")

_Z95 = 1.959964
#: Largest ``runs x steps`` of one kernel call (its per-step series is int64 x 5).
_MAX_CELLS = 1_000_000
#: Stream keys that keep the search, the scan and the seed-count runs apart.
_SEARCH_STREAM = 0x5EA6C4
_SCAN_STREAM = 0x5CA9
_SEEDS_STREAM = 0x5EED5


class ThresholdError(UserError):
    """A threshold request cannot be answered as asked (one line)."""

    #: Its public home: tracebacks read ``smmsim.threshold.ThresholdError``.
    __module__ = "smmsim.threshold"


def _resolve(
    audience, scenario: Scenario | None, graph: CSRGraph | None, param: str, *, seeds: bool = True
) -> tuple[Scenario, CSRGraph, str]:
    """``(scenario, audience graph, checked param)`` from a Scenario or a CSRGraph argument.

    With a Scenario the graph is ``graph``, or built from it once ``param`` has been
    checked; with a CSRGraph the scenario is ``scenario`` (default: the built-in one).
    ``seeds=False`` refuses ``seeding.k`` (before any audience is built).
    """
    if isinstance(audience, Scenario):
        sc, g = audience, graph
    elif isinstance(audience, CSRGraph):
        sc, g = (default_scenario() if scenario is None else scenario), audience
    else:
        raise TypeError(f"audience must be a Scenario or a CSRGraph, got {type(audience).__name__}")
    model = sc.data.get("model", "ewom")
    if model != "ewom":
        raise ThresholdError(
            f"model: the threshold search is the percolation analysis of model ewom, but "
            f"this scenario uses model {model}; its own theory is in `smmsim run` (the "
            f"verdict line) and in results.theory"
        )
    param = _check_param(sc, param)
    if not seeds and param == "seeding.k":
        raise ThresholdError("seeding.k: use empirical_threshold for seed counts")
    if g is None:
        from smmsim.audience import build_audience

        g = build_audience(sc)
    return sc, g, param


def _check_param(scenario: Scenario, param: str) -> str:
    """Validate ``param``: a known dotted key, and one the threshold is defined for."""
    if not isinstance(param, str):
        raise ScenarioError(scenario.source, None, f"param must be a dotted key, got {param!r}")
    if param == "transmissibility":
        return param
    scenario.get(param)  # unknown keys: ScenarioError listing the valid ones
    if param in PARAMS:
        if param == "seeding.k" and scenario.seeding["strategy"] == "nodes":
            raise ScenarioError(
                scenario.source,
                param,
                "is fixed by seeding.nodes; use seeding.strategy random or top_degree "
                "to scan the number of seeds",
            )
        return param
    section, _, key = param.partition(".")
    spec = None
    if section == "audience":
        spec = GENERATOR_SCHEMA.get(scenario.audience["generator"], {}).get(key)
    if spec is None and isinstance(SCHEMA.get(section), dict):
        spec = SCHEMA[section].get(key)
    elif spec is None:
        spec = SCHEMA.get(section)
    allowed = ", ".join(PARAMS)
    if spec is not None and spec.is_probability:
        problem = (
            "is a probability but does not change how content spreads; "
            f"a virality threshold exists for {allowed}"
        )
    else:
        kind = spec.phrase() if spec is not None else "a section"
        problem = f"is not a probability ({kind}); a virality threshold exists for {allowed}"
    raise ScenarioError(scenario.source, param, problem)


def _content(scenario: Scenario) -> dict[str, float]:
    c = scenario.content
    return {k: float(c[k]) for k in ("visibility", "stickiness", "contagion")}


def _other_factor(content: Mapping[str, float], param: str) -> float:
    """Product of the two factors of ``T`` that ``param`` leaves fixed."""
    if param == "transmissibility":
        return 1.0
    name = param.split(".", 1)[1]
    return math.prod(v for k, v in content.items() if k != name)


def _current(content: Mapping[str, float], param: str, scenario: Scenario) -> float:
    if param == "transmissibility":
        return content["visibility"] * content["stickiness"] * content["contagion"]
    if param == "seeding.k":
        return float(scenario.seeding["k"])
    return content[param.split(".", 1)[1]]


def _label(param: str) -> str:
    return param.split(".")[-1]


def _check_bounds(param: str, bounds) -> tuple[float, float]:
    if bounds is None:
        return 0.0, 1.0
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ThresholdError(
            f"{param}: range must be two numbers LOW HIGH, got {bounds!r}"
        ) from None
    if param == "seeding.k":
        if not (1 <= lo < hi and lo == int(lo) and hi == int(hi)):
            raise ThresholdError(
                f"seeding.k: range must be two integers 1 <= LOW < HIGH, got {lo:g} {hi:g}"
            )
        return lo, hi
    if not (0 <= lo < hi <= 1):
        raise ThresholdError(
            f"{param}: range must be two probabilities 0 <= LOW < HIGH <= 1, got {lo:g} {hi:g}"
        )
    return lo, hi


def _plain(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _fmt(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:.3g}"


#: Per-audience arrays that are costly to recompute (degree pairs, arc keys).
_MEMO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _memo(graph: CSRGraph, key: str, make):
    store = _MEMO.setdefault(graph, {})
    if key not in store:
        store[key] = make()
    return store[key]
