"""The audience cache: each process builds an audience once and keeps the last few.

A worker running many tasks on the same audience builds it once. The cache is keyed
by the resolved ``audience`` section and its seed (an edge list by its file), so two
variants that differ only outside the audience share one graph.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from smmsim.audience import audience_seed, build_audience
from smmsim.generator_registry import GENERATORS
from smmsim.sweep._common import canonical

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph
    from smmsim.scenario import Scenario

__all__ = ["CACHE_SIZE", "audience_cache_info", "audience_key", "cached_audience"]

CACHE_SIZE = 4  # audiences kept per process

_CACHE: OrderedDict[str, Any] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_STATS = {"builds": 0, "hits": 0, "build_s": 0.0}


def audience_key(scenario: Scenario) -> str:
    """What identifies the scenario's audience: equal keys, the same graph."""
    a = scenario.audience
    # the segments: section regroups the users, so it is part of the audience built
    grouped = {"segments": scenario.data["segments"]} if scenario.data.get("segments") else {}
    if GENERATORS[a["generator"]].reads_file:
        return canonical({"audience": a, "path": str(scenario.audience_path()), **grouped})
    return canonical({"audience": a, "seed": audience_seed(scenario), **grouped})


def cached_audience(scenario: Scenario) -> CSRGraph:
    """The scenario's audience from this process's cache, built on first use."""
    key = audience_key(scenario)
    with _CACHE_LOCK:
        graph = _CACHE.get(key)
        if graph is not None:
            _CACHE.move_to_end(key)
            _CACHE_STATS["hits"] += 1
            return graph
        t0 = time.perf_counter()
        graph = build_audience(scenario)
        _CACHE_STATS["build_s"] += time.perf_counter() - t0
        _CACHE_STATS["builds"] += 1
        _CACHE[key] = graph
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
        return graph


def audience_cache_info(clear: bool = False) -> dict[str, Any]:
    """This process's audience cache: ``builds``, ``hits``, ``build_s`` and ``size``.

    On a cluster, ``client.run(audience_cache_info)`` gives it for every worker.
    ``clear=True`` empties the cache and resets the counters.
    """
    with _CACHE_LOCK:
        info = {**_CACHE_STATS, "size": len(_CACHE)}
        if clear:
            _CACHE.clear()
            _CACHE_STATS.update(builds=0, hits=0, build_s=0.0)
    return info
