"""Calendar time where a user reads time: the run report, the per-step table,
summary.json, the adoption plot, goals by a date; and nothing changed without it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smmsim.goals import goal_text
from smmsim.reporting.calendar import duration_text, moment_text
from smmsim.results import RunWriter
from smmsim.scenario import ScenarioError, default_scenario
from smmsim.series import PackedSeries, series_frame, write_csv, write_frame_csv
from smmsim.simulate import simulate
from smmsim.timeline import Timeline
from tests.cli_helpers import assert_clean_error, invoke

SMALL = {"audience.n": 800, "simulation.runs": 40, "simulation.steps": 30}
CALENDAR = {"time_unit": "day", "start": "2027-03-01"}
DAILY = {f"simulation.{k}": v for k, v in CALENDAR.items()}


def scenario(**overrides):
    return default_scenario().with_overrides({**SMALL, **overrides})


@pytest.fixture(scope="module")
def dated():
    goals = [{"metric": "conversions", "at_least": 1, "by": "2027-03-11"}]
    return simulate(scenario(**DAILY, goals=goals), rng=11)


@pytest.fixture(scope="module")
def plain():
    return simulate(scenario(goals=[{"metric": "conversions", "at_least": 1, "by": 10}]), rng=11)


def _without_timing(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("Timing:")]


def test_moments_and_lengths_read_as_the_calendar_says():
    daily = Timeline.of(CALENDAR)
    assert moment_text(daily, 3) == "2027-03-04 (step 3)"
    assert moment_text(daily, 3.45, ".1f") == "2027-03-04 (step 3.5)"
    assert moment_text(Timeline.of({"time_unit": "week"}), 2) == "week 2"
    assert moment_text(Timeline(), 3.0, ".1f") == "step 3.0"  # as the report always wrote
    assert duration_text(daily, 4.2) == "4.2 days"
    assert duration_text(daily, 1, ".0f") == "1 day"
    assert duration_text(Timeline(), 1, ".0f") == "1 steps"
    assert daily.span(90) == "90 days (2027-03-01 to 2027-05-29)"
    assert daily.labels(3) == ["2027-03-01", "2027-03-02", "2027-03-03"]
    assert Timeline().record() == {}
    assert daily.record() == {"time_unit": "day", "start": "2027-03-01"}


def test_the_report_names_dates_and_only_with_a_calendar(dated, plain):
    text = dated.report()
    assert "Calendar: a step is one day from 2027-03-01; horizon 30 days (2027-03-01 to " in text
    assert "2027-03-30)." in text
    assert "Peak (most new impressions): 2027-03-0" in text
    assert "Last new sharer: 2027-03-0" in text
    assert "days after launch on average (cascade depth)" in text
    assert "conversions >= 1 by 2027-03-11 (step 10): met in" in text
    # the same runs: a calendar changes the words, not the numbers
    pd.testing.assert_frame_equal(dated.runs, plain.runs)
    plain_text = plain.report()
    for words in ("Calendar:", "Peak (most", "Last new sharer", "2027"):
        assert words not in plain_text
    assert "conversions >= 1 by step 10: met in" in plain_text
    # an explicit "no calendar" reads exactly as none
    again = simulate(
        scenario(goals=[{"metric": "conversions", "at_least": 1, "by": 10}])
        .with_overrides({"simulation.time_unit": "step"}),
        rng=11,
    )  # fmt: skip
    assert _without_timing(again.report()) == _without_timing(plain_text)
    assert "time_unit" not in again.scenario["simulation"]


def test_a_unit_alone_names_steps_in_it():
    res = simulate(
        scenario(
            **{"simulation.time_unit": "week", "content.half_life": 4, "content.stickiness": 0.6}
        ),
        rng=2,
    )
    text = res.report()
    assert "Calendar: a step is one week; horizon 30 weeks." in text
    assert "Peak (most new impressions): week " in text
    assert "Novelty decay halves T every 4 weeks" in text
    assert res.to_dict()["time_unit"] == "week" and "start" not in res.to_dict()


def test_the_per_step_table_gets_a_date_column(dated, plain, tmp_path):
    frame = dated.timeseries
    assert list(frame.columns[:3]) == ["run", "step", "date"]
    assert (frame["date"] == np.datetime64("2027-03-01") + frame["step"].to_numpy()).all()
    assert "date" not in plain.timeseries
    dated.write(tmp_path / "d", plots=False)
    plain.write(tmp_path / "p", plots=False)
    got = pd.read_csv(tmp_path / "d" / "timeseries.csv")
    base = pd.read_csv(tmp_path / "p" / "timeseries.csv")
    assert list(got.columns) == ["run", "step", "date", *base.columns[2:]]
    assert (got["date"] == [f"2027-03-{1 + s:02d}" for s in got["step"]]).all()
    pd.testing.assert_frame_equal(got.drop(columns="date"), base)
    assert (tmp_path / "d" / "runs.csv").read_bytes() == (tmp_path / "p" / "runs.csv").read_bytes()
    record = json.loads((tmp_path / "d" / "summary.json").read_text())
    assert (record["time_unit"], record["start"]) == ("day", "2027-03-01")
    assert "time_unit" not in json.loads((tmp_path / "p" / "summary.json").read_text())
    assert dated.timeline.dated and not plain.timeline.calendar


def test_dated_csv_text_is_what_pandas_writes(tmp_path):
    rng = np.random.default_rng(4)
    dense = rng.integers(0, 30, size=(7, 12, 5)) * (rng.random((7, 12, 1)) < 0.6)
    dense[:, 9:] = 0
    hourly = Timeline.of({"time_unit": "hour", "start": "2027-03-01T22:00"})
    dates = hourly.labels(12)
    want = series_frame(dense, first=3)
    want.insert(2, "date", np.asarray(dates, dtype=object)[want["step"]])
    want.to_csv(tmp_path / "want.csv", index=False)
    write_csv(tmp_path / "packed.csv", PackedSeries.from_dense(dense), first=3, dates=dates)
    write_frame_csv(tmp_path / "frame.csv", series_frame(dense, first=3), dates=dates)
    expected = (tmp_path / "want.csv").read_bytes()
    assert (tmp_path / "packed.csv").read_bytes() == expected
    assert (tmp_path / "frame.csv").read_bytes() == expected
    assert b"2027-03-02 01:00" in expected
    # batch by batch, as a run writes while it goes
    writer = RunWriter(tmp_path / "out", dates=dates)
    runs = pd.DataFrame({"reach": [1, 2]})
    writer(runs, series_frame(dense[:4], first=0, steps=9))
    writer(runs, series_frame(dense[4:], first=4, steps=9))
    whole = series_frame(dense, steps=9)
    whole.insert(2, "date", np.asarray(dates, dtype=object)[whole["step"]])
    whole.to_csv(tmp_path / "whole.csv", index=False)
    assert writer.series_path.read_bytes() == (tmp_path / "whole.csv").read_bytes()


def test_the_adoption_plot_has_a_date_axis(dated, tmp_path):
    import matplotlib.dates as mdates

    from smmsim.plots.runs import adoption_curves, adoption_figure, save

    ax = adoption_curves(dated.timeseries, horizon=30, timeline=dated.timeline)
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(t.startswith("Mar ") for t in ticks), ticks
    assert ax.get_xlabel().startswith("Date (2027)")
    assert "2027-03-" in ax.get_xlabel()
    path = save(ax.figure, tmp_path / "curves.png")
    assert path.stat().st_size > 0
    fig = adoption_figure(dated.timeseries, horizon=30, timeline=dated.timeline)
    assert fig.axes[-1].get_xlabel() == "Date (2027)"
    save(fig, tmp_path / "adoption.png")
    weekly = adoption_curves(dated.timeseries, timeline=Timeline.of({"time_unit": "week"}))
    assert weekly.get_xlabel().startswith("Week (time since launch)")
    assert weekly.get_ylabel() == "New this week (users or events)"
    plain = adoption_curves(dated.timeseries.drop(columns="date"))
    assert plain.get_xlabel().startswith("Step (time since launch)\n")


def test_a_goal_by_a_date_is_the_step_it_falls_on(dated):
    goal = dated.extra["goals"][0]
    assert goal["by"] == 10 and dated.scenario["goals"][0]["by"] == 10
    assert goal["goal"] == "conversions >= 1 by 2027-03-11 (step 10)"
    assert goal_text({**goal, "name": None}) == "conversions >= 1 by step 10"
    sc = scenario(**DAILY, goals=[{"metric": "reach", "at_least": 5, "by": "2027-03-05"}])
    assert sc.data["goals"][0]["by"] == 4


@pytest.mark.parametrize(
    ("by", "extra", "words"),
    [
        ("2027-02-20", DAILY, "before simulation.start"),
        ("2027-03-01", DAILY, "is step 0, the launch"),
        ("2027-05-01", DAILY, "must be at most simulation.steps = 30"),
        ("2027-03-03T12:00", DAILY, "falls between two steps"),
        ("2027-03-03", {}, "the scenario has no calendar"),
        ("next week", DAILY, "must be a step"),
        (2.5, DAILY, "whole number of steps"),
    ],
)
def test_bad_goal_dates_are_one_line(by, extra, words):
    with pytest.raises(ScenarioError, match=words) as err:
        scenario(**extra, goals=[{"metric": "conversions", "at_least": 1, "by": by}])
    assert err.value.key == "goals[0].by"


def test_a_bad_goal_date_exits_2_from_the_cli(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(
        "audience: {n: 300}\n"
        "simulation: {runs: 5, steps: 10, time_unit: week, start: 2027-03-01}\n"
        "goals: [{metric: reach, at_least: 10, by: 2027-03-10}]\n"
    )
    assert_clean_error(invoke("run", path), "goals[0].by", "falls between two steps")
    path.write_text(
        "audience: {n: 300}\n"
        "simulation: {runs: 5, steps: 10, time_unit: week, start: 2027-03-01}\n"
        "goals: [{metric: reach, at_least: 10, by: 2027-03-15}]\n"
    )
    result = invoke("run", path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "reach >= 10 by 2027-03-15 (step 2)" in result.output
    assert "2027-03-08" in (tmp_path / "out" / "timeseries.csv").read_text()


def test_competing_contents_and_a_crisis_speak_in_the_unit():
    from smmsim.crisis import crisis as run_crisis
    from smmsim.scenario import load_scenario

    root = Path(__file__).resolve().parent.parent / "scenarios"
    voice = load_scenario(root / "share_of_voice.yaml").with_overrides(
        {"audience.n": 1500, "simulation.steps": 20, **DAILY}
    )
    text = simulate(voice, runs=20, rng=1).report()
    assert "share of impressions by day (all runs pooled): 2027-03-01: " in text
    crisis = load_scenario(root / "crisis_facebook.yaml").with_overrides(DAILY)
    res = simulate(crisis, runs=20, rng=1)
    text = res.report()
    assert "Response: the rebuttal went out at 2027-03-0" in text
    assert "on average (90% within " in text and "-day patience" in text
    c = run_crisis(crisis, [0, 4], runs=20)
    report = c.report()
    assert "delays are days after the claim's launch" in report
    assert "instead of after 4 days" in report
    assert "2027-03-" in report.split("\n\n")[1]  # the containment column


def test_the_animation_names_days_and_dates():
    import matplotlib.pyplot as plt

    from smmsim.plots.animation import CascadeFrames, layout
    from smmsim.trace import one_cascade

    sc = scenario(**{"audience.n": 200, **DAILY})
    cascade = one_cascade(sc, rng=3)
    pos = layout(cascade.graph, "circle")
    for line, counter, axis in (
        (Timeline.of(CALENDAR), "Date     2027-03-0", "Days since launch on 2027-03-01"),
        (Timeline.of({"time_unit": "hour"}), "Hour", "Hours since launch"),
        (None, "Step", "Step (time since launch)"),
    ):
        frames = CascadeFrames(cascade, pos, 50, line)
        frames.draw(min(2, cascade.last_step))
        assert frames.counter.get_text().startswith(counter)
        assert frames.fig.axes[-1].get_xlabel() == axis
        plt.close(frames.fig)
