"""Virality thresholds: theory against closed forms, simulation against theory, faces.

Closed forms: Erdős–Rényi (T_c = 1/z, S = 1 - exp(-z T S)), random regular graphs
(T_c = 1/(k - 1)), a power-law configuration model (T_c = <k>/(<k^2> - <k>)) and
directed Erdős–Rényi (T_c = <k_in>/<k_in k_out>). The simulated threshold must agree
with theory within 5% on a configuration-model audience of 10^5 users, and be
visibly off on a clustered one.
"""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner

from smmsim import generators
from smmsim.commands.threshold import threshold
from smmsim.graph import CSRGraph
from smmsim.scenario import ScenarioError, default_scenario
from smmsim.threshold import (
    ThresholdError,
    analytic_threshold,
    empirical_threshold,
    find_threshold,
    plot_threshold_scan,
)


def content(T=None, **values):
    """The default scenario with content set; ``T`` alone puts it all in visibility."""
    if T is not None:
        values = {"visibility": T, "stickiness": 1.0, "contagion": 1.0}
    return default_scenario().with_overrides({f"content.{k}": v for k, v in values.items()})


def er_scenario(n=20_000, z=5.0, **over):
    data = {
        "audience.generator": "erdos_renyi",
        "audience.n": n,
        "audience.mean_degree": z,
        "audience.rng_seed": 3,
        "content.visibility": 0.8,
        "content.contagion": 0.8,
        "content.stickiness": 0.2,
        "content.half_life": None,
        "seeding.k": 2,
        "simulation.rng_seed": 5,
    }
    data.update(over)
    return default_scenario().with_overrides(data)


@pytest.fixture(scope="module")
def er():
    return generators.erdos_renyi(20_000, 5.0, rng=11)


# ------------------------------------------------------------------ closed forms
def test_erdos_renyi_closed_forms(er):
    z = er.degree_stats().mean
    th = analytic_threshold(er, "transmissibility", scenario=content(T=0.5))
    assert th.critical == pytest.approx(1 / z, rel=0.02)
    assert th.k_factor == pytest.approx(0.5 * z, rel=0.02)
    S = th.large_share
    assert S == pytest.approx(1 - np.exp(-z * 0.5 * S), abs=0.01)
    assert th.p_large == pytest.approx(S)  # undirected: P(large) equals its size
    # a user is reached when a neighbour in the large cascade shows them the share:
    # for Poisson degrees 1 - exp(-z v S)
    v = 0.5
    assert th.large_reach / er.n == pytest.approx(1 - np.exp(-z * v * S), abs=0.01)


def test_critical_value_of_each_parameter(er):
    sc = content(visibility=0.8, stickiness=0.1, contagion=0.5)
    Tc = analytic_threshold(er, "transmissibility", scenario=sc).critical
    for name, other in (("stickiness", 0.8 * 0.5), ("contagion", 0.8 * 0.1)):
        th = analytic_threshold(er, f"content.{name}", scenario=sc)
        assert th.critical == pytest.approx(Tc / other)
    assert analytic_threshold(er, "content.stickiness", scenario=sc).reachable
    # contagion alone would need Tc / 0.08 = 2.5 > 1: says so instead of pretending
    th = analytic_threshold(er, "content.contagion", scenario=sc)
    assert th.critical > 1 and not th.reachable
    res = find_threshold(sc, "content.contagion", graph=er, empirical=False, scan=False)
    assert "cannot go viral by contagion alone" in res.verdict()


def test_random_regular_threshold_and_cascade_size():
    k = 4
    g = CSRGraph.from_networkx(nx.random_regular_graph(k, 20_000, seed=1))
    th = analytic_threshold(g, "transmissibility", scenario=content(T=0.5))
    assert th.critical == pytest.approx(1 / (k - 1), rel=1e-12)
    # u = (1 - T + T u)^(k - 1), S = 1 - (1 - T + T u)^k, solved independently
    T, u = 0.5, 0.0
    for _ in range(10_000):
        u = (1 - T + T * u) ** (k - 1)
    assert th.large_share == pytest.approx(1 - (1 - T + T * u) ** k, abs=1e-9)


