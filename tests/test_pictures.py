"""Pictures read at a glance: scenario names in titles, linear adoption axes that run
to the horizon or the last active step (and say which), legible referral trees whose
legend matches the marks, theory curves without spikes at the critical point, and
sweep axes in words."""

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba

import smmsim
from smmsim import trace as tracing
from smmsim.plots import animation as anim
from smmsim.plots import runs as plotting
from smmsim.plots.labels import PARAM_LABELS, metric_label, param_label
from smmsim.scenario.schema import schema_table

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = ROOT / "scenarios" / "classroom.yaml"


@pytest.fixture(scope="module")
def scenario():
    return smmsim.load_scenario(CLASSROOM)


@pytest.fixture(scope="module")
def results(scenario):
    return smmsim.simulate(scenario, runs=60, rng=7)


@pytest.fixture(scope="module")
def big_cascade(scenario):
    """A cascade of several hundred users (stickier content on the classroom audience)."""
    sticky = scenario.with_overrides({"content.stickiness": 0.9, "funnel.conversion": 0.1})
    c = tracing.one_cascade(sticky, rng=3, candidates=10)
    assert len(c.nodes) > 300
    return c


def _texts(fig) -> list[str]:
    """Every title of a figure: the suptitle and each axes' title."""
    out = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    return out + [ax.get_title() for ax in fig.axes]


def _points(ax) -> dict[str, PathCollection]:
    return {c.get_label(): c for c in ax.collections if isinstance(c, PathCollection)}


# ------------------------------------------------------------------ titles
def test_every_run_picture_names_the_scenario(results, tmp_path, monkeypatch):
    titles = {}
    real_save = plotting.save

    def keep_titles(fig, path, **kw):
        titles[Path(path).name] = _texts(fig)
        return real_save(fig, path, **kw)

    monkeypatch.setattr(plotting, "save", keep_titles)
    paths = plotting.write_run_plots(results, tmp_path, tree=tracing.results_cascade(results))
    name = results.scenario["name"]
    assert len(paths) == 4 and set(titles) == {p.name for p in paths}
    for file, texts in titles.items():
        assert any(t.startswith(f"{name}:") for t in texts), (file, texts)


def test_animation_and_threshold_titles_name_the_scenario(scenario, threshold):
    from smmsim.threshold import plot_threshold_scan

    small = scenario.with_overrides({"audience.n": 200, "simulation.steps": 8})
    frames = anim._Frames(tracing.one_cascade(small, run=0), np.zeros((200, 2)), dpi=40)
    assert frames.fig._suptitle.get_text().startswith(f"{scenario.name}:")
    plt.close(frames.fig)
    ax = plot_threshold_scan(threshold)
    assert ax.get_title() == f"{scenario.name}: virality threshold of stickiness"
    assert ax.get_xlabel().startswith("Stickiness")
    plt.close(ax.figure)


# ------------------------------------------------------------------ adoption curves
def _series(last: int, runs: int = 4) -> pd.DataFrame:
    """Runs active up to step ``last`` (one new user a step), then zeros to step 29."""
    rows = []
    for run in range(runs):
        for step in range(30):
            new = 1 if step <= last else 0
            rows.append((run, step, 2 * new, new, new, new, new))
    cols = ["run", "step", "impressions", "reach", "engagements", "shares", "conversions"]
    return pd.DataFrame(rows, columns=cols)


def test_adoption_axis_is_linear_by_default(results):
    ax = plotting.adoption_curves(results.timeseries)
    assert ax.get_yscale() == "linear" and ax.get_ylim()[0] == 0
    assert plotting.adoption_curves(results.timeseries, log=True).get_yscale() == "symlog"
    fig = plotting.adoption_figure(results.timeseries, horizon=25, name="x")
    assert all(a.get_yscale() == "linear" for a in fig.axes)
    plt.close("all")


