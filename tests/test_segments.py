"""Per-segment tallies: recorded once by the ledger, for every model, adding up to the
run's own counts."""

from __future__ import annotations

import numpy as np
import pytest

from smmsim import simulate
from smmsim._kernels.layout import C_PENDING as C_PENDING_SHARES
from smmsim._kernels.layout import C_REACH, SEGMENT_COLUMNS, SEGMENT_OF_COUNT
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


# every model, and the variants whose events are recorded differently (bass with its ads
# in closed form, targeted or not and stopping early; bass without seeds; sir in time)
MODELS = [
    ("ewom", {}),
    ("ewom", {"content.visibility": 0.002, "seeding.k": 2}),  # runs of the seeds only
    ("ewom", {"simulation.steps": 3}),  # sharers the horizon stops before they share
    ("social_proof", {}),
    ("complex_contagion", {}),
    ("bass", {}),
    (
        "bass",
        {
            "bass.target_segments": ["parents", "students"],
            "bass.ad_start": 3,
            "bass.ad_stop": 12,
            "bass.seeded": False,
        },
    ),
    ("sir", {"sir.dt": 0.5}),
    ("ewom", {"competitor.k": 10, "competitor.strategy": "random", "competitor.launch": 2}),
    (  # a content calendar: three posts, fatigue, a post seeded in one segment
        "ewom",
        {
            "content.fatigue": 0.1,
            "posts": [
                {"at": 0},
                {"at": 4, "k": 5, "segments": ["parents"]},
                {"at": 9, "stickiness": 0.4},
            ],
        },
    ),
]


@pytest.mark.parametrize("model, extra", MODELS)
def test_every_segment_tally_adds_up_to_its_count_run_by_run(model, extra):
    sc = load_scenario(SCENARIO).with_overrides(
        {"model": model, "simulation.runs": 50, "simulation.steps": 20, **extra}
    )
    res = simulate(sc, rng=3, threads=1)
    table = res.by_segment
    assert list(table.columns[:2]) == ["run", "segment"]
    assert len(table) == 50 * 3
    runs = res.runs.set_index("run")
    for name in SEGMENT_COLUMNS:
        by_run = table.groupby("run", sort=True)[name].sum()
        np.testing.assert_array_equal(by_run.to_numpy(), runs.loc[by_run.index, name].to_numpy())
    assert (table[list(SEGMENT_COLUMNS)] >= 0).all().all()
    assert res.mean("reach") > 0 and res.mean("impressions") > 0
    if extra.get("simulation.steps") == 3:
        assert res.runs["pending_shares"].sum() > 0
    if extra.get("content.visibility") == 0.002:  # the kernel's path for the seeds alone
        assert ((res.runs["reach"] == 0) & (res.runs["shares"] > 0)).sum() > 10


def test_the_raw_segment_tallies_match_the_counts_they_break_down():
    from smmsim.audience import build_audience
    from smmsim.models import MODELS as ALL
    from smmsim.seeding import seed_sets

    sc = load_scenario(SCENARIO).with_overrides({"simulation.steps": 15})
    g = build_audience(sc)
    for name in ("ewom", "social_proof", "bass", "sir"):
        model = ALL[name].from_scenario(sc.with_overrides({"model": name}))
        sets = seed_sets(g, "random", k=4, nodes=None, root=np.uint64(5), first=0, n_reps=30)
        raw = model.run(g, sets, 0, 30, 15, np.uint64(5), threads=2)
        seg = raw.segment_counts.sum(axis=1)
        np.testing.assert_array_equal(seg, raw.counts[:, list(SEGMENT_OF_COUNT)], err_msg=name)


def test_by_segment_traced_against_the_users_record():
    """A run's per-segment engaged users, sharers and buyers are those of its trace."""
    from smmsim.audience import build_audience
    from smmsim.models import MODELS as ALL
    from smmsim.seeding import seed_sets

    sc = load_scenario(SCENARIO).with_overrides({"simulation.steps": 60})
    g = build_audience(sc)
    model = ALL["ewom"].from_scenario(sc)
    sets = seed_sets(g, "random", k=5, nodes=None, root=np.uint64(2), first=0, n_reps=10)
    raw = model.run(g, sets, 0, 10, 60, np.uint64(2), threads=1)
    checked = 0
    for r in range(10):
        if raw.counts[r, C_PENDING_SHARES]:
            continue  # a user about to share at the horizon is flagged but has not shared
        trace = model.trace(g, sets[r], 60, np.uint64(2), r)
        seg = raw.segment_counts[r]
        for flag, col in (
            ("engaged", "engaged"),
            ("shared", "shares"),
            ("converted", "conversions"),
        ):
            who = trace["node"][np.asarray(trace[flag], bool)]
            np.testing.assert_array_equal(
                np.bincount(g.segments[who], minlength=3), seg[:, SEGMENT_COLUMNS.index(col)]
            )
        checked += 1
    assert checked >= 5


