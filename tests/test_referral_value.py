"""Customer referral value: per-customer referred buyers from traced runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from smmsim.audience import build_audience
from smmsim.referral_value import customer_referrals, referral_value
from smmsim.scenario import default_scenario
from smmsim.simulate import simulate
from tests.cli_helpers import invoke


def test_customer_referrals_of_a_hand_made_trace():
    # seed 0 refers buyers 1 and 2; customer 1 refers buyer 3 and non-buyer 4; 5 buys
    # through 4, who did not buy (not a customer)
    trace = {
        "node": np.array([0, 1, 2, 3, 4, 5]),
        "referrer": np.array([-1, 0, 0, 1, 1, 4]),
        "converted": np.array([0, 1, 1, 1, 0, 1], bool),
        "seed": np.array([1, 0, 0, 0, 0, 0], bool),
        "referred": np.array([0, 0, 0, 1, 1, 1], bool),
    }
    table = customer_referrals(trace).set_index("node")
    assert list(table.index) == [0, 1, 2, 3, 5]
    assert table["referred_buyers"].to_dict() == {0: 2, 1: 1, 2: 0, 3: 0, 5: 0}
    assert table["earned"].to_dict() == {0: False, 1: False, 2: False, 3: True, 5: True}


def test_referral_value_adds_up_to_the_runs_it_traced():
    sc = default_scenario().with_overrides({"audience.n": 3000, "simulation.runs": 150})
    g = build_audience(sc)
    res = simulate(sc, graph=g, rng=8)
    rv = referral_value(sc, rng=8, graph=g, sample=60)
    first = res.runs.iloc[:60]
    assert rv["runs_traced"] == 60
    assert rv["customers"] == first["conversions"].sum()
    # a seed's referred buyers are the direct conversions of its posts
    seeds = rv["seeds"]
    assert seeds["count"] == first["seeds"].sum()
    assert seeds["mean_referred"] * seeds["count"] == pytest.approx(
        first["direct_conversions"].sum()
    )
    # customers refer some of the referral-driven buyers (sharers who did not buy refer
    # the others)
    referred_by_customers = rv["mean_referred"] * rv["customers"]
    assert referred_by_customers <= first["referral_conversions"].sum() + 1e-9
    assert 0 <= rv["share_referring"] <= 1 and 0 < rv["top1_share"] <= 1
    earned, direct = rv["earned"], rv["direct"]
    assert earned["customers"] + direct["customers"] == rv["customers"]


def test_run_with_out_reports_and_writes_it(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", "--runs", 80, "--set", "audience.n=2000", "--out", out)
    assert result.exit_code == 0, result.output
    assert "Customer referral value (Kumar, Petersen & Leone 2010" in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["referral_value"]["runs_traced"] == 80
