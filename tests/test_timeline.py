"""Calendar time: steps as dates, dates as steps, and the checks on both keys."""

from __future__ import annotations

import datetime as dt

import pytest

from smmsim.params import ParamError
from smmsim.scenario import ScenarioError, load_scenario
from smmsim.timeline import Timeline


def test_steps_fall_on_dates_of_the_unit():
    weekly = Timeline.of({"time_unit": "week", "start": "2027-03-01"})
    assert weekly.dated
    assert weekly.label(0) == "2027-03-01"
    assert weekly.label(2) == "2027-03-15"
    assert weekly.date_of(1) == dt.datetime(2027, 3, 8)
    hourly = Timeline.of({"time_unit": "hour", "start": "2027-03-01T09:00"})
    assert hourly.label(5) == "2027-03-01 14:00"
    assert [str(d) for d in Timeline.of({"time_unit": "day", "start": "2027-02-27"}).dates(3)] == [
        "2027-02-27T00:00",
        "2027-02-28T00:00",
        "2027-03-01T00:00",
    ]


def test_a_date_is_the_step_it_falls_on_and_nothing_else():
    daily = Timeline.of({"time_unit": "day", "start": "2027-03-01"})
    assert daily.step_of("2027-03-31", "posts[0].at") == 30
    assert daily.step_of(7, "posts[0].at") == 7
    for bad, words in [
        ("2027-02-28", "before simulation.start"),
        ("2027-03-01T12:00", "falls between two steps"),
        ("soon", "must be a step"),
        (-1, "must be a step >= 0"),
        (True, "must be a step"),
    ]:
        with pytest.raises(ParamError, match=words) as err:
            daily.step_of(bad, "posts[0].at")
        assert err.value.key == "posts[0].at"
    with pytest.raises(ParamError, match="no calendar"):
        Timeline().step_of("2027-03-01", "goals[0].by")
    assert Timeline().label(4) == "step 4"


def test_the_simulation_section_checks_its_calendar(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("simulation: {time_unit: week, start: 2027-03-01}\n")
    sim = load_scenario(path).simulation
    assert (sim["time_unit"], sim["start"]) == ("week", "2027-03-01")
    path.write_text("simulation: {start: 2027-03-01}\n")
    with pytest.raises(ScenarioError, match=r"simulation\.start: needs simulation\.time_unit"):
        load_scenario(path)
    path.write_text("simulation: {time_unit: fortnight}\n")
    with pytest.raises(ScenarioError, match=r"simulation\.time_unit"):
        load_scenario(path)
    path.write_text("simulation: {runs: 5}\n")
    assert "time_unit" not in load_scenario(path).simulation  # no calendar: as it always was
