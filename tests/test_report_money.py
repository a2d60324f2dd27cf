"""The money lines, the per-model metric sets, clipped intervals and counts in the report."""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from smmsim import simulate
from smmsim.cli import cli
from smmsim.metrics import METRICS, summarize
from smmsim.models import MODELS
from smmsim.reporting.report import TABLE, format_report
from smmsim.scenario import default_scenario, load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval, written out from Wilson (1927)."""
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@pytest.fixture(scope="module")
def launch():
    """The default product launch: most runs lose money, a few large cascades pay back
    many times over."""
    return simulate(default_scenario(), runs=400, rng=5)


def test_payback_probability_is_the_share_of_runs_with_positive_roi(launch):
    roi = launch.runs["roi"].to_numpy()
    pays = int((roi > 0).sum())
    assert 0 < pays < roi.size  # both outcomes occur, so the check is not trivial
    row = launch.summary.loc["pays_back"]
    assert row["n"] == roi.size
    assert row["mean"] == pytest.approx(pays / roi.size, abs=1e-15)
    lo, hi = wilson(pays, roi.size)
    assert row["ci_low"] == pytest.approx(lo, rel=1e-9)
    assert row["ci_high"] == pytest.approx(hi, rel=1e-9)
    assert (launch.runs["pays_back"] == (roi > 0)).all()
    # the same numbers reach summary.json
    d = launch.to_dict()["metrics"]
    assert d["pays_back"]["mean"] == row["mean"] and d["pays_back"]["ci_low"] == row["ci_low"]
    assert d["roi"]["q50"] == pytest.approx(float(np.median(roi)), rel=1e-12)


def test_money_lines_answer_will_it_pay_back(launch):
    text = format_report(launch)
    roi = launch.runs["roi"].to_numpy()
    p = float((roi > 0).mean())
    lo, hi = wilson(int((roi > 0).sum()), roi.size)
    median = float(np.median(roi))
    assert f"Pays back (ROI > 0) in {p:.1%} of runs (95% CI {lo:.1%} - {hi:.1%})" in text
    assert f"The median run's ROI is {median:.2f}" in text
    r = launch.summary.loc["roi"]
    assert f"Mean ROI {r['mean']:.2f} (95% CI {r.ci_low:.2f} to {r.ci_high:.2f})" in text
    # here the mean ROI is positive while most runs lose money, and the report says so
    assert r["mean"] > 0 > median and p < 0.5
    assert "carried by the minority of runs that pay back" in text
    assert f"it loses {-median:.0%} of its spend" in text


def test_a_free_campaign_has_no_roi_and_no_payback():
    sc = default_scenario().with_overrides(
        {
            "audience.n": 500,
            "economics.cost_per_seed": 0.0,
            "economics.fixed_cost": 0.0,
            "economics.cost_per_follower": 0.0,
        }
    )
    res = simulate(sc, runs=30, rng=1)
    assert res.runs["pays_back"].isna().all() and res.runs["roi"].isna().all()
    assert res.summary.loc["pays_back", "n"] == 0
    assert "ROI: undefined, the campaign costs nothing." in format_report(res)


def test_new_sharers_per_sharer_replaces_the_per_run_k_factor(launch):
    r = launch.runs
    assert "k_factor" not in r.columns and "k_factor" not in launch.summary.index
    expected = (r["shares"] - r["seeds"] + r["pending_shares"]) / r["shares"]
    np.testing.assert_allclose(r["new_sharers_per_sharer"], expected, rtol=1e-15)
    # theory's viral coefficient keeps its key
    assert launch.theory["k_factor"] > 1
    text = format_report(launch)
    assert "New sharers per sharer (this run)" in text and "K-factor" not in text


def test_cli_summary_json_has_payback_and_the_new_name(tmp_path):
    out = tmp_path / "res"
    result = CliRunner().invoke(
        cli,
        ["run", "--runs", "40", "--rng-seed", "2", "--set", "audience.n=1500", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert {"mean", "ci_low", "ci_high", "n"} <= set(summary["metrics"]["pays_back"])
    assert "new_sharers_per_sharer" in summary["metrics"] and "k_factor" not in summary["metrics"]
    runs = pd.read_csv(out / "runs.csv")
    assert "new_sharers_per_sharer" in runs.columns and "pays_back" in runs.columns
    assert summary["metrics"]["pays_back"]["mean"] == pytest.approx((runs["roi"] > 0).mean())


# ---------------------------------------------------------------- per-model metric sets
MODEL_SCENARIOS = {
    "ewom": (None, {"audience.n": 1500}, 60),
    "social_proof": ("social_proof_app_launch.yaml", {"audience.n": 2000}, 40),
    "complex_contagion": ("complex_contagion_challenge.yaml", {"audience.n": 2000}, 30),
    "bass": ("bass_launch.yaml", {"audience.n": 2000}, 30),
    "sir": ("sir_breaking_news.yaml", {}, 40),
}


@pytest.fixture(scope="module", params=sorted(MODEL_SCENARIOS))
def model_run(request):
    name = request.param  # a model's registry key
    path, overrides, runs = MODEL_SCENARIOS[name]
    sc = default_scenario() if path is None else load_scenario(SCENARIOS / path)
    sc = sc.with_overrides(overrides)
    assert sc.data["model"] == name
    return MODELS[name], simulate(sc, runs=runs, rng=3)


def test_every_model_declares_known_metrics_and_series():
    for model in MODELS.values():
        assert set(model.undefined_metrics) <= set(METRICS), model.name
        assert all(reason.strip() for reason in model.undefined_metrics.values())
        assert model.peak_of[0] in ("impressions", "reach", "engagements", "shares", "conversions")
    # the ones that mean nothing where they are declared
    assert {"earned_impressions", "earned_media_value", "depth"} <= set(
        MODELS["bass"].undefined_metrics
    )
    assert "depth" in MODELS["sir"].undefined_metrics
    assert MODELS["ewom"].undefined_metrics == {}


def test_undefined_metrics_are_left_out_of_runs_summary_and_report(model_run):
    model, res = model_run
    defined = set(METRICS) - set(model.undefined_metrics)
    assert set(res.runs.columns) == {"run"} | defined
    assert set(res.summary.index) == defined
    text = format_report(res)
    table = text[text.index("\nmetric ") :].split("\n\n")[0]
    labels = dict(TABLE)
    for key in model.undefined_metrics:
        if key in labels:
            assert labels[key].format(peak="") not in table, key
    if model.undefined_metrics:
        note = next(line for line in text.splitlines() if line.startswith("Left out of the table"))
        for key in model.undefined_metrics:
            assert key.replace("_", " ") in note
    else:
        assert "Left out of the table" not in text


def test_peak_step_is_the_step_the_model_says(model_run):
    """Each run's peak step is the first step with the most new events of the series
    its model declares (new adopters for Bass, new impressions elsewhere)."""
    model, res = model_run
    column = model.peak_of[0]
    ts = res.timeseries
    peaks = ts.loc[ts.groupby("run")[column].idxmax(), ["run", "step"]].set_index("run")["step"]
    assert (res.runs.set_index("run")["peak_step"] == peaks).all()
    assert f"Peak step (most {model.peak_of[1]})" in format_report(res)


@pytest.mark.parametrize("model_run", ["bass"], indirect=True)
def test_bass_peak_is_of_new_adopters_not_ad_impressions(model_run):
    _model, res = model_run
    # ads run from step 0 and their impressions fall as users adopt: the old definition
    # put every peak at step 0
    imp = res.timeseries.groupby("step")["impressions"].mean()
    assert int(imp.idxmax()) == 0
    assert (res.runs["peak_step"] > 0).all()


def test_confidence_intervals_stay_within_possible_values(model_run):
    _model, res = model_run
    s = res.summary
    for name, row in s.iterrows():
        if not row["n"] > 0:
            continue
        assert row["ci_low"] <= row["mean"] <= row["ci_high"], name
        if name == "roi":
            assert row["ci_low"] >= -1
        elif name in ("viral", "pays_back"):
            assert 0 <= row["ci_low"] and row["ci_high"] <= 1
        else:
            assert row["ci_low"] >= 0, name
    assert s.loc["shares", "ci_low"] >= s.loc["seeds", "mean"]


def test_report_prints_no_scientific_notation(model_run):
    _model, res = model_run
    text = format_report(res)
    assert "e+" not in text and "e-0" not in text


# ---------------------------------------------------------------- intervals
def test_count_intervals_are_clipped_at_zero():
    """One conversion in twenty runs: mean 0.05, the normal interval reaches below 0."""
    x = np.zeros(20, dtype=np.int64)
    x[7] = 1
    roi = np.full(20, -1.0)
    roi[7] = 0.2
    s = summarize({"direct_conversions": x, "roi": roi, "other": x.astype(float) - 0.5})
    sem = x.std(ddof=1) / np.sqrt(20)
    assert x.mean() - Z95 * sem < 0  # the unclipped interval would be negative
    assert s.loc["direct_conversions", "ci_low"] == 0.0
    assert s.loc["direct_conversions", "ci_high"] == pytest.approx(x.mean() + Z95 * sem)
    assert s.loc["roi", "ci_low"] == -1.0  # revenue is never negative
    # a column the engine does not know is not clipped
    assert s.loc["other", "ci_low"] == pytest.approx(x.mean() - 0.5 - Z95 * sem)


def test_sharers_interval_never_below_the_seeds():
    seeds = np.full(30, 5, dtype=np.int64)
    shares = seeds.copy()
    shares[0] = 40  # one cascade among fizzles
    s = summarize({"seeds": seeds, "shares": shares})
    sem = shares.std(ddof=1) / np.sqrt(30)
    assert shares.mean() - Z95 * sem < 5
    assert s.loc["shares", "ci_low"] == 5.0


def test_probabilities_use_wilson_within_zero_and_one():
    viral = np.zeros(25, dtype=np.int64)
    pays = np.zeros(25)
    pays[:2] = 1.0
    s = summarize({"viral": viral, "pays_back": pays})
    assert (s.loc["viral", "ci_low"], s.loc["viral", "ci_high"]) == pytest.approx(wilson(0, 25))
    assert (s.loc["pays_back", "ci_low"], s.loc["pays_back", "ci_high"]) == pytest.approx(
        wilson(2, 25)
    )


# ---------------------------------------------------------------- counts in threshold text
def _seed_result(value, ci_low, ci_high, critical=None):
    from smmsim.threshold.result import AnalyticThreshold, EmpiricalThreshold, ThresholdResult

    a = AnalyticThreshold(
        param="seeding.k",
        current=500.0,
        critical=critical,
        reachable=True,
        critical_transmissibility=0.2,
        transmissibility=0.21,
        k_factor=1.05,
        viral=True,
        p_large=0.001,
        p_large_seeds=0.39,
        large_share=0.4,
        large_sharers=12_345.0,
        large_reach=45_678.0,
        mean_small=float("nan"),
        mean_small_reach=float("nan"),
        target=0.5,
    )
    e = EmpiricalThreshold(
        param="seeding.k",
        value=value,
        ci_low=ci_low,
        ci_high=ci_high,
        critical_transmissibility=None,
        t_ci_low=None,
        t_ci_high=None,
        method="bisection",
        model="linear",
        runs=4000,
        seconds=1.0,
        depletion=None,
        points=pd.DataFrame(),
    )
    audience = {"name": "test", "n": 100_000, "n_edges": 300_000, "mean": 6.0, "excess": 5.0}
    return ThresholdResult(
        param="seeding.k",
        scenario="test",
        audience=audience,
        analytic=a,
        empirical=e,
        scan=pd.DataFrame(),
        structure={},
        notes=(),
    )


def test_seed_counts_print_as_whole_numbers():
    r = _seed_result(736.0, 728.0, 1020.0, critical=693.0)
    text = r.verdict()
    assert "Simulation (the scenario as it is): 736 seeds" in text
    assert "(95% CI 728 - 1,020)" in text
    assert "needs 693 seeds; this scenario has 500" in text
    assert "e+" not in r.report()


def test_seed_interval_ends_round_outwards():
    text = _seed_result(1500.0, 1499.5, 2250.2, critical=1234.2).verdict()
    assert "(95% CI 1,499 - 2,251)" in text and "needs 1,235 seeds" in text


def test_readme_documents_what_each_model_leaves_out():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    metrics = readme[readme.index("## Metrics") : readme.index("## Command line")]
    for model in MODELS.values():
        rows = [line for line in metrics.splitlines() if line.startswith(f"| `{model.name}` |")]
        listed = " ".join(rows)
        for key in model.undefined_metrics:
            assert f"`{key}`" in listed, (model.name, key)
    for key in METRICS:
        assert f"`{key}`" in metrics, key


@pytest.mark.parametrize("n", [1, 2, 7, 64, 65, 1001])
@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_payback_statistics_equal_numpy(n, share):
    """The 0/1 payback column is summarised from its counts: the same mean, standard
    deviation and quantiles as numpy on the runs where it is defined."""
    from smmsim.metrics import QUANTILES

    rng = np.random.default_rng(n)
    x = (rng.random(n) < share).astype(float)
    x[rng.random(n) < 0.1] = np.nan
    defined = x[~np.isnan(x)]
    row = summarize({"pays_back": x}).loc["pays_back"]
    assert row["n"] == defined.size
    if defined.size == 0:
        assert np.isnan(row["mean"])
        return
    assert row["mean"] == pytest.approx(defined.mean(), abs=1e-15)
    sd = defined.std(ddof=1) if defined.size > 1 else 0.0
    assert row["std"] == pytest.approx(sd, abs=1e-12)
    qcols = [f"q{int(q * 100):02d}" for q in QUANTILES]
    np.testing.assert_array_equal(row[qcols].to_numpy(float), np.quantile(defined, QUANTILES))


def test_count_quantiles_print_as_whole_numbers():
    """Interpolated quantiles of whole-number metrics (19.95 users) print as the nearest
    whole count; means keep their decimals."""
    from smmsim.reporting.report import _num

    assert _num(19.95, "count") == "20"
    assert _num(562.1, "count") == "562"
    assert _num(1234.4, "count") == "1,234"
    assert _num(0.0, "count") == "0"
    assert _num(62.29) == "62.29"


def test_earned_media_sentence_says_what_the_model_counts_as_earned():
    """Bass counts imitators as earned even when an ad reached them first: the report's
    earned-media sentence says so instead of "came from peers' shares"."""
    from smmsim.models import BassDiffusion

    sc = load_scenario(SCENARIOS / "bass_launch.yaml")
    res = simulate(sc.with_overrides({"audience.n": 2000}), runs=20, rng=3)
    line = next(x for x in res.report().splitlines() if x.startswith("Earned media:"))
    assert BassDiffusion.earned_reach_means in line
    assert "peers' shares" not in line