def test_adoption_axis_runs_to_the_last_active_step_and_says_so():
    ax = plotting.adoption_curves(_series(last=8), horizon=30, cumulative=True)
    lo, hi = ax.get_xlim()
    assert 8 <= hi < 9 and lo <= 0
    assert "Nothing happened after step 8 in any run (horizon: 30 steps)" in ax.get_xlabel()
    reach = ax.get_lines()[-1]
    assert reach.get_xdata()[-1] == 8 and reach.get_ydata()[-1] == 9
    # runs still spreading at the horizon: the axis reaches it
    ax = plotting.adoption_curves(_series(last=29), horizon=30)
    assert ax.get_xlim()[1] >= 29 and "still active at the horizon (step 29)" in ax.get_xlabel()
    fig = plotting.adoption_figure(_series(last=8), horizon=30)
    assert "Nothing happened after step 8" in fig._supxlabel.get_text()
    plt.close("all")


def test_shared_axes_fit_the_largest_panel():
    """Panels sharing their axes (as in a grid of variants) all fit the largest curve."""
    fig, (a, b) = plt.subplots(1, 2, sharex=True, sharey=True)
    big = _series(last=20)
    plotting.adoption_curves(_series(last=3), ax=a, cumulative=True, horizon=30)
    plotting.adoption_curves(big, ax=b, cumulative=True, horizon=30)
    assert a.get_ylim()[1] >= 21 and a.get_xlim()[1] >= 20
    plotting.adoption_curves(_series(last=3), ax=a, cumulative=True, horizon=30)
    assert a.get_ylim()[1] >= 21 and a.get_xlim()[1] >= 20  # drawn again: still fits
    plt.close(fig)


def test_adoption_bands_stay_apart(results):
    """One curve per panel: every band sits in its own axes, in its line's colour."""
    fig = plotting.adoption_figure(results.timeseries, horizon=25)
    assert len(fig.axes) == 2 * len(plotting.DEFAULT_CURVES)
    for ax in fig.axes:
        bands = [c for c in ax.collections if c.get_alpha() is not None]
        (mean,) = [line for line in ax.get_lines() if line.get_linewidth() > 2]
        assert len(bands) == 1
        assert np.allclose(bands[0].get_facecolor()[0][:3], to_rgba(mean.get_color())[:3])
    plt.close(fig)


# ------------------------------------------------------------------ referral tree
def test_tree_legend_entries_match_drawn_marks(big_cascade):
    ax = plotting.referral_tree(big_cascade.nodes)
    legend = ax.get_legend()
    drawn = {c.get_label(): c for c in ax.collections}
    for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True):
        label = text.get_text()
        assert label in drawn, f"legend entry {label!r} matches no mark"
        artist = drawn[label]
        if isinstance(artist, LineCollection):
            assert len(artist.get_segments()) > 0
        else:
            assert len(artist.get_offsets()) > 0
            assert np.allclose(handle.get_facecolor()[0], artist.get_facecolor()[0])
            assert np.allclose(handle.get_edgecolor(), artist.get_edgecolor())
    plt.close(ax.figure)


def test_large_tree_is_sampled_says_so_and_draws_every_buyer(big_cascade):
    nd = big_cascade.nodes
    core = int((nd["seed"] | nd["shared"] | nd["converted"]).sum())
    budget = core + (len(nd) - core) // 2  # room for half the users who only saw it
    assert core < budget < len(nd)
    ax = plotting.referral_tree(nd, max_nodes=budget, rng=1)
    points = _points(ax)
    drawn = sum(len(c.get_offsets()) for c in points.values())
    assert drawn == budget
    note = ax.get_xlabel()
    assert f"{budget:,} of {len(nd):,} users" in note and "random" in note
    buyers = int((nd["converted"] & ~nd["seed"]).sum())
    assert buyers > 0 and len(points["Bought"].get_offsets()) == buyers
    # buyers are drawn above every other user
    assert points["Bought"].get_zorder() > points["Saw it only"].get_zorder()
    assert points["Bought"].get_zorder() > points["Shared it"].get_zorder()
    plt.close(ax.figure)


