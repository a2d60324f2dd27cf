"""Outputs of an ensemble are reused once nothing holds them, cleared, never shared."""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd

from smmsim._kernels import driver
from smmsim._kernels.layout import C_SHARES, R_EV_START, R_USED
from smmsim.scenario import default_scenario
from smmsim.simulate import simulate

# a run table of at least driver._Ledgers.MIN_BYTES
REPS = 20_000


def test_a_held_ledger_is_never_handed_out_again():
    first = driver.new_ledger(REPS, 3)
    second = driver.new_ledger(REPS, 3)
    third = driver.new_ledger(REPS, 3)
    owners = {id(x.events) for x in (first, second, third)}
    assert len(owners) == 3
    # a view alone holds its ledger's arrays too
    counts = third.counts
    del third
    gc.collect()
    fourth = driver.new_ledger(REPS, 3)
    assert not np.shares_memory(fourth.runs, counts)


def test_a_free_ledger_comes_back_cleared():
    used = driver.new_ledger(REPS, 4)
    used.runs[:, C_SHARES] = 3
    used.runs[5, R_EV_START], used.runs[5, R_USED] = 20, 3
    used.events[20:23] = 9
    used.virality[:] = 2.5
    where = used.events.ctypes.data
    held = driver.new_ledger(REPS, 4)
    del used
    gc.collect()
    again = driver.new_ledger(REPS, 4)
    assert again.events.ctypes.data == where  # the same memory, reused
    assert not again.events[:100].any()
    # the rest is cleared by whoever fills it, replicate by replicate
    assert again.stale and again.runs[:, C_SHARES].all()
    again.clear(0, REPS)
    assert not again.runs.any() and not again.virality.any()
    assert not held.stale and not held.runs.any()


def test_results_are_the_same_whether_outputs_are_fresh_or_reused(monkeypatch):
    cleared = []

    def spy(*args):
        cleared.append(real(*args))
        return cleared[-1]

    real = driver._cleared
    monkeypatch.setattr(driver, "_cleared", spy)
    sc = default_scenario().with_overrides(
        {"audience.n": 2000, "simulation.steps": 12, "simulation.runs": REPS}
    )
    dirty = simulate(sc, rng=2)
    table = dirty.runs  # a table made from the outputs, dropped with them
    del dirty, table
    gc.collect()
    reused = simulate(sc, rng=1)  # on the outputs ``dirty`` left
    assert cleared == [True]
    runs, series = reused.runs.copy(), reused.timeseries.copy()
    fresh = simulate(sc, rng=1)  # ``reused`` still held: fresh outputs
    pd.testing.assert_frame_equal(fresh.runs, runs)
    pd.testing.assert_frame_equal(fresh.timeseries, series)
    pd.testing.assert_frame_equal(reused.runs, runs)  # untouched by the later call
    pd.testing.assert_frame_equal(fresh.summary, reused.summary)
