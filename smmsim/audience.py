"""Build a scenario's audience: a generator call or an edge-list file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smmsim.generator_registry import GENERATORS
from smmsim.rng import resolve_seed, root_key

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph
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

    The generator's entry in :data:`smmsim.generator_registry.GENERATORS` builds it:
    from :func:`audience_seed` for a generated audience, from the resolved file for
    an edge list.

    Raises
    ------
    smmsim.io.EdgeListError
        The edge-list file is missing or malformed.
    """
    a = scenario.audience
    gen = GENERATORS.get(a["generator"])
    if gen is None:
        raise ValueError(f"unknown audience generator {a['generator']!r}")
    if gen.reads_file:
        return gen.build(a, None, scenario.audience_path())
    return gen.build(a, audience_seed(scenario), None)
