"""Ctrl-C: a running kernel is interrupted, and an interrupted ``run --out`` keeps the
finished runs, consistently, and says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

import smmsim
from smmsim._kernel_thread import call_interruptibly
from smmsim.results import RunWriter
from smmsim.simulate import SimulationInterrupted

ROOT = Path(__file__).resolve().parents[1]
#: a safety net against a hung child, never a statement about speed
GUARD_SECONDS = 900

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")


def test_ctrl_c_lands_while_a_long_call_still_runs():
    """The main thread waits for the call in short slices, so SIGINT interrupts the wait
    while the call is still running (here: blocked until the test releases it)."""
    started, release = threading.Event(), threading.Event()
    finished = []

    def long_kernel():
        started.set()
        release.wait()
        finished.append(True)
        return 42

    def press_ctrl_c():
        started.wait()
        os.kill(os.getpid(), signal.SIGINT)

    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            call_interruptibly(long_kernel)
        assert finished == []  # interrupted before the call returned
    finally:
        release.set()
        presser.join()
    # the worker goes on serving calls, in order, after the abandoned one
    assert call_interruptibly(lambda x: x + 1, 1) == 2
    assert finished == [True]


def test_errors_and_values_cross_the_worker_thread():
    assert call_interruptibly(sorted, [3, 1, 2]) == [1, 2, 3]
    with pytest.raises(ZeroDivisionError):
        call_interruptibly(lambda: 1 / 0)


def test_interrupted_simulate_returns_the_finished_runs(tmp_path, monkeypatch):
    """Ctrl-C after some batches: the exception carries their results, and the files
    hold exactly those runs."""
    scenario = smmsim.default_scenario().with_overrides({"audience.n": 500, "simulation.steps": 12})
    writer = RunWriter(tmp_path)
    calls = []

    def on_batch(runs, series):
        writer(runs, series)
        calls.append(len(runs))
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(SimulationInterrupted) as info:
        smmsim.simulate(scenario, runs=100_000, rng=5, on_batch=on_batch)
    res = info.value.results
    assert info.value.requested == 100_000
    assert res.n_runs == sum(calls) == len(res.runs)
    assert res.extra["interrupted"] is True
    assert res.scenario["simulation"]["runs"] == res.n_runs
    writer.finish(res, plots=False)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["interrupted"] is True and summary["runs"] == res.n_runs
    assert summary["runs_requested"] == 100_000
    assert len(pd.read_csv(tmp_path / "runs.csv")) == res.n_runs
    # the same runs, not a prefix of other ones: a fresh ensemble of that size agrees
    again = smmsim.simulate(scenario, runs=res.n_runs, rng=5)
    pd.testing.assert_frame_equal(again.runs, res.runs)


def test_reused_folder_never_mixes_runs(tmp_path):
    scenario = smmsim.default_scenario().with_overrides({"audience.n": 300, "simulation.steps": 10})
    first = smmsim.simulate(scenario, runs=20, rng=1)
    first.write(tmp_path)
    (tmp_path / "notes.txt").write_text("mine\n")
    listed = json.loads((tmp_path / "summary.json").read_text())["files"]
    assert set(listed) >= {"summary.json", "runs.csv", "timeseries.csv", "adoption.png"}
    writer = RunWriter(tmp_path)
    second = smmsim.simulate(scenario, runs=7, rng=2, on_batch=writer)
    assert {p.name for p in writer.removed} == set(listed)
    assert not (tmp_path / "adoption.png").exists()  # the older run's plot is gone
    writer.finish(second, plots=False)
    assert (tmp_path / "notes.txt").read_text() == "mine\n"  # not ours: left alone
    assert len(pd.read_csv(tmp_path / "runs.csv")) == 7
    summary = json.loads((tmp_path / "summary.json").read_text())
    # the runs done, not the scenario's simulation.runs (1,000)
    assert summary["runs"] == summary["scenario"]["simulation"]["runs"] == 7


@pytest.mark.parametrize("signals", [1, 2], ids=["once", "twice"])
def test_ctrl_c_during_run_out_keeps_a_consistent_summary(tmp_path, signals):
    """SIGINT to ``python -m smmsim run --out`` while it runs: exit 130, one line saying
    what was kept, and files that agree with each other; the same when the signal comes
    twice back to back (Ctrl-C pressed twice, or ``timeout``, which signals the process
    and then its group)."""
    out = tmp_path / "res"
    out.mkdir()
    (out / "summary.json").write_text('{"runs": 999, "files": ["referral_tree.png"]}')
    (out / "referral_tree.png").write_bytes(b"an older run's plot")
    args = [sys.executable, "-m", "smmsim", "run", "--runs", "2000000", "--rng-seed", "4"]
    args += ["--set", "audience.n=50000", "--no-progress", "--out", str(out)]
    child = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + GUARD_SECONDS
        # wait until some runs are written (and the older run's files are gone)
        while not (out / "runs.csv").exists() and child.poll() is None:
            assert time.monotonic() < deadline, "the run never started"
            time.sleep(0.05)
        assert child.poll() is None, child.communicate()
        time.sleep(0.5)  # let it get into the middle of a batch
        for _ in range(signals):
            child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=GUARD_SECONDS)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 130, stderr
    assert "Traceback" not in stderr and "Aborted" not in stderr
    kept = [line for line in stderr.splitlines() if line.startswith("Interrupted: kept the ")]
    assert len(kept) == 1 and "of 2,000,000 runs" in kept[0], stderr
    assert "Replaced an older run's files" in stderr
    assert "Reach" in stdout  # the report of the finished runs
    summary = json.loads((out / "summary.json").read_text())
    runs = pd.read_csv(out / "runs.csv")
    series = pd.read_csv(out / "timeseries.csv")
    assert summary["interrupted"] is True
    assert 0 < summary["runs"] == len(runs) < 2_000_000
    assert summary["scenario"]["simulation"]["runs"] == summary["runs"]
    assert f"{summary['runs']:,} of 2,000,000 runs" in kept[0]
    assert runs["run"].tolist() == list(range(len(runs)))
    assert set(series["run"]) == set(runs["run"])
    assert not (out / "referral_tree.png").exists()
    assert summary["files"] == ["summary.json", "runs.csv", "timeseries.csv"]


def test_a_second_ctrl_c_while_summarising_is_ignored():
    """While simulate() summarises the finished runs after a Ctrl-C, a second one must
    not interrupt it (it used to lose summary.json); outside, Ctrl-C is as before."""
    from smmsim._kernel_thread import check_interrupt, deferred_interrupt

    before = signal.getsignal(signal.SIGINT)
    summarised = False
    with deferred_interrupt():
        try:
            signal.raise_signal(signal.SIGINT)
            check_interrupt()  # held back until this safe point
            time.sleep(1)  # pragma: no cover - the interrupt is raised before
        except KeyboardInterrupt:
            signal.raise_signal(signal.SIGINT)  # the second one: ignored
            summarised = True
    assert summarised
    assert signal.getsignal(signal.SIGINT) is before
