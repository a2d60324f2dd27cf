"""Build a scenario's audience: a generator call or an edge-list file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from smmsim.generator_registry import GENERATORS
from smmsim.rng import RandomLike, root_key, scenario_seed

if TYPE_CHECKING:
    from smmsim.graph import CSRGraph
    from smmsim.scenario import Scenario

__all__ = [
    "audience_seed",
    "build_audience",
    "run_inputs",
    "segmented",
    "users_without_ties",
    "with_user_attributes",
]

AUDIENCE_STREAM = 0xA0D1E5CE  # keys the audience's randomness apart from the cascades'


def audience_seed(scenario: Scenario) -> int:
    """Seed of the audience generator: ``audience.rng_seed`` or one derived from
    ``simulation.rng_seed`` (fresh entropy when both are null)."""
    a = scenario.audience
    if a.get("rng_seed") is not None:
        return int(a["rng_seed"])
    return int(root_key(scenario_seed(scenario), AUDIENCE_STREAM))


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
        graph = gen.build(a, None, scenario.audience_path())
    else:
        graph = gen.build(a, audience_seed(scenario), None)
    return segmented(scenario, with_user_attributes(scenario, graph))


def run_inputs(
    scenario: Scenario, graph: CSRGraph | None = None, rng: RandomLike = None
) -> tuple[CSRGraph, int]:
    """The audience and the integer seed of a run of ``scenario``, as the public functions
    that take ``graph`` and ``rng`` resolve them: ``graph``, or the audience built from
    ``scenario`` (:func:`build_audience`); and :func:`~smmsim.rng.scenario_seed` of ``rng``."""
    seed = scenario_seed(scenario, rng)
    return (build_audience(scenario) if graph is None else graph), seed


def with_user_attributes(scenario: Scenario, graph: CSRGraph) -> CSRGraph:
    """``graph`` with the users' attributes the scenario gives: read from
    ``audience.attributes`` and drawn from ``audience.draw`` (with the audience's seed,
    so the same seed draws the same attributes); a generator's segments are attribute
    ``segment``.

    Raises
    ------
    smmsim.errors.AttributeTableError
        The table cannot be joined to the audience (a one-line message with the line).
    smmsim.scenario.ScenarioError
        An attribute is given twice.
    """
    from smmsim.attributes import draw_attributes, read_attribute_table, with_attributes
    from smmsim.scenario.errors import ScenarioError, _as_scenario_error

    a = scenario.data["audience"]
    extra = {}
    if a.get("attributes") is not None:
        extra.update(read_attribute_table(a["attributes"], graph))
    if a.get("draw"):
        drawn = draw_attributes(graph.n, a["draw"], audience_seed(scenario))
        for name in drawn:
            if name in extra:
                raise ScenarioError(
                    scenario._source_text,
                    f"audience.draw.{name}",
                    f"attribute {name!r} is also a column of audience.attributes; rename one",
                )
        extra.update(drawn)
    if not extra and graph.segments is None:
        return graph
    return _as_scenario_error(
        lambda: with_attributes(graph, extra, "audience.draw" if a.get("draw") else "audience"),
        scenario._source_text,
    )


def segmented(scenario: Scenario, graph: CSRGraph) -> CSRGraph:
    """``graph`` with the segments of the scenario's ``segments:`` section (as is
    without one); see :func:`smmsim.segments.apply_segments`."""
    from smmsim.scenario.errors import _as_scenario_error
    from smmsim.segments import apply_segments

    spec = scenario.data.get("segments")
    if not spec:
        return graph
    return _as_scenario_error(lambda: apply_segments(graph, spec), scenario._source_text)


def users_without_ties(scenario: Scenario) -> CSRGraph:
    """The users of a generated audience with their attributes and segments, but no
    ties: what ``smmsim validate`` checks the attribute table, ``segments:`` and
    ``target:`` against without generating the graph (and without the compiler).

    An ``sbm`` audience's users fall into its contiguous segments, as the generator
    puts them.
    """
    import numpy as np

    from smmsim.generator_registry import _segment_sizes
    from smmsim.graph import CSRGraph

    a = scenario.data["audience"]
    n = int(a["n"])
    segments = names = None
    if a["generator"] == "sbm":
        sizes = [size for size, count in _segment_sizes(n, a["segments"]) for _ in range(count)]
        segments = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
        names = tuple(a.get("segment_names") or (str(i) for i in range(len(sizes))))
    graph = CSRGraph(
        np.zeros(n + 1, dtype=np.int64),
        np.empty(0, dtype=np.int32),
        segments=segments,
        segment_names=names,
        name="users without ties",
    )
    return segmented(scenario, with_user_attributes(scenario, graph))
