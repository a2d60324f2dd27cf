"""``segments:`` (groups of users by attribute), per-segment multipliers, ``target:``
and the spill-over."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from cli_helpers import assert_clean_error, invoke

from smmsim.audience import build_audience
from smmsim.graph import CSRGraph
from smmsim.models import model_of
from smmsim.scenario import ScenarioError, load_scenario, scenario_from_dict
from smmsim.segments import (
    OTHER,
    apply_segments,
    multiplier_table,
    parse_segments,
    spillover_columns,
)
from smmsim.simulate import simulate

DRAW = {
    "age_band": {"18-24": 0.3, "25-34": 0.45, "35+": 0.25},
    "region": {"urban": 0.6, "rural": 0.4},
}


def _data(segments=None, target=None, **extra) -> dict:
    data = {
        "audience": {
            "generator": "barabasi_albert",
            "n": 3000,
            "m": 3,
            "rng_seed": 5,
            "draw": DRAW,
        },
        "content": {"stickiness": 0.3, "contagion": 0.6, "visibility": 0.6, "half_life": None},
        "simulation": {"runs": 200, "steps": 15, "rng_seed": 8},
        **extra,
    }
    if segments is not None:
        data["segments"] = segments
    if target is not None:
        data["target"] = target
    return data


GROUPS = {
    "groups": {
        "young_urban": {"where": {"age_band": ["18-24", "25-34"], "region": "urban"}},
        "young": {"where": {"age_band": ["18-24", "25-34"]}},
    }
}


def _graph_with(attrs: dict[str, list[str]]) -> CSRGraph:
    n = len(next(iter(attrs.values())))
    g = CSRGraph.from_edges(np.arange(n - 1), np.arange(1, n), n)
    out = {}
    for name, column in attrs.items():
        values = tuple(sorted(set(column)))
        out[name] = (np.array([values.index(x) for x in column], np.int32), values)
    return CSRGraph(g.indptr, g.indices, attributes=out)


def test_a_user_belongs_to_the_first_group_that_matches_and_the_rest_to_other():
    g = _graph_with(
        {
            "age": ["young", "young", "old", "old", "young"],
            "region": ["urban", "rural", "urban", "rural", "urban"],
        }
    )
    spec = parse_segments(
        {
            "groups": {
                "young_urban": {"where": {"age": "young", "region": "urban"}},
                "urban": {"where": {"region": ["urban"]}},
                "young": {"where": {"age": "young"}},
            }
        }
    )
    s = apply_segments(g, spec)
    assert s.segment_names == ("young_urban", "urban", "young", OTHER)
    assert s.segments.tolist() == [0, 2, 1, 3, 0]
    # a group without where takes every user left: no "other"
    spec["groups"]["rest"] = {"where": {}, "stickiness": 1.0, "contagion": 1.0, "conversion": 1.0}
    s = apply_segments(g, spec)
    assert s.segment_names == ("young_urban", "urban", "young", "rest")
    assert s.segments.tolist() == [0, 2, 1, 3, 0]
    # by: one segment per value
    s = apply_segments(g, parse_segments({"by": "region"}))
    assert s.segment_names == ("rural", "urban") and s.segments.tolist() == [1, 0, 1, 0, 1]


def test_segments_replace_the_generator_segments_and_reach_adds_up():
    sc = scenario_from_dict(_data(GROUPS))
    g = build_audience(sc)
    assert g.segment_names == ("young_urban", "young", OTHER)
    age = g.attributes["age_band"]
    region = g.attributes["region"]
    young = np.isin(age[0], [age[1].index("18-24"), age[1].index("25-34")])
    urban = region[0] == region[1].index("urban")
    np.testing.assert_array_equal(g.segments == 0, young & urban)
    np.testing.assert_array_equal(g.segments == 1, young & ~urban)
    np.testing.assert_array_equal(g.segments == 2, ~young)


@pytest.mark.parametrize(
    ("segments", "needle"),
    [
        ({"bye": "age_band"}, "segments.bye: unknown key 'bye'; segments allows: by, groups, "),
        ({"by": "age_band", "groups": {}}, "segments: needs exactly one of by"),
        ({"groups": {"a": {"wher": {}}}}, "(did you mean 'where'?)"),
        (
            {"groups": {"a": {"stickiness": -1}}},
            "segments.groups.a.stickiness: must be a multiplier >= 0",
        ),
        ({"groups": {"a": {"where": {"age_band": []}}}}, "must list at least one value"),
        ({"groups": {"other": {"where": {"region": "urban"}}}}, "it takes no where"),
        ({"groups": {}}, "segments.groups: must name at least one group"),
        (
            {"by": "age_band", "multipliers": {"18-24": {"stick": 2}}},
            "(did you mean 'stickiness'?)",
        ),
        ({"groups": {"a": {}}, "multipliers": {}}, "segments.multipliers: goes with by:"),
        ("age_band", "segments: must be a mapping with by:"),
    ],
)
def test_bad_segments_are_one_line(segments, needle):
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(_data(segments))
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("segments", "target", "needle"),
    [
        ({"by": "age_bnd"}, None, "segments.by: unknown attribute 'age_bnd'; "),
        ({"by": "age_bnd"}, None, "(did you mean 'age_band'?)"),
        ({"groups": {"a": {"where": {"regio": "urban"}}}}, None, "(did you mean 'region'?)"),
        (
            {"groups": {"a": {"where": {"region": "urbn"}}}},
            None,
            "segments.groups.a.where.region: unknown value 'urbn'; attribute region takes: "
            "rural, urban (did you mean 'urban'?)",
        ),
        (
            {"by": "age_band", "multipliers": {"18-25": {"stickiness": 2}}},
            None,
            "segments.multipliers.18-25: unknown value '18-25'",
        ),
        ({"by": "region"}, ["urbn"], "target: unknown segment 'urbn'"),
        ({"by": "region"}, ["urbn"], "(did you mean 'urban'?)"),
    ],
)
def test_names_unknown_to_the_audience_are_one_line_exit_2(tmp_path, segments, target, needle):
    path = tmp_path / "sc.yaml"
    path.write_text(yaml.safe_dump(_data(segments, target)))
    assert_clean_error(invoke("run", path, "--runs", 5), needle)


def test_static_mistakes_are_caught_when_the_scenario_is_loaded():
    with pytest.raises(
        ScenarioError, match=r"target: unknown segment 'yung'.*did you mean 'young'"
    ):
        scenario_from_dict(_data(GROUPS, ["yung"]))
    with pytest.raises(ScenarioError, match="target: lists segment 'young' twice"):
        scenario_from_dict(_data(GROUPS, ["young", "young"]))
    plain = _data(GROUPS)
    del plain["audience"]["draw"]
    with pytest.raises(ScenarioError, match=r"segments\.groups: the audience has no attributes"):
        scenario_from_dict(plain)
    with pytest.raises(ScenarioError, match=r"target: needs audience segments"):
        simulate(scenario_from_dict({"target": ["a"], "simulation": {"runs": 2}}), progress=False)


def test_multipliers_belong_to_the_default_model_only():
    mult = {"groups": {"a": {"where": {"region": "urban"}, "stickiness": 2.0}}}
    with pytest.raises(
        ScenarioError, match=r"segments: per-segment multipliers .* not by model sir"
    ):
        scenario_from_dict(_data(mult, model="sir"))
    # segments without multipliers are fine with any model
    scenario_from_dict(_data(GROUPS, model="sir"))


def test_the_multiplier_table_follows_the_segment_names():
    spec = parse_segments(
        {"groups": {"a": {"stickiness": 2.0}, "b": {"where": {"x": "y"}, "conversion": 0.5}}}
    )
    table = multiplier_table(spec, ("a", "b", OTHER))
    np.testing.assert_array_equal(table, [[2, 1, 1], [1, 1, 0.5], [1, 1, 1]])
    assert multiplier_table(parse_segments(GROUPS), ("a",)).shape == (0, 3)
    assert multiplier_table(None, None).shape == (0, 3)
    sc = scenario_from_dict({})
    args = model_of(sc).kernel_args(build_audience(sc), 5)
    assert args[3].shape == (0, 3) and args[3].dtype == np.float64


def test_spillover_is_reach_minus_target_reach_exactly():
    sc = scenario_from_dict(_data(GROUPS, ["young_urban"]))
    res = simulate(sc, progress=False)
    runs = res.runs
    seg = res.extra["segments"]
    assert set(seg) == {"young_urban", "young", OTHER}
    # per-run: rebuild from the audience's segments through a fresh run of the same seeds
    assert (runs["spillover"] >= 0).all() and (runs["spillover"] <= runs["reach"]).all()
    share = runs["spillover"] / runs["reach"].where(runs["reach"] > 0)
    np.testing.assert_allclose(runs["spillover_share"], share, equal_nan=True)
    mean_inside = seg["young_urban"]["reach"]["mean"]
    assert runs["spillover"].mean() == pytest.approx(runs["reach"].mean() - mean_inside, abs=1e-9)
    assert res.summary.loc["spillover", "mean"] == pytest.approx(runs["spillover"].mean())
    assert "spill-over" in res.report().lower() or "Spill-over" in res.report()


def test_spillover_columns_are_exact():
    reach = np.array([10, 0, 7])
    by_segment = np.array([[4, 5, 1], [0, 0, 0], [0, 7, 0]])
    out = spillover_columns(reach, by_segment, [0, 2])
    assert out["spillover"].tolist() == [5, 0, 7]
    assert out["spillover_share"][0] == 0.5 and np.isnan(out["spillover_share"][1])
    assert out["spillover_share"][2] == 1.0


def test_segments_without_multipliers_change_no_run():
    base = simulate(scenario_from_dict(_data()), progress=False).runs
    grouped = simulate(scenario_from_dict(_data(GROUPS, ["young"])), progress=False).runs
    pd.testing.assert_frame_equal(grouped[base.columns], base)
    assert list(grouped.columns) == [*base.columns, "spillover", "spillover_share"]


def test_multipliers_change_the_runs_the_way_they_say():
    ones = {"by": "region", "multipliers": {"urban": {"stickiness": 1.0}}}
    base = simulate(scenario_from_dict(_data(ones)), progress=False)
    boost = {
        "by": "region",
        "multipliers": {"urban": {"stickiness": 3.0}, "rural": {"contagion": 1.5}},
    }
    more = simulate(scenario_from_dict(_data(boost)), progress=False)
    assert more.mean("engaged") > base.mean("engaged")
    none = {"by": "region", "multipliers": {v: {"stickiness": 0.0} for v in ("urban", "rural")}}
    quiet = simulate(scenario_from_dict(_data(none)), progress=False)
    assert quiet.mean("engaged") == 0


def test_the_shipped_segmented_campaign_runs(tmp_path):
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scenarios" / "segmented_campaign.yaml"
    sc = load_scenario(path)
    g = build_audience(sc)
    assert set(g.attributes) == {"age_band", "region", "income_band", "interest"}
    res = simulate(sc, runs=50, progress=False)
    assert {"spillover", "spillover_share"} <= set(res.runs.columns)
    text = res.report()
    assert "outside the target segments (young_urban, young_elsewhere)" in text
    assert "attributes: age_band (4 values)" in text


def test_compare_gives_each_variant_its_own_segments():
    from smmsim.compare import compare

    a = scenario_from_dict(_data(GROUPS, ["young"]))
    b = scenario_from_dict(_data({"by": "region", "multipliers": {"urban": {"stickiness": 2}}}))
    out = compare([a, b], runs=50, progress=False)
    assert set(out.results[0].extra["segments"]) == {"young_urban", "young", OTHER}
    assert set(out.results[1].extra["segments"]) == {"urban", "rural"}
    # the same section again reuses the graph as it is
    g = build_audience(a)
    assert apply_segments(g, a.data["segments"]) is g


def test_a_traced_run_applies_the_multipliers_as_the_ensemble_does():
    from smmsim.trace import trace_replicate

    spec = {"by": "region", "multipliers": {"urban": {"stickiness": 2.5, "conversion": 3.0}}}
    data = _data(spec)
    data["funnel"] = {"conversion": 0.1}
    sc = scenario_from_dict(data)
    runs = simulate(sc, runs=12, progress=False).runs
    for r in range(12):
        tr = trace_replicate(sc, r).trace
        assert int(tr["engaged"].sum()) == runs.loc[r, "engaged"]
        assert int(tr["converted"].sum()) == runs.loc[r, "conversions"]


def test_the_optimiser_leaves_imm_to_scenarios_without_multipliers():
    from smmsim.influence.choose import auto_method

    plain = scenario_from_dict(_data(GROUPS))
    assert auto_method(plain, "reach") == "imm"
    mult = scenario_from_dict(_data({"by": "region", "multipliers": {"urban": {"contagion": 2}}}))
    assert auto_method(mult, "reach") == "celf"


def test_a_resolved_scenario_with_segments_reads_back_the_same(tmp_path):
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scenarios" / "segmented_campaign.yaml"
    sc = load_scenario(path)
    again = tmp_path / "resolved.yaml"
    again.write_text(sc.to_yaml())
    assert load_scenario(again).data == sc.data
    assert sc.with_overrides({"target": ["young_urban"]}).data["target"] == ["young_urban"]