def test_tree_too_large_for_its_sharers_draws_chains_to_the_seeds(big_cascade):
    """Sharers and buyers alone overflow: random buyers with their referral chains."""
    nd = big_cascade.nodes
    ax = plotting.referral_tree(nd, max_nodes=40, rng=2)
    note = ax.get_xlabel()
    assert "picked at random" in note and "up to a seed" in note
    points = _points(ax)
    xy = np.vstack([c.get_offsets() for c in points.values()])
    assert 0 < len(xy) <= 40
    assert len(points["Bought"].get_offsets()) > 0
    # every drawn user hangs from a drawn referrer: one referral line per non-seed
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    seeds = len(points["Paid seed"].get_offsets())
    assert len(lines.get_segments()) == len(xy) - seeds
    plt.close(ax.figure)


def test_small_tree_is_drawn_whole(scenario):
    c = tracing.one_cascade(scenario, run=5, rng=7)
    ax = plotting.referral_tree(c.nodes, max_nodes=10_000)
    assert sum(len(p.get_offsets()) for p in _points(ax).values()) == len(c.nodes)
    assert "Shown" not in ax.get_xlabel()  # nothing left out, nothing to say
    plt.close(ax.figure)


def test_ad_reached_users_start_trees():
    """Users an ad reached have no referrer: they head a tree at generation 0."""
    trace = {
        "node": [0, 1, 2, 3],
        "sharers": [0, 1],
        "sharer_parent": [-1, -1],
        "referrer": [-1, -1, 1, 2],
        "first_step": [0, 1, 2, 3],
        "seed": [True, False, False, False],
        "engaged": [True, True, True, False],
        "referred": [False, False, True, True],
        "converted": [False, True, True, False],
    }
    nd = tracing.trace_table(trace, steps=10)
    assert nd["generation"].tolist() == [0, 0, 1, 2]
    ax = plotting.referral_tree(nd)
    assert len(_points(ax)["Reached by an ad (top of a tree)"].get_offsets()) == 1
    assert "or an ad" in ax.get_ylabel()
    plt.close(ax.figure)


# ------------------------------------------------------------------ threshold theory
@pytest.fixture(scope="module")
def threshold(scenario):
    from smmsim.threshold import find_threshold

    return find_threshold(scenario, "content.stickiness", scan_runs=40, rng=2)


def test_theory_reach_is_not_drawn_near_the_critical_point(threshold):
    from smmsim.plots.threshold import CRITICAL_WINDOW
    from smmsim.threshold import plot_threshold_scan

    res = threshold
    scan = res.scan
    ax = plot_threshold_scan(res)
    (ax2,) = [a for a in ax.figure.axes if a is not ax]
    (theory,) = [line for line in ax2.get_lines() if line.get_label() == "mean reach, theory"]
    y = np.asarray(theory.get_ydata(), dtype=float)
    near = np.abs(scan["k_theory"].to_numpy() - 1) < CRITICAL_WINDOW
    assert near.any(), "the scan should cross the critical point"
    assert np.isnan(y[near]).all()
    assert np.isfinite(y[~near]).all() and (y[~near] <= res.scan["theory_mean_reach"].max()).all()
    assert "diverges at K = 1" in ax.get_xlabel()
    plt.close(ax.figure)


def test_an_interval_wider_than_the_scan_is_cut_and_said(threshold):
    from dataclasses import replace

    from matplotlib.patches import Polygon, Rectangle

    from smmsim.threshold import plot_threshold_scan

    wide = replace(threshold, empirical=replace(threshold.empirical, ci_low=-0.5, ci_high=1500.0))
    ax = plot_threshold_scan(wide)
    (band,) = [p for p in ax.patches if isinstance(p, Polygon | Rectangle) and p.get_alpha()]
    xs = band.get_xy()[:, 0] if isinstance(band, Polygon) else [band.get_x()]
    assert min(xs) >= 0 and max(xs) <= 1  # stickiness is a probability
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("95% CI -0.5 to 1,500, cut" in t for t in labels), labels  # no 1.5e+03
    assert ax.get_xlim()[1] <= 1.1
    plt.close(ax.figure)


