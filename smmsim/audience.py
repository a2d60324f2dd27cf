"""Build a scenario's audience: a generator call or an edge-list file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smmsim import generators
from smmsim.graph import CSRGraph
from smmsim.rng import resolve_seed, root_key

if TYPE_CHECKING:
    from smmsim.scenario import Scenario

__all__ = ["audience_seed", "build_audience"]

AUDIENCE_STREAM = 0xA0D1E5CE  # keys the audience's randomness apart from the cascades'


def audience_seed(scenario: Scenario) -> int:
    """Seed of the audience generator: ``audience.rng_seed`` or one derived from
    ``simulation.rng_seed`` (fresh entropy when both are null)."""
    a = scenario.audience
    if a.get("rng_seed") is not None:
        return int(a["rng_seed"])
    base = scenario.simulation["rng_seed"]
    return int(root_key(resolve_seed(base), AUDIENCE_STREAM))


def build_audience(scenario: Scenario) -> CSRGraph:
    """Generate or load the audience described by ``scenario.audience``.

    Raises
    ------
    smmsim.io.EdgeListError
        The edge-list file is missing or malformed.
    """
    a = scenario.audience
    gen = a["generator"]
    if gen == "edgelist":
        from smmsim.io import read_edgelist

        return read_edgelist(
            scenario.audience_path(),
            directed=a["directed"],
            weighted=a.get("weighted"),
            labels=a.get("labels", "int"),
        )
    rng = audience_seed(scenario)
    if gen == "erdos_renyi":
        return generators.erdos_renyi(a["n"], a["mean_degree"], directed=a["directed"], rng=rng)
    if gen == "barabasi_albert":
        return generators.barabasi_albert(a["n"], a["m"], rng=rng)
    if gen == "powerlaw":
        return generators.powerlaw(
            a["n"], a["exponent"], a["min_degree"], a.get("max_degree"), rng=rng
        )
    if gen == "watts_strogatz":
        return generators.watts_strogatz(a["n"], a["mean_degree"], a["rewire"], rng=rng)
    if gen == "sbm":
        return generators.sbm(
            a["n"],
            a["segments"],
            a["mean_degree"],
            a["homophily"],
            segment_names=a.get("segment_names"),
            rng=rng,
        )
    raise ValueError(f"unknown audience generator {gen!r}")