def test_powerlaw_threshold_from_its_own_degree_sequence():
    g = generators.powerlaw(50_000, 2.5, min_degree=2, max_degree=200, rng=4)
    k = g.out_degree().astype(float)
    sc = content(visibility=0.5, stickiness=0.2, contagion=0.5)
    th = analytic_threshold(g, "content.stickiness", scenario=sc)
    Tc = k.mean() / ((k * k).mean() - k.mean())
    assert th.critical_transmissibility == pytest.approx(Tc, rel=1e-9)
    assert th.critical == pytest.approx(Tc / 0.25, rel=1e-9)
    assert th.k_factor == pytest.approx(0.05 / Tc, rel=1e-9)


def test_directed_threshold_uses_joint_in_out_degrees():
    g = generators.erdos_renyi(50_000, 5.0, directed=True, rng=2)
    kin, kout = g.in_degree().astype(float), g.out_degree().astype(float)
    th = analytic_threshold(g, "transmissibility", scenario=content(T=0.3))
    assert th.critical == pytest.approx(kin.mean() / (kin * kout).mean(), rel=1e-9)
    assert th.critical == pytest.approx(1 / 5.0, rel=0.03)
    emp = empirical_threshold(g, "transmissibility", scenario=content(T=0.3), rng=1)
    assert emp.value == pytest.approx(th.critical, rel=0.05)


def test_seed_count_theory():
    sc = er_scenario(**{"content.stickiness": 0.5})  # T = 0.32, K = 1.6
    th = analytic_threshold(sc, "seeding.k", target=0.9)
    p = th.p_large
    assert 0 < p < 1
    assert th.p_large_seeds == pytest.approx(1 - (1 - p) ** 2)
    k = th.critical
    assert 1 - (1 - p) ** k >= 0.9 > 1 - (1 - p) ** (k - 1)
    below = analytic_threshold(er_scenario(), "seeding.k")  # K < 1
    assert below.critical is None and not below.reachable


# -------------------------------------------------------------- simulation
def test_simulated_threshold_agrees_on_a_large_configuration_model():
    g = generators.erdos_renyi(100_000, 5.0, rng=21)
    sc = content(visibility=0.5, stickiness=0.2, contagion=0.5)
    an = analytic_threshold(g, "content.stickiness", scenario=sc)
    emp = empirical_threshold(g, "content.stickiness", scenario=sc, rng=7)
    assert emp.value == pytest.approx(an.critical, rel=0.05)
    assert emp.ci_low <= an.critical <= emp.ci_high
    assert (emp.ci_high - emp.ci_low) / emp.value < 0.1
    assert emp.runs <= 2_000_000
    assert emp.points["used_in_fit"].sum() >= 3


def test_clustered_audience_needs_more_than_theory():
    sc = default_scenario().with_overrides(
        {
            "audience.generator": "watts_strogatz",
            "audience.n": 20_000,
            "audience.mean_degree": 10,
            "audience.rewire": 0.1,
            "audience.rng_seed": 1,
            "content.half_life": None,
        }
    )
    res = find_threshold(sc, "content.stickiness", scan=False, rng=3)
    ratio = res.empirical.value / res.analytic.critical
    assert ratio > 1.15  # clustering: many impressions are repeats
    assert res.structure["clustering"] > 0.3
    assert any("clustered" in note for note in res.notes)
    assert "differs from theory" in res.verdict()


