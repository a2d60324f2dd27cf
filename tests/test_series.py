"""Packed per-step series: the dense view, tables, CSV text and profiles agree with a
dense reference, and the files a run writes equal the tables."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from smmsim._kernels.funnel import series_profile as dense_profile
from smmsim.models.base import PackedSeries as FromBase
from smmsim.results import RunWriter
from smmsim.scenario import default_scenario
from smmsim.series import (
    SERIES_COLUMNS,
    PackedSeries,
    as_packed,
    series_frame,
    series_profile,
    step_means,
    write_csv,
    write_frame_csv,
)
from smmsim.simulate import simulate


def random_dense(rng, runs=7, steps=9, zero_runs=(2,)):
    """A dense series whose runs stop at random steps, with gaps of zero rows."""
    dense = rng.integers(0, 5, size=(runs, steps, len(SERIES_COLUMNS))).astype(np.int64)
    dense[rng.random((runs, steps)) < 0.3] = 0
    for r in range(runs):
        dense[r, rng.integers(0, steps + 1) :] = 0
    for r in zero_runs:
        dense[r] = 0
    return dense


def reference_frame(dense, first=0, steps=None):
    """The per-step table as a dense array gives it."""
    if steps is None:
        active = dense.any(axis=(0, 2))
        steps = int(np.nonzero(active)[0].max()) + 1 if active.any() else 1
    s = dense[:, :steps]
    R = s.shape[0]
    frame = {
        "run": np.repeat(np.arange(first, first + R), steps),
        "step": np.tile(np.arange(steps), R),
    }
    for i, name in enumerate(SERIES_COLUMNS):
        frame[name] = s[:, :, i].reshape(-1)
    return pd.DataFrame(frame)


def scattered(dense):
    """The packed form of ``dense`` with rows in a larger buffer, out of order."""
    p = PackedSeries.from_dense(dense)
    R = len(p)
    buf = np.zeros((p.events.shape[0] * 3 + 5, dense.shape[2]), np.int64)
    start = np.zeros(R, np.int64)
    pos = 4
    for r in reversed(range(R)):
        u = int(p.used[r])
        start[r] = pos
        buf[pos : pos + u] = p.events[p.ev_start[r] : p.ev_start[r] + u]
        pos += u + 2
    return PackedSeries(buf, start, p.used, dense.shape[1])


def test_that_the_model_module_re_exports_the_series_class():
    assert FromBase is PackedSeries


@pytest.mark.parametrize("seed", range(4))
def test_dense_view_round_trips(seed):
    dense = random_dense(np.random.default_rng(seed))
    for p in (PackedSeries.from_dense(dense), scattered(dense)):
        assert p.shape == dense.shape and len(p) == dense.shape[0]
        np.testing.assert_array_equal(p.dense, dense)
        np.testing.assert_array_equal(np.asarray(p), dense)
        np.testing.assert_array_equal(p[:, 2:4], dense[:, 2:4])
    p = PackedSeries.from_dense(dense)
    assert p.used[2] == 0
    hit = dense.any(axis=2)
    for r in range(dense.shape[0]):
        last = np.nonzero(hit[r])[0]
        assert p.used[r] == (last.max() + 1 if last.size else 0)


@pytest.mark.parametrize("seed", range(4))
def test_tables_csv_profiles_and_means_match_the_dense_reference(tmp_path, seed):
    rng = np.random.default_rng(seed)
    dense = random_dense(rng)
    p = scattered(dense)
    for steps in (None, 3, dense.shape[1]):
        expected = reference_frame(dense, 5, steps)
        pd.testing.assert_frame_equal(series_frame(p, 5, steps), expected)
        pd.testing.assert_frame_equal(series_frame(dense, 5, steps), expected)
        expected.to_csv(tmp_path / "ref.csv", index=False)
        write_csv(tmp_path / "packed.csv", p, first=5, steps=steps)
        assert (tmp_path / "packed.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
        write_frame_csv(tmp_path / "frame.csv", expected)
        assert (tmp_path / "frame.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
    for column in (0, 2):
        for got, want in zip(
            series_profile(p, dense.shape[1], column),
            dense_profile(dense, dense.shape[1], column),
            strict=True,
        ):
            np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(step_means(p, dense.shape[1]), dense.mean(axis=0))


def test_an_all_zero_series_has_one_step_and_csv_appends(tmp_path):
    dense = np.zeros((3, 6, len(SERIES_COLUMNS)), np.int64)
    expected = reference_frame(dense)
    assert len(expected) == 3
    pd.testing.assert_frame_equal(series_frame(dense), expected)
    a, b = random_dense(np.random.default_rng(1)), random_dense(np.random.default_rng(2))
    write_csv(tmp_path / "x.csv", a, steps=4)
    write_csv(tmp_path / "x.csv", b, first=len(a), steps=4, append=True)
    ref = pd.concat([reference_frame(a, 0, 4), reference_frame(b, len(a), 4)], ignore_index=True)
    ref.to_csv(tmp_path / "ref.csv", index=False)
    assert (tmp_path / "x.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()


def test_frames_of_floats_are_written_by_pandas(tmp_path):
    frame = pd.DataFrame({"run": [0, 1], "roi": [0.1, np.nan]})
    write_frame_csv(tmp_path / "f.csv", frame)
    write_frame_csv(tmp_path / "f.csv", frame, append=True)
    frame.to_csv(tmp_path / "ref.csv", index=False)
    frame.to_csv(tmp_path / "ref.csv", index=False, header=False, mode="a")
    assert (tmp_path / "f.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()


def test_concat_mixes_packed_and_dense_and_pickles_only_the_rows():
    rng = np.random.default_rng(7)
    a, b = random_dense(rng, runs=4, steps=9), random_dense(rng, runs=3, steps=5, zero_runs=())
    c = PackedSeries.concat([scattered(a), b])
    assert c.shape == (7, 9, len(SERIES_COLUMNS))
    b9 = np.concatenate([b, np.zeros((3, 4, len(SERIES_COLUMNS)), np.int64)], axis=1)
    np.testing.assert_array_equal(c.dense, np.concatenate([a, b9]))
    s = scattered(a)
    again = pickle.loads(pickle.dumps(s))
    assert again.events.shape[0] == int(s.used.sum()) < s.events.shape[0]
    np.testing.assert_array_equal(again.dense, a)
    assert as_packed(again) is again


def test_run_files_equal_the_tables(tmp_path, monkeypatch):
    """Batch by batch, then rewritten at the end: the files equal the results' tables."""
    import importlib

    sim_module = importlib.import_module("smmsim.simulate")
    monkeypatch.setattr(sim_module, "MAX_BATCH_SERIES_BYTES", 1)  # batches of 16 runs
    sc = default_scenario().with_overrides({"audience.n": 2000, "simulation.steps": 400})
    writer = RunWriter(tmp_path / "a")
    frames = []

    def on_batch(runs, series):
        frames.append(series)
        writer(runs, series)

    res = simulate(sc, runs=100, rng=4, on_batch=on_batch, threads=1)
    assert len(frames) > 1
    # each batch's rows stop at its own last active step, never at the horizon
    assert all(f["step"].max() < 400 for f in frames)
    writer.finish(res, plots=False)
    res.timeseries.to_csv(tmp_path / "ref.csv", index=False)
    res.runs.to_csv(tmp_path / "runs.csv", index=False)
    assert (tmp_path / "a" / "timeseries.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
    assert (tmp_path / "a" / "runs.csv").read_bytes() == (tmp_path / "runs.csv").read_bytes()
    again = simulate(sc, runs=100, rng=4, threads=1)
    again.write(tmp_path / "b", plots=False)
    for name in ("timeseries.csv", "runs.csv"):
        assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "a" / name).read_bytes()
    back = pickle.loads(pickle.dumps(again))
    pd.testing.assert_frame_equal(back.timeseries, res.timeseries)
