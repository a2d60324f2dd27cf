"""Competing word of mouth through the public API: switched off it changes nothing, the
brand alone on the competing kernel is the default model in distribution, damage and
share of voice mean what they say, bad input gets one line, and ``smmsim crisis`` works."""

from __future__ import annotations

import math

import numpy as np
import pytest
from cli_helpers import assert_clean_error, invoke

import smmsim
from smmsim.graph import CSRGraph
from smmsim.models import EWOM, Competition, model_of
from smmsim.scenario import ScenarioError, scenario_from_dict
from smmsim.sweep import Sweep, run_sweep

BASE = {
    "audience": {"generator": "barabasi_albert", "n": 1500, "m": 3},
    "content": {"stickiness": 0.3, "contagion": 0.5, "visibility": 0.8},
    "seeding": {"strategy": "random", "k": 5},
    "funnel": {"conversion": 0.1},
    "simulation": {"runs": 300, "steps": 25, "rng_seed": 5},
}
CLAIM = {"k": 3, "stickiness": 0.4, "contagion": 0.6, "visibility": 0.8, "launch": 1}
RESPONSE = {"delay": 2, "stickiness": 0.3, "contagion": 0.5, "visibility": 0.8}


def scenario(**sections):
    return scenario_from_dict({**BASE, **sections})


