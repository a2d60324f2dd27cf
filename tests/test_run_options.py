"""The run options (``runs``, ``rng``, ``graph``, ``threads``, ``progress``): one
:class:`~smmsim.RunOptions`, taken as ``**options`` by the entry points built on
:func:`smmsim.simulate`, which refuse a keyword they do not take as Python would."""

from __future__ import annotations

import inspect
import typing

import pytest

import smmsim
from smmsim.compare import compare
from smmsim.crisis import crisis
from smmsim.influence import choose_seeds, frontier, seed_report
from smmsim.run_options import RUN_OPTIONS, RunOptions, common_options
from smmsim.scenario import default_scenario
from smmsim.simulate import simulate
from smmsim.threshold import empirical_threshold, find_threshold


def small():
    return default_scenario().with_overrides({"audience.n": 300, "simulation.runs": 7})


def test_run_options_are_simulates_keyword_only_parameters():
    params = inspect.signature(simulate).parameters
    keyword_only = [name for name, p in params.items() if p.kind is p.KEYWORD_ONLY]
    assert set(RUN_OPTIONS) <= set(keyword_only)
    # what simulate takes besides the run options is its own: batches and a model variant
    assert set(keyword_only) - set(RUN_OPTIONS) == {"on_batch", "model"}
    hints = typing.get_type_hints(simulate)
    assert typing.get_type_hints(RunOptions) == {name: hints[name] for name in RUN_OPTIONS}
    assert RunOptions.__optional_keys__ == frozenset(RUN_OPTIONS)
    assert smmsim.RunOptions is RunOptions


ENTRY_POINTS = {
    "compare": lambda sc, **kw: compare([sc, sc], **kw),
    "crisis": crisis,
    "choose_seeds": choose_seeds,
    "seed_report": seed_report,
    "frontier": lambda sc, **kw: frontier(sc, [1000.0], **kw),
    "find_threshold": find_threshold,
    "empirical_threshold": empirical_threshold,
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
def test_a_misspelt_run_option_is_a_type_error_naming_it(name):
    with pytest.raises(TypeError, match=rf"^{name}\(\) got an unexpected keyword argument 'rnus'$"):
        ENTRY_POINTS[name](small(), rnus=10)


@pytest.mark.parametrize(
    "name, option",
    [
        ("choose_seeds", "progress"),
        ("seed_report", "progress"),
        ("frontier", "progress"),
        ("find_threshold", "runs"),
        ("find_threshold", "progress"),
        ("empirical_threshold", "progress"),
    ],
)
def test_a_run_option_an_entry_point_does_not_take_is_refused(name, option):
    with pytest.raises(TypeError, match=rf"unexpected keyword argument '{option}'"):
        ENTRY_POINTS[name](small(), **{option: 1})


def test_common_options_fix_runs_seed_and_audience_once():
    sc = small()
    common = common_options(sc, {"threads": 1})
    assert common["runs"] == 7 and isinstance(common["rng"], int)
    assert common["graph"].n == 300 and common["threads"] == 1 and "progress" not in common
    given = common_options(sc, {"runs": 3, "rng": 5, "graph": common["graph"]})
    assert (given["runs"], given["rng"], given["graph"]) == (3, 5, common["graph"])
