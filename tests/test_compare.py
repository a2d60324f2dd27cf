"""A/B comparison with common random numbers: ``smmsim.compare`` and ``smmsim compare``."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from smmsim.audience import build_audience
from smmsim.compare import CompareError, compare
from smmsim.scenario import default_scenario
from smmsim.simulate import simulate
from tests.cli_helpers import assert_clean_error, invoke

SMALL = {"audience.n": 800, "simulation.runs": 120, "simulation.rng_seed": 11}


def small(**overrides):
    return default_scenario().with_overrides({**SMALL, **overrides})


def test_a_scenario_compared_with_itself_differs_by_exactly_zero():
    a = small()
    comp = compare([a, a], names=["A", "B"])
    b_rows = comp.table.xs("B", level="variant")
    defined = b_rows["n"] > 0
    assert (b_rows.loc[defined, "diff"] == 0).all()
    assert (b_rows.loc[defined, "diff_ci_low"] == 0).all()
    assert (b_rows.loc[defined, "diff_ci_high"] == 0).all()
    assert (b_rows.loc[defined, "p_beats"] == 0).all()
    assert (b_rows.loc[defined, "p_ties"] == 1).all()
    assert comp.results[0].runs.equals(comp.results[1].runs)


def test_variants_are_paired_run_by_run_with_common_random_numbers():
    """Each variant's runs are those of simulate() with the same seed on the same
    audience; the table's difference and share of wins are those of the per-run columns."""
    a, b = small(), small(**{"content.stickiness": 0.12})
    comp = compare([a, b], names=["A", "B"])
    g = build_audience(a)
    alone = simulate(b, graph=g, rng=11)
    assert alone.runs.equals(comp.results[1].runs)
    for metric in ("reach", "conversions", "shares"):
        da = comp.results[0].runs[metric].to_numpy(float)
        db = comp.results[1].runs[metric].to_numpy(float)
        row = comp.table.loc[(metric, "B")]
        assert row["diff"] == pytest.approx((db - da).mean())
        assert row["p_beats"] == pytest.approx((db > da).mean())
        assert row["p_ties"] == pytest.approx((db == da).mean())
        half = 1.959963984540054 * (db - da).std(ddof=1) / np.sqrt(len(da))
        assert row["diff_ci_high"] - row["diff"] == pytest.approx(half)


def test_a_change_after_the_cascade_leaves_the_cascade_alone_run_by_run():
    """Common random numbers: a higher conversion rate draws the same numbers in the same
    cascades, so every run reaches the same users and converts at least as many."""
    a, b = small(), small(**{"funnel.conversion": 0.2})
    comp = compare([a, b], names=["A", "B"], runs=300)
    ra, rb = (r.runs for r in comp.results)
    for metric in ("reach", "shares", "engaged", "impressions"):
        assert (ra[metric] == rb[metric]).all()
        assert comp.table.loc[(metric, "B"), "diff"] == 0
    assert (rb["conversions"] >= ra["conversions"]).all()
    assert comp.table.loc[("conversions", "B"), "diff_ci_low"] > 0


def test_lower_cost_is_the_better_one():
    a = small(**{"economics.cost_per_seed": 100.0})
    b = small(**{"economics.cost_per_seed": 50.0})
    comp = compare([a, b], names=["A", "B"])
    assert comp.table.loc[("cost", "B"), "p_beats"] == 1.0
    assert "Cost (lower is better)" in comp.report()


def test_different_audiences_cannot_be_compared():
    with pytest.raises(CompareError, match=r"B: audience\.n is 900 where A has 800"):
        compare([small(), small(**{"audience.n": 900})], names=["A", "B"])
    with pytest.raises(CompareError, match="at least two"):
        compare([small()])


def _write(path, scenario):
    path.write_text(yaml.safe_dump(scenario.data, sort_keys=False))
    return path


def test_cli_compare_prints_and_writes(tmp_path):
    a = _write(tmp_path / "base.yaml", small())
    b = _write(tmp_path / "stickier.yaml", small(**{"content.stickiness": 0.2}))
    out = tmp_path / "out"
    result = invoke("compare", a, b, "--runs", 60, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Baseline: base." in result.output
    assert "stickier" in result.output and "better in" in result.output
    for name in ("compare.csv", "runs_base.csv", "runs_stickier.csv", "compare.png"):
        assert (out / name).stat().st_size > 0
    import pandas as pd

    table = pd.read_csv(out / "compare.csv")
    assert set(table["variant"]) == {"base", "stickier"}
    assert len(pd.read_csv(out / "runs_base.csv")) == 60


def test_cli_compare_mistakes_are_one_line(tmp_path):
    a = _write(tmp_path / "a.yaml", small())
    other = _write(tmp_path / "b.yaml", small(**{"audience.n": 900}))
    assert_clean_error(invoke("compare", a), "at least two")
    assert_clean_error(invoke("compare", a, other), "audience.n")
    assert_clean_error(invoke("compare", a, tmp_path / "missing.yaml"), "missing.yaml")


def test_paired_differences_of_two_results():
    from smmsim.compare import paired_differences

    a, b = small(), small(**{"economics.cost_per_seed": 20.0})
    ra, rb = simulate(a, rng=3), simulate(b, rng=3)
    table = paired_differences(ra, rb)
    assert table.loc["cost", "diff_mean"] == pytest.approx(rb.mean("cost") - ra.mean("cost"))
    assert table.loc["cost", "a_higher"] == 1.0 and table.loc["cost", "b_higher"] == 0.0
    assert table.loc["reach", "diff_mean"] == 0.0  # the price changes no cascade
    same = paired_differences(ra, ra)
    assert (same["diff_mean"].dropna() == 0).all()
    with pytest.raises(ValueError, match="same runs and seed"):
        paired_differences(ra, simulate(a, rng=4))
