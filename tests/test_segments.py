"""Per-segment tallies: recorded once by the ledger, for every model, adding up to the
run's own counts."""

from __future__ import annotations

import numpy as np
import pytest

from smmsim import simulate
from smmsim._kernels.layout import C_REACH, SEGMENT_COLUMNS
from smmsim.scenario import load_scenario

SCENARIO = "scenarios/segmented_audience.yaml"


@pytest.mark.parametrize(
    "model, extra",
    [
        ("ewom", {}),
        ("social_proof", {}),
        ("complex_contagion", {}),
        ("bass", {}),
        ("sir", {"sir.dt": 0.5}),
    ],
)
def test_per_segment_reach_adds_up_to_reach_in_every_run(model, extra):
    sc = load_scenario(SCENARIO).with_overrides(
        {"model": model, "simulation.runs": 60, "simulation.steps": 30, **extra}
    )
    res = simulate(sc, rng=7, threads=1)
    assert "reach" in SEGMENT_COLUMNS
    segments = res.extra["segments"]
    # every user is in one segment: the segments' reach adds up to the run's reach
    total = sum(t["reach"]["mean"] for t in segments.values())
    assert total == pytest.approx(res.mean("reach"), rel=1e-12, abs=1e-12)
    assert len(segments) == len(set(segments))
    assert res.mean("reach") > 0


def test_per_segment_reach_run_by_run():
    from smmsim.audience import build_audience
    from smmsim.models import MODELS
    from smmsim.seeding import seed_sets

    sc = load_scenario(SCENARIO).with_overrides({"simulation.steps": 25})
    g = build_audience(sc)
    model = MODELS["ewom"].from_scenario(sc)
    sets = seed_sets(g, "random", k=3, nodes=None, root=np.uint64(11), first=0, n_reps=40)
    raw = model.run(g, sets, 0, 40, 25, np.uint64(11), threads=2)
    seg = raw.segment_counts[:, :, SEGMENT_COLUMNS.index("reach")]
    np.testing.assert_array_equal(seg.sum(axis=1), raw.counts[:, C_REACH])
    # and the same users' reach, counted by segment by hand from a traced run
    trace = model.trace(g, sets[5], 25, np.uint64(11), 5)
    reached = trace["node"][~trace["seed"]]  # a seed is not reached by its own post
    assert reached.size == raw.counts[5, C_REACH]
    np.testing.assert_array_equal(np.bincount(g.segments[reached], minlength=seg.shape[1]), seg[5])