def gap_within(a, b, sigmas=4.0):
    """Two independent sample means agree within ``sigmas`` standard errors."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return abs(a.mean() - b.mean()) <= sigmas * se


def test_without_the_sections_the_default_model_runs():
    sc = scenario()
    assert isinstance(model_of(sc), EWOM)
    assert "competition" not in smmsim.simulate(sc, runs=20).extra


def test_the_brand_alone_on_the_competing_kernel_is_the_default_model():
    """Same model, other random numbers: the same distribution (4 standard errors)."""
    sc = scenario(service={"rate": 0.0})
    assert isinstance(model_of(sc), Competition)
    alone = smmsim.simulate(sc, runs=3000, rng=1).runs
    default = smmsim.simulate(scenario(), runs=3000, rng=2).runs
    for metric in ("reach", "earned_reach", "engaged", "shares", "conversions", "impressions"):
        assert gap_within(alone[metric], default[metric]), metric


def test_damage_is_exactly_zero_when_the_claim_cannot_stick():
    sc = scenario(claim={**CLAIM, "stickiness": 0.0}, response=RESPONSE)
    res = smmsim.simulate(sc, runs=100)
    d = res.extra["damage"]["conversions"]
    assert d["lost"] == 0.0 and d["ci"] == [0.0, 0.0]
    assert res.extra["competition"]["metrics"]["believers"]["mean"] == 0


def test_damage_is_paired_and_positive_for_a_sticky_claim():
    sc = scenario(claim={**CLAIM, "damage": 1.0, "ignore": 1.0})
    res = smmsim.simulate(sc, runs=300)
    d = res.extra["damage"]["conversions"]
    assert d["ci"][0] > 0
    assert math.isclose(d["with"], res.runs["conversions"].mean())
    assert math.isclose(d["without"] - d["with"], d["lost"])


def test_symmetric_contents_share_the_voice_equally():
    """The brand and a competitor with the same post, random seeds and launch: share of
    voice 0.5 within 4 standard errors (the tie rule is fair)."""
    rival = {"k": 5, "stickiness": 0.3, "contagion": 0.5, "visibility": 0.8}
    res = smmsim.simulate(scenario(competitor=rival), runs=2000)
    share = res.runs["brand_share_of_voice"].dropna().to_numpy()
    se = share.std(ddof=1) / math.sqrt(share.size)
    assert abs(share.mean() - 0.5) <= 4 * se


def two_halves(n_half: int = 300) -> CSRGraph:
    """Two disjoint copies of a small random audience."""
    rng = np.random.default_rng(3)
    src = rng.integers(0, n_half, 4 * n_half)
    dst = rng.integers(0, n_half, 4 * n_half)
    return CSRGraph.from_edges(
        np.concatenate([src, src + n_half]), np.concatenate([dst, dst + n_half]), 2 * n_half
    )


def test_contents_that_cannot_meet_are_independent_cascades():
    """The brand in one half, the competitor in the other: the brand's runs equal, run by
    run, those of the brand alone on the same kernel (and its draws)."""
    g = two_halves()
    sc = scenario(
        seeding={"strategy": "nodes", "nodes": [0, 1, 2]},
        competitor={"strategy": "nodes", "nodes": [300, 301], "k": 2, "stickiness": 0.4},
    )
    both = smmsim.simulate(sc, runs=200, graph=g)
    model = Competition.from_scenario(sc)
    alone = smmsim.simulate(sc, runs=200, graph=g, model=Competition(model.brand, *[None] * 4))
    for metric in ("impressions", "reach", "engaged", "conversions"):
        assert (both.runs[metric] == alone.runs[metric]).all(), metric
    assert (both.runs["brand_share_of_voice"] < 1).any()


def test_response_sooner_saves_more_and_crisis_agrees_with_simulate():
    sc = scenario(claim={**CLAIM, "damage": 1.0}, response=RESPONSE)
    c = smmsim.crisis(sc, [0, 8], runs=200)
    t = c.table
    assert list(t.index) == ["no response", "after 0", "after 8"]
    assert t.loc["after 0", "claim_reach"] < t.loc["after 8", "claim_reach"]
    # the delay-2 scenario through simulate gives the same damage as crisis would
    direct = smmsim.simulate(sc.with_overrides({"response.delay": 0}), runs=200)
    assert math.isclose(direct.extra["damage"]["conversions"]["lost"], t.loc["after 0", "damage"])
    saved, lo, hi = c.saving(0, 8)
    assert lo <= saved <= hi
    assert any("instead of after 8 steps" in s for s in c.sentences())


def test_a_sweep_accepts_the_new_keys():
    sc = scenario(claim=CLAIM, response=RESPONSE)
    table = run_sweep(
        sc, Sweep.from_specs(["response.delay=0,6", "claim.stickiness=0.2,0.5"]), runs=30,
        progress=False,
    )  # fmt: skip
    assert len(table) == 4


def test_customer_service_costs_and_times():
    svc = {"rate": 1.0, "delay": 3, "distribution": "fixed", "cost_per_reply": 2.0}
    res = smmsim.simulate(scenario(service=svc), runs=100)
    m = res.extra["competition"]["metrics"]
    assert m["response_rate"]["mean"] == 1.0
    assert m["response_time"]["mean"] == 3.0
    base = smmsim.simulate(scenario(service={**svc, "cost_per_reply": 0.0}), runs=100)
    extra = res.runs["cost"] - base.runs["cost"]
    assert np.allclose(extra, 2.0 * res.runs["replies"])
    assert "Customer service answered 100.0%" in res.report()


BAD = [
    ({"response": RESPONSE}, "response", "add a claim"),
    ({"claim": {**CLAIM, "stickness": 0.2}}, "claim.stickness", "stickiness"),
    ({"claim": {**CLAIM, "damage": 1.5}}, "claim.damage", "1"),
    ({"competitor": {"strategy": "nodes"}}, "competitor.nodes", "strategy nodes"),
    ({"claim": {**CLAIM, "launch": 99}}, "claim.launch", "simulation.steps"),
    ({"claim": CLAIM, "model": "bass"}, "claim", "default model"),
    ({"claim": CLAIM, "response": {**RESPONSE, "accounts": "fans"}}, "response.accounts", "brand"),
]


@pytest.mark.parametrize(("sections", "key", "words"), BAD)
def test_bad_input_is_one_line(tmp_path, sections, key, words):
    import yaml

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**BASE, **sections}))
    with pytest.raises(ScenarioError) as err:
        smmsim.load_scenario(path)
    assert key in str(err.value) and words in str(err.value)
    assert_clean_error(invoke("validate", path), key)


def test_an_unknown_account_id_is_one_line(tmp_path):
    import yaml

    path = tmp_path / "bad.yaml"
    claim = {**CLAIM, "strategy": "nodes", "nodes": [99_999]}
    path.write_text(yaml.safe_dump({**BASE, "claim": claim}))
    assert_clean_error(invoke("run", path, "--runs", 5), "claim.nodes", "99999")


def test_crisis_command(tmp_path):
    import yaml

    path = tmp_path / "crisis.yaml"
    path.write_text(yaml.safe_dump({**BASE, "claim": CLAIM, "response": RESPONSE}))
    out = tmp_path / "out"
    result = invoke("crisis", path, "--delays", "0,4", "--runs", 60, "--out", out)
    assert result.exit_code == 0, result.output
    assert "no response" in result.output and "after 4" in result.output
    assert (out / "crisis.csv").exists() and (out / "crisis.png").exists()
    no_claim = tmp_path / "plain.yaml"
    no_claim.write_text(yaml.safe_dump(BASE))
    assert_clean_error(invoke("crisis", no_claim, "--runs", 5), "claim")
    assert_clean_error(invoke("crisis", path, "--delays", "0,soon"), "--delays")


def test_the_app_headline_shows_what_the_report_says():
    from smmsim.app.headline import headline

    res = smmsim.simulate(scenario(claim={**CLAIM, "damage": 1.0}, response=RESPONSE), runs=100)
    figures = {f.key: f for f in headline(res)}
    report = res.report()
    assert f"cost the brand {figures['damage'].value} conversions" in report
    assert f"brand {figures['brand_share_of_voice'].value} [" in report
    assert "claim_reach" in figures
