"""Content calendars from the scenario to the report: ``posts:`` and ``content.fatigue``
validated (one line per mistake, exit 2), one plain post giving exactly today's runs,
each post's columns, summary and report table, its seeds and costs, and the trace's
attribution."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from cli_helpers import assert_clean_error, invoke

import smmsim
from smmsim.models import EWOM, Calendar, model_of
from smmsim.scenario import ScenarioError, load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
LAUNCH = ROOT / "scenarios" / "product_launch.yaml"
SMALL = {"audience.n": 3000, "simulation.runs": 60}


def _launch(**extra):
    data = yaml.safe_load(LAUNCH.read_text())
    data.update(extra)
    return data


def _write(tmp_path, data, name="s.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_one_plain_post_gives_todays_runs_byte_for_byte(tmp_path):
    plain = _write(tmp_path, _launch(), "plain.yaml")
    one = _write(tmp_path, _launch(posts=[{"name": "launch", "at": 0}]), "one.yaml")
    outs = []
    for path in (plain, one):
        out = tmp_path / path.stem
        smmsim.simulate(load_scenario(path), runs=80).write(out, plots=False)
        outs.append((out / "runs.csv").read_bytes())
    assert outs[0] == outs[1]
    assert isinstance(model_of(load_scenario(one)), EWOM)


def test_one_post_at_step_zero_with_its_own_content_runs_the_default_model():
    sc = scenario_from_dict(_launch(posts=[{"at": 0, "stickiness": 0.3}]))
    model = model_of(sc)
    assert isinstance(model, EWOM) and model.stickiness == 0.3


def test_fatigue_alone_or_a_later_post_takes_the_calendar():
    sc = scenario_from_dict(_launch(content={"stickiness": 0.2, "fatigue": 0.1}))
    assert isinstance(model_of(sc), Calendar)
    sc = scenario_from_dict(_launch(posts=[{"at": 3}]))
    assert isinstance(model_of(sc), Calendar)


def test_a_scenario_without_posts_resolves_as_before():
    sc = scenario_from_dict(_launch())
    assert "fatigue" not in sc.content
    assert sc.data["posts"] is None


def _calendar(**over):
    data = _launch(
        simulation={"runs": 60, "steps": 30, "rng_seed": 5, "time_unit": "day",
                    "start": "2027-03-01"},
        posts=[
            {"name": "influencers", "at": "2027-03-01", "strategy": "top_degree", "k": 4},
            {"name": "brand week 2", "at": 7, "k": 5, "cost": 300},
            {"name": "brand week 3", "at": "2027-03-15", "k": 5, "stickiness": 0.3},
        ],
    )  # fmt: skip
    data["content"] = dict(data["content"], fatigue=0.05)
    data.update(over)
    return scenario_from_dict(data).with_overrides({"audience.n": 3000})


def test_a_calendar_runs_with_per_post_columns_summary_and_report():
    sc = _calendar()
    assert [p["at"] for p in sc.data["posts"]] == [0, 7, 14]
    res = smmsim.simulate(sc)
    runs = res.runs
    names = ["influencers", "brand week 2", "brand week 3"]
    conv = sum(runs[f"conversions[{n}]"] for n in names)
    assert np.array_equal(conv.to_numpy(), runs["conversions"].to_numpy())
    for n in names:
        assert (runs[f"reach[{n}]"] <= runs["reach"]).all()
    assert (runs["seeds"] == 14).all()
    posts = res.extra["posts"]
    assert [p["name"] for p in posts] == names
    assert [p["date"] for p in posts] == ["2027-03-01", "2027-03-08", "2027-03-15"]
    econ = sc.economics
    # every post's seeds are paid; a post's own cost adds
    assert posts[1]["cost"] == pytest.approx(5 * econ["cost_per_seed"] + 300)
    total = econ["fixed_cost"] + sum(p["cost"] for p in posts)
    assert runs["cost"].mean() == pytest.approx(total)
    assert "conversions[influencers]" in res.summary.index
    report = res.report()
    assert "Posts (mean per run" in report
    assert "brand week 2" in report and "2027-03-08" in report


def test_results_are_the_same_for_any_thread_count():
    sc = _calendar()
    one = smmsim.simulate(sc, runs=40, threads=1).runs
    two = smmsim.simulate(sc, runs=40, threads=2).runs
    assert one.equals(two)


def test_the_trace_attributes_conversions_to_a_post_and_a_referrer():
    from smmsim.trace import trace_replicate

    sc = _calendar(funnel={"conversion": 0.3, "referral_multiplier": 2.0})
    found = 0
    for run in range(6):
        traced = trace_replicate(sc, run)
        tr = traced.trace
        buyers = np.flatnonzero(tr["converted"])
        assert np.all(tr["conversion_post"][buyers] >= 0)
        assert np.all(tr["conversion_post"][~tr["converted"]] == -1)
        assert np.all((tr["first_post"] >= 0) & (tr["first_post"] < 3))
        found += buyers.size
        # a buyer credited to a referrer was reached by that referrer's post
        refs = tr["conversion_referrer"][buyers]
        sharers = set(tr["sharers"].tolist())
        assert all(r in sharers for r in refs.tolist() if r >= 0)
    assert found > 0


BAD = [
    ("unknown key", {"posts": [{"att": 3}]}, "posts[0].att", "did you mean 'at'"),
    ("out of the horizon", {"posts": [{"at": 30}]}, "posts[0].at", "before the end"),
    ("a date without a start", {"posts": [{"at": "2027-03-01"}]}, "posts[0].at", "date"),
    ("out of range", {"posts": [{"stickiness": 1.5}]}, "posts[0].stickiness", "1"),
    ("not a list", {"posts": {"at": 3}}, "posts", "list of posts"),
    ("nodes without ids", {"posts": [{"at": 2, "strategy": "nodes"}]}, "posts[0].nodes", "ids"),
    ("twice the same name", {"posts": [{"name": "a"}, {"name": "a", "at": 2}]},
     "posts[1].name", "earlier post"),
    ("another model", {"model": "sir", "posts": [{"at": 2}]}, "posts", "default model"),
    ("with a competitor", {"posts": [{"at": 2}], "competitor": {}}, "posts", "competitor"),
    ("optimize", {"posts": [{"at": 2, "strategy": "optimize"}]}, "posts[0].strategy",
     "optimize"),
    ("fatigue of 1", {"content": {"fatigue": 1.0}}, "content.fatigue", "1"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "key", "fragment"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_posts_are_one_line_errors(tmp_path, extra, key, fragment):
    path = _write(tmp_path, _launch(**extra))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert len(message.splitlines()) == 1
    assert key in message and fragment in message, message
    assert_clean_error(invoke("validate", path), key)


def test_unknown_segments_and_too_many_seeds_need_the_audience(tmp_path):
    path = _write(tmp_path, _launch(posts=[{"at": 1, "segments": ["students"]}]))
    assert_clean_error(
        invoke(
            "run", path, "--set", "audience.n=300", "--set", "audience.max_degree=50", "--runs", 5
        ),
        "posts[0].segments",
    )
    path = _write(tmp_path, _launch(posts=[{"at": 1, "k": 500}]))
    assert_clean_error(
        invoke(
            "run", path, "--set", "audience.n=300", "--set", "audience.max_degree=50", "--runs", 5
        ),
        "posts[0].k",
    )


def test_segment_tallies_of_a_calendar_sum_to_its_totals():
    from smmsim._kernels.layout import C_REACH, S_REACH
    from smmsim.audience import build_audience
    from smmsim.rng import root_key

    data = yaml.safe_load((ROOT / "scenarios" / "segmented_audience.yaml").read_text())
    data["content"]["fatigue"] = 0.1
    data["posts"] = [
        {"name": "students", "at": 0, "strategy": "random", "k": 5, "segments": ["students"]},
        {"name": "parents", "at": 4, "strategy": "top_degree", "k": 3, "segments": ["parents"]},
    ]
    sc = scenario_from_dict(data).with_overrides({"audience.n": 3000})
    graph = build_audience(sc)
    model = model_of(sc)
    assert isinstance(model, Calendar)
    root = root_key(7)
    sets = model.seed_sets(graph, root, 0, 50)
    (a, b), (c, d) = model.columns(graph)
    assert np.all(graph.segments[sets[:, a:b]] == 0)
    assert np.all(graph.segments[sets[:, c:d]] == 2)
    raw = model.run(graph, sets, 0, 50, sc.simulation["steps"], root, threads=2)
    assert raw.segment_counts is not None
    assert np.array_equal(raw.segment_counts[:, :, S_REACH].sum(1), raw.counts[:, C_REACH])


def test_one_post_on_the_calendar_kernel_spreads_as_the_default_model():
    # a cost of its own sends one post at step 0 to the calendar kernel: other draws, the
    # same law (means within 4 standard errors of the default model's)
    plain = scenario_from_dict(_launch()).with_overrides(SMALL)
    one = scenario_from_dict(_launch(posts=[{"at": 0, "cost": 1.0}])).with_overrides(SMALL)
    assert isinstance(model_of(one), Calendar)
    a = smmsim.simulate(plain, runs=1500).runs
    b = smmsim.simulate(one, runs=1500).runs
    for metric in ("impressions", "reach", "engaged", "shares", "conversions"):
        se = np.sqrt(a[metric].var() / len(a) + b[metric].var() / len(b))
        assert abs(a[metric].mean() - b[metric].mean()) <= 4 * se, metric
    assert b["cost"].mean() == pytest.approx(a["cost"].mean() + 1.0)


def test_posts_with_their_own_seeding_ignore_an_optimised_default():
    data = _launch(
        seeding={"strategy": "optimize", "k": 5, "budget": 1000.0},
        posts=[
            {"at": 0, "strategy": "top_degree", "k": 3},
            {"at": 5, "strategy": "random", "k": 4},
        ],
    )
    sc = scenario_from_dict(data).with_overrides(SMALL)
    res = smmsim.simulate(sc, runs=20)
    assert (res.runs["seeds"] == 7).all()
    with pytest.raises(ScenarioError, match=r"posts\[0\]\.strategy: optimize \(from seeding"):
        scenario_from_dict(_launch(seeding=data["seeding"], posts=[{"at": 0, "k": 3}, {"at": 5}]))


def test_the_segments_multipliers_reach_the_calendar_kernel():
    """A segment whose stickiness multiplier is 0 never engages with any post, on the
    calendar kernel as on the default one; the other segment's engagement is the same
    with and without that multiplier's segment reached."""
    sc = smmsim.load_scenario("scenarios/segmented_campaign.yaml").with_overrides(
        {
            "simulation.runs": 40,
            "simulation.steps": 20,
            "segments": {
                "groups": {"young": {"where": {"age_band": ["18-24", "25-34"]}, "stickiness": 0}}
            },
            "target": None,
            "posts": [{"at": 0}, {"at": 5, "k": 20}],
        }
    )
    res = smmsim.simulate(sc, rng=4, threads=1)
    assert [p["at"] for p in res.extra["posts"]] == [0, 5]  # the calendar kernel ran
    by = res.by_segment.groupby("segment")[["reach", "engaged"]].sum()
    assert by.loc["young", "reach"] > 0 and by.loc["young", "engaged"] == 0
    assert by.loc["other", "engaged"] > 0
