"""Campaign goals: probabilities from the runs, shortfalls, lift over a baseline, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from smmsim.goals import values_by
from smmsim.metrics import wilson_interval
from smmsim.scenario import ScenarioError, default_scenario, load_scenario
from smmsim.simulate import simulate
from tests.cli_helpers import assert_clean_error, invoke

BASE = {"audience.n": 2000, "simulation.runs": 300, "simulation.steps": 30}


def scenario(goals, **overrides):
    return default_scenario().with_overrides({**BASE, **overrides, "goals": goals})


def test_values_by_a_step_are_the_series_summed_through_it():
    res = simulate(scenario(None), runs=200, rng=3)
    dense = res.series.dense  # (runs, steps, series columns)
    for by in (0, 4, 12, 29, 40):
        got = values_by(res, "conversions", by)
        want = dense[:, : by + 1, 4].sum(axis=1)
        assert np.array_equal(got, want)
    assert np.array_equal(values_by(res, "reach", None), res.runs["reach"].to_numpy(float))


def test_goal_probability_and_shortfall_come_from_the_runs():
    goals = [
        {"metric": "conversions", "at_least": 12, "by": 15},
        {"metric": "reach", "at_least": 150},
        {"metric": "cost", "at_most": 400},
    ]
    res = simulate(scenario(goals), rng=5)
    got = res.extra["goals"]
    conv = res.series.dense[:, :16, 4].sum(axis=1)
    reach = res.runs["reach"].to_numpy(float)
    for g, values, target in ((got[0], conv, 12), (got[1], reach, 150)):
        met = values >= target
        assert g["probability"] == pytest.approx(met.mean())
        assert (g["ci_low"], g["ci_high"]) == pytest.approx(wilson_interval(met.mean(), len(met)))
        short = np.maximum(target - values, 0)
        assert g["expected_shortfall"] == pytest.approx(short.mean())
        assert g["shortfall_when_missed"] == pytest.approx(short[~met].mean())
        assert g["mean"] == pytest.approx(values.mean())
    cost = res.runs["cost"].to_numpy(float)
    assert got[2]["probability"] == pytest.approx((cost <= 400).mean())
    assert "Goals (share of runs that meet each" in res.report()
    assert "conversions >= 12 by step 15: met in" in res.report()


def test_a_lift_over_itself_is_zero_and_counts_runs_that_grew(tmp_path):
    base = default_scenario().with_overrides(BASE)
    path = tmp_path / "current.yaml"
    path.write_text(yaml.safe_dump(base.data, sort_keys=False))
    same = load_scenario(path).with_overrides(
        {"goals": [{"metric": "conversions", "lift": 0.0, "by": 20, "baseline": str(path)}]}
    )
    g = simulate(same, rng=9).extra["goals"][0]
    assert g["lift"] == 0.0 and g["lift_ci_low"] == 0.0 and g["lift_ci_high"] == 0.0
    res = simulate(base, rng=9)
    conv = res.series.dense[:, :21, 4].sum(axis=1)
    assert g["probability"] == pytest.approx((conv > 0).mean())  # zero never meets a lift


def test_a_lift_goal_runs_its_baseline_with_common_random_numbers(tmp_path):
    """A better conversion rate: the same cascades (common random numbers), so every run
    converts at least as many, and the lift of the means is the runs' own."""
    base = default_scenario().with_overrides(BASE)
    path = tmp_path / "current.yaml"
    path.write_text(yaml.safe_dump(base.data, sort_keys=False))
    goal = {"metric": "conversions", "lift": 0.5, "baseline": "current.yaml"}
    new = dict(base.data, goals=[goal])
    new["funnel"] = dict(new["funnel"], conversion=0.1)
    new_path = tmp_path / "better.yaml"
    new_path.write_text(yaml.safe_dump(new, sort_keys=False))
    res = simulate(load_scenario(new_path), rng=4)
    g = res.extra["goals"][0]
    old = simulate(base, rng=4, graph=None).runs["conversions"].to_numpy(float)
    now = res.runs["conversions"].to_numpy(float)
    assert (now >= old).all()
    assert g["lift"] == pytest.approx(now.mean() / old.mean() - 1)
    assert g["probability"] == pytest.approx(((now >= 1.5 * old) & (now > 0)).mean())
    assert g["lift_ci_low"] < g["lift"] < g["lift_ci_high"]
    summary = res.to_dict()
    assert json.loads(json.dumps(summary))["goals"][0]["metric"] == "conversions"


@pytest.mark.parametrize(
    ("goals", "needle"),
    [
        ([{"metric": "conversion", "at_least": 3}], "did you mean 'conversions'"),
        ([{"metric": "reach", "at_least": 3, "at_most": 9}], "exactly one of"),
        ([{"metric": "reach"}], "exactly one of"),
        ([{"metric": "reach", "lift": 0.1}], "needs a baseline"),
        ([{"metric": "reach", "at_least": 3, "by": 31}], "at most simulation.steps = 30"),
        ([{"metric": "roi", "at_least": 0.1, "by": 5}], "whole horizon"),
        ([{"metric": "reach", "at_least": 3, "when": 5}], "unknown key"),
        ([{"metric": "reach", "lift": -1.5, "baseline": "x.yaml"}], "must be > -1"),
        ({"metric": "reach"}, "must be a list"),
    ],
)
def test_bad_goals_are_one_line(goals, needle):
    with pytest.raises(ScenarioError, match="goals") as err:
        scenario(goals)
    assert needle in str(err.value)


def test_bad_baselines_are_one_line_in_the_cli(tmp_path):
    base = default_scenario().with_overrides(BASE)
    other = default_scenario().with_overrides({**BASE, "audience.n": 2500})
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(other.data, sort_keys=False))
    for target, needle in (("missing.yaml", "file not found"), ("other.yaml", "audience.n")):
        data = dict(base.data, goals=[{"metric": "reach", "lift": 0.1, "baseline": target}])
        path = tmp_path / "campaign.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        assert_clean_error(invoke("validate", path), "goals[0].baseline", needle)