def test_faces_of_the_breakdown_agree(tmp_path):
    """summary.json's by_segment, segments.csv, Results.by_segment, the report's table
    and the picture all tell the same numbers, and the report's row of all segments is
    the main table's figure."""
    import json

    import pandas as pd

    from smmsim.plots import segment_figure
    from smmsim.reporting.report import SEGMENT_TABLE, metric_text

    sc = load_scenario(SCENARIO).with_overrides({"simulation.runs": 80})
    res = simulate(sc, rng=4, threads=1)
    paths = {p.name for p in res.write(tmp_path)}
    assert {"segments.csv", "segments.png"} <= paths
    csv = pd.read_csv(tmp_path / "segments.csv")
    pd.testing.assert_frame_equal(csv, res.by_segment.astype({"segment": str}), check_dtype=False)
    by = json.loads((tmp_path / "summary.json").read_text())["by_segment"]
    assert list(by) == ["students", "young_professionals", "parents"]
    for name, t in by.items():
        rows = res.by_segment[res.by_segment["segment"] == name]
        for metric in ("reach", "conversions", "revenue"):
            assert t[metric]["mean"] == pytest.approx(rows[metric].mean(), rel=1e-12)
            assert t[metric]["ci_low"] <= t[metric]["mean"] <= t[metric]["ci_high"]
        assert t["conversion_rate"]["mean"] == pytest.approx(
            rows["conversions"].sum() / rows["reach"].sum(), rel=1e-12
        )
        assert 0 <= t["earned_share"]["ci_low"] <= t["earned_share"]["ci_high"] <= 1
    lines = res.report().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("By segment"))
    header = lines[at + 1].split()
    assert header[0] == "segment" and len(lines[at + 1]) == len(lines[at + 2])
    total = lines[at + 5].split()
    assert lines[at + 5].startswith("  all segments")
    for (key, _), cell in zip(SEGMENT_TABLE, total[2:], strict=True):
        assert cell == metric_text(res.summary, key)
    fig = segment_figure(res)
    assert len(fig.axes) == 3


def test_no_segments_no_breakdown(tmp_path):
    res = simulate(
        load_scenario("scenarios/product_launch.yaml").with_overrides(
            {"simulation.runs": 20, "audience.n": 2000}
        ),
        rng=1,
    )
    assert res.by_segment is None and "by_segment" not in res.extra
    assert "By segment" not in res.report()
    names = {p.name for p in res.write(tmp_path, plots=False)}
    assert "segments.csv" not in names


def test_many_segments_add_up_too():
    """Past 127 segments the kernels read 4-byte segment ids (1-byte ones below)."""
    sc = load_scenario(SCENARIO).with_overrides(
        {
            "audience.n": 3000,
            "audience.segments": 130,
            "audience.segment_names": None,
            "simulation.runs": 20,
            "simulation.steps": 15,
        }
    )
    res = simulate(sc, rng=2, threads=1)
    table = res.by_segment
    assert table["segment"].nunique() == 130
    runs = res.runs.set_index("run")
    for name in SEGMENT_COLUMNS:
        by_run = table.groupby("run", sort=True)[name].sum()
        np.testing.assert_array_equal(by_run.to_numpy(), runs.loc[by_run.index, name].to_numpy())


@pytest.mark.parametrize("big", [0, 2**40])
def test_segment_moments_against_exact_arithmetic(big):
    """The per-segment moments (integer sums of squares when they fit, floating point
    when a tally is too large for that) against exact rational arithmetic."""
    from fractions import Fraction

    from smmsim._kernels.segment_stats import segment_moments

    rng = np.random.default_rng(4)
    n, n_seg, n_col = 3_001, 3, len(SEGMENT_COLUMNS)
    # laid out as the ledger's run table: column-major, each tally contiguous
    x = np.zeros((n_seg * n_col, n), dtype=np.int64).T.reshape(n, n_seg, n_col)
    x[:] = rng.poisson(2.0, x.shape)
    x[:, 1, 2] = 7  # a constant tally
    x[:, :, 0] += big  # large counts around a large value
    num, den = np.array([5, 2]), np.array([1, 1])
    for bound in (None, x.max(axis=(0, 1))):
        sums, m2, cross = segment_moments(x, num, den, bound)
        for s in range(n_seg):
            cols = [[int(v) for v in x[:, s, k]] for k in range(n_col)]
            for k, col in enumerate(cols):
                assert sums[s, k] == sum(col)
                exact = sum(v * v for v in col) - Fraction(sum(col) ** 2, n)
                assert m2[s, k] == pytest.approx(float(exact), rel=1e-12, abs=1e-6)
            for i, (a, b) in enumerate(zip(num, den, strict=True)):
                exact = sum(p * q for p, q in zip(cols[a], cols[b], strict=True)) - Fraction(
                    sum(cols[a]) * sum(cols[b]), n
                )
                assert cross[s, i] == pytest.approx(float(exact), rel=1e-12, abs=1e-6)
