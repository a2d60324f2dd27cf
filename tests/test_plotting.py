"""Pictures: every plot rendered to PNG on Agg from real simulation results, and the
one-cascade animation (GIF frame count, the ``animate`` command)."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.collections import PathCollection
from PIL import Image

import smmsim
from smmsim import trace
from smmsim.cli import cli
from smmsim.plots import animation as anim
from smmsim.plots import runs as plotting

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = ROOT / "scenarios" / "classroom.yaml"
SMALL = {"audience.n": 200, "simulation.steps": 8}


@pytest.fixture(scope="module")
def scenario():
    return smmsim.load_scenario(CLASSROOM)


@pytest.fixture(scope="module")
def results(scenario):
    return smmsim.simulate(scenario, runs=60, rng=7)


@pytest.fixture(scope="module")
def cascade(scenario):
    return trace.one_cascade(scenario, run=5, rng=7)


def check_png(path: Path, min_size=(400, 300)) -> None:
    path = Path(path)
    assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as im:
        assert im.size[0] >= min_size[0] and im.size[1] >= min_size[1]
        pixels = np.asarray(im.convert("L"), dtype=float)
    assert pixels.std() > 5, "the picture is blank"


def check_axes(ax, series: int) -> None:
    """Title, labelled axes, and a legend when more than one series is drawn."""
    assert ax.get_title(), "no title"
    assert ax.get_xlabel(), "no x label"
    assert ax.get_ylabel(), "no y label"
    if series > 1:
        legend = ax.get_legend()
        assert legend is not None and len(legend.get_texts()) >= series


def render(fig, tmp_path, name) -> Path:
    path = plotting.save(fig, tmp_path / f"{name}.png")
    check_png(path)
    assert not plt.get_fignums() or fig.number not in plt.get_fignums()  # closed
    return path


def test_adoption_curves(results, tmp_path):
    every = tuple(c for c, _ in plotting.CURVES)
    ax = plotting.adoption_curves(results.timeseries, cumulative=True, metrics=every)
    check_axes(ax, series=5)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("Impressions" in t for t in labels) and any("Conversions" in t for t in labels)
    # the mean line of cumulative reach ends at the mean final reach
    reach = next(line for line in ax.get_lines() if line.get_label().startswith("Reach"))
    assert reach.get_ydata()[-1] == pytest.approx(results.mean("reach"))
    render(ax.figure, tmp_path, "adoption")
    # new each step (the default): the mean line sums to the same mean final reach
    ax = plotting.adoption_curves(results.timeseries)
    check_axes(ax, series=4)
    reach = next(line for line in ax.get_lines() if line.get_label().startswith("Reach"))
    assert reach.get_ydata().sum() == pytest.approx(results.mean("reach"))
    render(ax.figure, tmp_path, "adoption_per_step")


def test_adoption_curves_on_given_axes(results):
    fig, axes = plt.subplots(1, 2)
    ax = plotting.adoption_curves(results.timeseries, ax=axes[1])
    assert ax is axes[1] and ax.figure is fig
    plt.close(fig)


def test_reach_histogram_separates_viral_runs(results, tmp_path):
    ax = plotting.reach_histogram(results.runs)
    check_axes(ax, series=2)
    heights = sum(p.get_height() for p in ax.patches)
    assert heights == len(results.runs)  # every run counted once (no run at zero)
    n_viral = int(results.runs["viral"].sum())
    assert 0 < n_viral < len(results.runs)
    assert f"Went viral ({n_viral} runs)" in [t.get_text() for t in ax.get_legend().get_texts()]
    render(ax.figure, tmp_path, "histogram")
    assert plotting.reach_histogram(results.runs, log=True).get_xscale() == "log"
    assert plotting.reach_histogram(results.runs, log=False).get_xscale() == "linear"
    plt.close("all")


def test_reach_ccdf_is_log_log(results, tmp_path):
    ax = plotting.reach_ccdf(results.runs)
    check_axes(ax, series=2)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    y = ax.get_lines()[0].get_ydata()
    assert y[0] == pytest.approx(1.0) and np.all(np.diff(y) <= 0)
    render(ax.figure, tmp_path, "ccdf")


def test_reach_distribution_two_panels(results, tmp_path):
    fig = plotting.reach_distribution(results.runs)
    assert len(fig.axes) == 2
    render(fig, tmp_path, "distribution")


def test_paid_vs_earned_and_direct_vs_referral(results, tmp_path):
    fig = plotting.earned_media(results.runs)
    left, right = fig.axes
    check_axes(left, series=2)
    check_axes(right, series=2)
    paid, earned = (bar.get_height() for bar in left.patches[:2])
    assert paid == pytest.approx(results.mean("paid_reach"))
    assert earned == pytest.approx(results.mean("earned_reach"))
    direct, referral = (bar.get_height() for bar in right.patches[:2])
    assert direct == pytest.approx(results.mean("direct_conversions"))
    assert referral == pytest.approx(results.mean("referral_conversions"))
    render(fig, tmp_path, "earned_media")


def test_comparisons_of_several_scenarios(scenario, results, tmp_path):
    other = smmsim.simulate(scenario.with_overrides({"seeding.k": 1}), runs=30, rng=7)
    groups = {"three seeds": results, "one seed": other.runs}
    ax = plotting.paid_vs_earned(groups)
    check_axes(ax, series=2)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(groups)
    render(ax.figure, tmp_path, "paid_vs_earned")
    ax = plotting.compare_metric(groups, "conversions")
    check_axes(ax, series=1)
    assert ax.patches[0].get_height() == pytest.approx(results.mean("conversions"))
    render(ax.figure, tmp_path, "compare")


def test_referral_tree(cascade, tmp_path):
    ax = plotting.referral_tree(cascade.nodes)
    check_axes(ax, series=1)
    assert ax.yaxis_inverted()
    assert "bought" in ax.get_title()
    render(ax.figure, tmp_path, "tree")


def test_referral_tree_caps_nodes(cascade):
    ax = plotting.referral_tree(cascade.nodes, max_nodes=10)
    drawn = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    assert drawn <= 10
    assert f"of {len(cascade.nodes):,} users" in ax.get_xlabel()
    plt.close(ax.figure)


def test_write_run_plots(results, tmp_path):
    paths = plotting.write_run_plots(results, tmp_path / "out", tree=trace.results_cascade(results))
    names = [p.name for p in paths]
    expected = ["adoption", "reach_distribution", "earned_media", "referral_tree"]
    assert names == [f"{name}.png" for name in expected]
    for p in paths:
        check_png(p)
    assert not plt.get_fignums()


def test_write_run_plots_skips_tree_without_audience(results, tmp_path):
    from dataclasses import replace

    other = replace(results, audience={**results.audience, "n": results.audience["n"] + 1})
    names = [
        p.name for p in plotting.write_run_plots(other, tmp_path, tree=trace.results_cascade(other))
    ]
    assert "referral_tree.png" not in names and len(names) == 3


def test_cascade_matches_its_run(scenario, results, cascade):
    row = results.runs.loc[results.runs["run"] == 5].iloc[0]
    nd = cascade.nodes
    assert cascade.reach == row["reach"]
    assert cascade.conversions == row["conversions"]
    assert int(nd["shared"].sum()) == row["shares"]
    assert int(nd["referred"].sum()) == row["earned_reach"]
    assert int((nd["converted"] & nd["referred"]).sum()) == row["referral_conversions"]
    assert int(nd["generation"].max()) >= 1 and (nd.loc[nd["seed"], "generation"] == 0).all()
    # a referred user is one generation below the referrer
    where = nd.set_index("node")["generation"]
    ref = nd[~nd["seed"]]
    assert (ref["generation"].to_numpy() == where.loc[ref["referrer"]].to_numpy() + 1).all()
    counts = cascade.counts()
    assert counts["reach"].iloc[-1] == cascade.reach
    assert counts["conversions"].iloc[-1] == cascade.conversions
    # cumulative reach per step equals the run's time series
    series = results.timeseries.query("run == 5").set_index("step")["reach"].cumsum()
    assert (counts.set_index("step")["reach"] == series.reindex(counts["step"]).ffill()).all()


def test_default_run_is_the_largest_of_the_candidates(scenario):
    c = trace.one_cascade(scenario, rng=7, candidates=10)
    runs = smmsim.simulate(scenario, runs=10, rng=7).runs
    assert c.reach == runs["reach"].max()


def test_layouts(cascade):
    g = cascade.graph
    for kind in ("spring", "circle"):
        pos = anim.layout(g, kind, rng=1)
        assert pos.shape == (g.n, 2) and np.isfinite(pos).all()
    assert np.array_equal(anim.layout(g, "spring", rng=1), anim.layout(g, "spring", rng=1))
    with pytest.raises(ValueError, match="layout"):
        anim.layout(g, "radial")


def test_animation_gif_has_one_frame_per_step(scenario, tmp_path):
    small = scenario.with_overrides(SMALL)
    c = trace.one_cascade(small, run=0)
    out = tmp_path / "cascade.gif"
    frames = anim.animate_cascade(c, out, fps=4, dpi=50)
    assert frames == c.last_step + 1 >= 2
    with Image.open(out) as im:
        assert im.format == "GIF"
        assert im.n_frames == frames
        assert im.is_animated
    assert not plt.get_fignums()


def test_animation_guards(scenario, tmp_path):
    c = trace.one_cascade(scenario.with_overrides(SMALL), run=0)
    with pytest.raises(ValueError, match="limited to 100"):
        anim.animate_cascade(c, tmp_path / "a.gif", max_users=100)
    with pytest.raises(ValueError, match=r"\.gif or \.mp4"):
        anim.animate_cascade(c, tmp_path / "a.png")
    with pytest.raises(ValueError, match="shape"):
        anim.animate_cascade(c, tmp_path / "a.gif", positions=np.zeros((3, 2)))


def test_animate_command_writes_a_gif(tmp_path):
    out = tmp_path / "c.gif"
    args = [str(CLASSROOM), "--out", str(out), "--run", "1", "--rng-seed", "3"]
    for key, value in SMALL.items():
        args += ["--set", f"{key}={value}"]
    res = CliRunner().invoke(cli, ["animate", *args])
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"Wrote {out} (") and "run 1 of classroom" in res.output
    with Image.open(out) as im:
        assert im.n_frames == int(res.output.split("(")[1].split()[0])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--set", "audience.n=20000"], "audience has 20,000 users"),
        (["--max-users", "50", "--set", "audience.n=200"], "limited to 50 users"),
        (["--set", "content.sparkle=1"], "content.sparkle"),
    ],
)
def test_animate_command_bad_input(tmp_path, extra, message):
    res = CliRunner().invoke(
        cli, ["animate", str(CLASSROOM), "--out", str(tmp_path / "c.gif"), *extra]
    )
    assert res.exit_code == 2
    assert message in res.output and res.output.count("\n") == 1
    assert not (tmp_path / "c.gif").exists()


def test_animate_command_file_types(tmp_path):
    res = CliRunner().invoke(cli, ["animate", str(CLASSROOM), "--out", str(tmp_path / "c.png")])
    assert res.exit_code == 2 and ".gif or .mp4" in res.output
    mp4 = tmp_path / "c.mp4"
    res = CliRunner().invoke(
        cli, ["animate", str(CLASSROOM), "--out", str(mp4), "--set", "audience.n=100"]
    )
    if anim.has_mp4_encoder():
        assert res.exit_code == 0, res.output
        assert mp4.stat().st_size > 0
    else:
        assert res.exit_code == 2 and "no MP4 encoder" in res.output