def test_result_dict_scan_and_plot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    res = find_threshold(er_scenario(), "content.stickiness", scan_runs=60, rng=2)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["param"] == "content.stickiness"
    assert d["analytic"] == pytest.approx(res.analytic.critical)
    assert set(d["empirical"]) >= {"value", "ci_low", "ci_high", "runs", "seconds"}
    assert d["k_factor"] == pytest.approx(res.k_factor)
    scan = res.scan
    assert {"value", "p_large", "p_large_low", "p_large_high", "mean_reach"} <= set(scan)
    assert (scan["p_large_low"] <= scan["p_large"]).all()
    assert len(scan) == len(d["scan"]) >= 5
    # well below the threshold nothing is large, well above something is
    assert scan["p_large"].iloc[0] == 0 and scan["p_large"].iloc[-1] > 0.2
    ax = plot_threshold_scan(res)
    path = tmp_path / "scan.png"
    ax.figure.savefig(path)
    plt.close(ax.figure)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("param", "fragment"),
    [
        ("content.stickyness", "did you mean 'stickiness'?"),
        ("content.half_life", "is not a probability"),
        ("economics.cpm", "is not a probability"),
        ("funnel.conversion", "does not change how content spreads"),
    ],
)
def test_bad_parameter_is_one_line(param, fragment, er):
    with pytest.raises(ScenarioError) as info:
        analytic_threshold(er, param)
    msg = str(info.value)
    assert fragment in msg and param in msg and "\n" not in msg


def test_range_must_bracket_the_threshold(er):
    sc = content(visibility=0.8, stickiness=0.2, contagion=0.8)  # critical about 0.31
    with pytest.raises(ThresholdError, match="large cascades already start"):
        empirical_threshold(er, "content.stickiness", scenario=sc, bounds=(0.6, 0.9), rng=1)
    with pytest.raises(ThresholdError, match="no large cascades up to"):
        empirical_threshold(er, "content.stickiness", scenario=sc, bounds=(0.01, 0.1), rng=1)
    with pytest.raises(ThresholdError, match="two probabilities"):
        empirical_threshold(er, "content.stickiness", scenario=sc, bounds=(0.5, 1.5))


def _write(tmp_path, **over):
    path = tmp_path / "er.yaml"
    path.write_text(er_scenario(n=5000, **over).to_yaml())
    return str(path)


def test_cli_prints_verdict_and_writes_json_and_plot(tmp_path):
    path = _write(tmp_path)
    out_json, out_png = tmp_path / "t.json", tmp_path / "t.png"
    args = ["--json", str(out_json), "--plot", str(out_png), "--scan-runs", "40"]
    res = CliRunner().invoke(threshold, [path, "--param", "content.stickiness", *args])
    assert res.exit_code == 0, res.output
    assert "needs stickiness >=" in res.output and "95% CI" in res.output
    assert "below threshold" in res.output  # 0.2 x 0.8 x 0.8 = 0.128 < 1/5
    d = json.loads(out_json.read_text())
    assert d["param"] == "content.stickiness"
    assert {"value", "ci_low", "ci_high"} <= set(d["empirical"])
    assert d["analytic"] > 0 and d["k_factor"] < 1
    assert out_png.read_bytes()[:4] == b"\x89PNG"


def test_cli_seed_count(tmp_path):
    path = _write(tmp_path, **{"content.stickiness": 0.5})
    res = CliRunner().invoke(
        threshold, [path, "--param", "seeding.k", "--target", "0.5", "--scan-runs", "40"]
    )
    assert res.exit_code == 0, res.output
    assert "a 50% chance needs" in res.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--param", "content.stickyness"], "did you mean 'stickiness'?"),
        (["--param", "economics.cpm"], "is not a probability"),
        (["--param", "content.stickiness", "--range", "0.9", "0.95"], "does not bracket"),
        (["--param", "content.stickiness", "--range", "0.2", "1.5"], "two probabilities"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(tmp_path, args, fragment):
    path = _write(tmp_path)
    res = CliRunner().invoke(threshold, [path, *args, "--scan-runs", "20"])
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0]


def test_cli_refuses_models_other_than_ewom(tmp_path):
    """The percolation search answers for the default model only: a threshold-model
    scenario gets a one-line refusal, not the eWOM analysis of its content keys."""
    path = tmp_path / "sp.yaml"
    path.write_text("model: social_proof\naudience: {generator: erdos_renyi, n: 500}\n")
    res = CliRunner().invoke(threshold, [str(path), "--param", "content.stickiness"])
    assert res.exit_code == 2, res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "model social_proof" in lines[0]