def test_masked_theory_reach_drops_non_finite_values():
    from smmsim.plots.threshold import masked_theory_reach

    scan = pd.DataFrame(
        {"k_theory": [0.5, 0.95, 1.02, 1.5, 2.0], "theory_mean_reach": [2, 40, 900, np.inf, 300]}
    )
    out = masked_theory_reach(scan)
    assert out[0] == 2 and out[4] == 300 and np.isnan(out[1:4]).all()


# ------------------------------------------------------------------ sweep labels
def test_every_numeric_scenario_key_has_words():
    for key, kind, *_ in schema_table():
        key = key.split(" (")[0]
        if "." not in key or not kind.startswith(("number", "integer", "probability")):
            continue
        label = param_label(key)
        assert "." not in label.split(" (")[0] and "_" not in label, (key, label)
        assert key in PARAM_LABELS, key
    assert param_label("content.stickiness") == "Stickiness"
    assert metric_label("new_sharers_per_sharer") == "New sharers per sharer (this run)"
    assert metric_label("theory_k_factor") == "Viral coefficient K (theory)"
    assert plotting.METRIC_LABELS["new_sharers_per_sharer"] == "New sharers per sharer (this run)"


def test_sweep_axes_read_as_words(tmp_path):
    from smmsim.plots.sweep import plot_heatmap, plot_metric, write_sweep_plots

    rows = []
    for s in (0.1, 0.2, 0.3):
        for k in (1, 5):
            rows.append(
                {
                    "variant": len(rows),
                    "variant_id": str(len(rows)),
                    "content.stickiness": s,
                    "seeding.k": k,
                    "rng_seed": 0,
                    "runs": 10,
                    "viral_mean": s * k / 2,
                    "viral_ci_low": s * k / 3,
                    "viral_ci_high": s * k / 1.5,
                }
            )
    table = pd.DataFrame(rows)
    ax = plot_metric(table, "viral", "content.stickiness", name="launch")
    assert ax.get_xlabel() == "Stickiness"
    assert ax.get_ylabel() == "Probability of going viral, mean and 95% CI"
    assert ax.get_title() == "launch: Probability of going viral against stickiness"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Number of seed users = 1", "Number of seed users = 5"]
    hm = plot_heatmap(table, "viral", "content.stickiness", "seeding.k")
    assert (hm.get_xlabel(), hm.get_ylabel()) == ("Stickiness", "Number of seed users")
    plt.close("all")
    (tmp_path / "manifest.json").write_text('{"base": {"name": "from-manifest"}}')
    titles = []
    real = plotting.save

    def keep(fig, path, **kw):
        titles.extend(_texts(fig))
        return real(fig, path, **kw)

    import smmsim.plots.runs as p

    orig, p.save = p.save, keep
    try:
        write_sweep_plots(table, tmp_path, "viral")
    finally:
        p.save = orig
    assert sum(t.startswith("from-manifest:") for t in titles) == 2


def test_tree_run_is_a_typical_viral_run():
    from smmsim.trace import typical_run

    runs = pd.DataFrame(
        {
            "run": [0, 1, 2, 3, 4],
            "seeds": [1] * 5,
            "reach": [5, 900, 50, 700, 800],
            "viral": [0, 1, 0, 1, 1],
        }
    )
    assert typical_run(runs, 10_000) == (4, "a typical viral run: median reach")
    assert typical_run(runs.assign(viral=0), 10_000)[0] == 1
    assert typical_run(runs, 100) == (2, "the largest run; none went viral")


def test_sweep_tick_labels_without_scientific_notation():
    from smmsim.plots.sweep import _label

    assert _label(20000.0) == "20,000" and _label(np.int64(20000)) == "20,000"
    assert _label(0.1375) == "0.1375" and _label(5) == "5"
