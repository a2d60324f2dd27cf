"""Parameter sweeps: designs, errors, files, resume, and a real Dask cluster.

The cluster tests start a ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1 (module fixture, always stopped) and compare their tables with the local run
row for row; one test kills a worker mid-sweep, others interrupt a sweep and resume it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from smmsim.commands.sweep import sweep as sweep_command
from smmsim.scenario import ScenarioError, default_scenario
from smmsim.sweep import (
    STATS,
    Range,
    Sweep,
    SweepError,
    audience_cache_info,
    parameter_columns,
    read_manifest,
    read_sweep,
    run_sweep,
    variant_id,
    variant_seed,
)

N_USERS = 1500
RUNS = 40
GRID = ("content.stickiness=0.1:0.4:4", "seeding.k=1,5,20")


@pytest.fixture(scope="module")
def base():
    return default_scenario().with_overrides({"audience.n": N_USERS, "simulation.runs": RUNS})


@pytest.fixture(scope="module")
def design():
    return Sweep.from_specs(GRID)


@pytest.fixture(scope="module")
def local_table(base, design):
    """The reference: the grid run here, without Dask and without files."""
    return run_sweep(base, design, progress=False)


def invoke(*args):
    return CliRunner().invoke(sweep_command, [str(a) for a in args])


def cli_args(out, *extra):
    grids = [x for g in GRID for x in ("--grid", g)]
    return [
        *grids,
        "--set",
        f"audience.n={N_USERS}",
        "--runs",
        RUNS,
        "--no-progress",
        "--out",
        out,
        *extra,
    ]


def assert_same_table(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True
    )


# ---------------------------------------------------------------------------- designs
def test_grid_specs_ranges_lists_and_logs(base):
    d = Sweep.from_specs(
        [
            "content.stickiness=0.02:0.4:20",
            "seeding.k=1,5,20",
            "content.half_life=log:1:100:3",
        ]
    )
    variants = d.variants(base)
    assert len(variants) == 20 * 3 * 3
    assert d.describe() == "20 x 3 x 3 grid over content.stickiness, seeding.k, content.half_life"
    stick = sorted({v["content.stickiness"] for v in variants})
    assert stick[0] == 0.02 and stick[-1] == 0.4 and len(stick) == 20
    assert 0.22 in stick  # float noise rounded away (0.22000000000000003)
    assert sorted({v["content.half_life"] for v in variants}) == [1.0, 10.0, 100.0]
    # first key varies slowest
    assert [v["seeding.k"] for v in variants[:3]] == [1, 1, 1]
    assert isinstance(variants[0]["seeding.k"], int)
    assert isinstance(variants[0]["content.stickiness"], float)


def test_integer_keys_round_and_deduplicate(base):
    variants = Sweep.from_specs(["seeding.k=1:4:7"]).variants(base)
    assert [v["seeding.k"] for v in variants] == [1, 2, 3, 4]
    log = Sweep.from_specs(["seeding.k=log:1:100:5"]).variants(base)
    assert [v["seeding.k"] for v in log] == [1, 3, 10, 32, 100]


def test_yaml_values_in_lists(base):
    d = Sweep.from_specs(["content.half_life=null,5", "seeding.strategy=random,top_degree"])
    variants = d.variants(base)
    assert [v["content.half_life"] for v in variants[::2]] == [None, 5.0]
    assert {v["seeding.strategy"] for v in variants} == {"random", "top_degree"}


def test_python_constructors_agree_with_specs(base):
    a = Sweep.from_specs(["content.stickiness=0.1:0.3:3", "seeding.k=1,5"]).variants(base)
    b = Sweep.grid(
        {"content.stickiness": Range(0.1, 0.3, 3), "seeding.k": np.array([1, 5])}
    ).variants(base)
    c = Sweep.grid({"content.stickiness": "0.1:0.3:3", "seeding.k": [1, 5]}).variants(base)
    assert a == b == c
    listed = Sweep.from_variants(a).variants(base)
    assert listed == a
    again = Sweep.from_dict(Sweep.grid({"content.stickiness": "0.1:0.3:3"}).to_dict())
    assert again.variants(base) == Sweep.from_specs(["content.stickiness=0.1:0.3:3"]).variants(base)


def test_latin_hypercube_is_stratified_and_reproducible(base):
    n = 50
    d = Sweep.from_specs(
        ["content.stickiness=0.1:0.3", "content.half_life=log:1:100"], sample=f"lhs:{n}"
    )
    variants = d.variants(base)
    assert len(variants) == n
    s = np.array([v["content.stickiness"] for v in variants])
    h = np.array([v["content.half_life"] for v in variants])
    assert sorted(np.floor((s - 0.1) / 0.2 * n).astype(int)) == list(range(n))
    assert sorted(np.floor(np.log10(h) / 2 * n).astype(int)) == list(range(n))
    assert d.variants(base) == variants
    other_seed = base.with_overrides({"simulation.rng_seed": 7})
    assert d.variants(other_seed) != variants
    rand = Sweep.from_specs(["content.stickiness=0.1:0.3"], sample="random:20").variants(base)
    assert len(rand) == 20 and all(0.1 <= v["content.stickiness"] <= 0.3 for v in rand)


def test_unit_samples_are_stratified_balanced_and_seeded():
    from smmsim.sweep.design import unit_sample

    n, d = 32, 3
    for method in ("lhs", "sobol", "random"):
        u = unit_sample(method, n, d, seed=11)
        assert u.shape == (n, d) and ((u >= 0) & (u < 1)).all()
        assert np.array_equal(u, unit_sample(method, n, d, seed=11))
        assert not np.array_equal(u, unit_sample(method, n, d, seed=12))
    for method in ("lhs", "sobol"):  # one point per 1/n stratum on every axis
        u = unit_sample(method, n, d, seed=5)
        for col in u.T:
            assert sorted(np.floor(col * n).astype(int)) == list(range(n)), method
    u = unit_sample("sobol", n, d, seed=5)  # a (0, m, d)-net: balanced 2 x 2 cells
    for a in range(d):
        for b in range(a + 1, d):
            cells = np.floor(u[:, a] * 2) * 2 + np.floor(u[:, b] * 2)
            assert np.bincount(cells.astype(int), minlength=4).tolist() == [n // 4] * 4


def test_sobol_designs_round_trip_and_stay_in_bounds(base):
    d = Sweep.from_specs(
        ["content.stickiness=0.1:0.3", "seeding.k=1:20", "seeding.strategy=random,top_degree"],
        sample="sobol:16",
    )
    assert d.method == "sobol"
    assert d.describe().startswith("Sobol sample of 16")
    variants = d.variants(base)
    assert 1 < len(variants) <= 16
    assert all(0.1 <= v["content.stickiness"] <= 0.3 for v in variants)
    assert all(isinstance(v["seeding.k"], int) and 1 <= v["seeding.k"] <= 20 for v in variants)
    assert Sweep.from_dict(d.to_dict()).variants(base) == variants
    assert d.variants(base) == variants


def test_samples_of_few_values_are_deduplicated(base):
    d = Sweep.from_specs(["seeding.k=1:3", "seeding.strategy=random,top_degree"], sample="lhs:40")
    variants = d.variants(base)
    assert len(variants) == len({variant_id(v) for v in variants}) <= 6
    assert {v["seeding.k"] for v in variants} == {1, 2, 3}


def test_variant_identity_is_the_parameters_not_the_position():
    a = {"content.stickiness": 0.2, "seeding.k": 5}
    b = {"seeding.k": 5, "content.stickiness": 0.2}
    assert variant_id(a) == variant_id(b)
    assert variant_seed(42, a) == variant_seed(42, b)
    assert variant_seed(42, a) != variant_seed(43, a)
    assert variant_seed(42, a) != variant_seed(42, {**a, "seeding.k": 6})
    assert 0 <= variant_seed(42, a) < 2**63


@pytest.mark.parametrize(
    ("grid", "needles"),
    [
        ("content.stickiness=0.1:1.5:3", ["content.stickiness", "probability in [0, 1]", "1.5"]),
        ("content.stickines=0.1,0.2", ["content.stickines", "allows", "stickiness"]),
        ("content.stickiness=0.1:0.3:x", ["content.stickiness", "START:STOP:COUNT"]),
        ("content.stickiness=0.1:0.3", ["content.stickiness", "needs a count"]),
        ("content.stickiness=log:0:1:3", ["content.stickiness", "log range", "> 0"]),
        ("seeding.k=0,5", ["seeding.k", "integer >= 1"]),
        ("seeding.k=2.5", ["seeding.k", "integer"]),
        ("audience.m=2,3", ["audience.m", "erdos_renyi allows", "mean_degree"]),
        ("content=0.2", ["content", "section"]),
        ("content.stickiness=", ["content.stickiness", "START:STOP:COUNT"]),
        ("stickiness", ["KEY=VALUES"]),
    ],
)
def test_bad_grids_are_one_line_errors(tmp_path, grid, needles):
    if grid.startswith("audience.m"):
        args = ["--set", "audience.generator=erdos_renyi"]
    else:
        args = []
    result = invoke("--grid", grid, *args, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    text = result.output.strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    for needle in needles:
        assert needle in text, text
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--grid", "seeding.k=1", "--sample", "lhs:x"], "--sample"),
        (["--grid", "seeding.k=1", "--workers", "2", "--scheduler", "tcp://a:1"], "together"),
        (["--grid", "seeding.k=1", "--plot", "rech"], "unknown metric"),
        ([], "--grid"),
        (["--grid", "seeding.k=1", "--grid", "seeding.k=2"], "given twice"),
        (["--grid", "funnel.conversion=0.1,0.6"], "referral_multiplier"),
    ],
)
def test_bad_options_are_one_line_errors(tmp_path, args, needle):
    result = invoke(*args, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert needle in result.output


def test_library_errors_name_the_key(base):
    with pytest.raises(ScenarioError, match=r"^sweep: content.visibility: must be a probability"):
        Sweep.grid({"content.visibility": [0.5, 2.0]}).variants(base)
    with pytest.raises(SweepError, match="lhs, sobol or random"):
        Sweep.sample({"content.visibility": "0:1"}, 5, method="halton")


# ---------------------------------------------------------------------------- local runs
def test_table_has_one_row_per_variant_with_statistics(local_table, design, base):
    t = local_table
    assert len(t) == 12
    assert list(t["variant"]) == list(range(12))
    assert parameter_columns(t) == ["content.stickiness", "seeding.k"]
    assert t["variant_id"].is_unique
    assert (t["runs"] == RUNS).all()
    for metric in ("reach", "earned_reach", "conversions", "viral", "roi"):
        for stat in STATS:
            assert f"{metric}_{stat}" in t.columns
        assert (t[f"{metric}_ci_low"] <= t[f"{metric}_mean"] + 1e-12).all()
        assert (t[f"{metric}_mean"] <= t[f"{metric}_ci_high"] + 1e-12).all()
    assert (t["seeds_mean"] == t["seeding.k"]).all()
    # more stickiness, more reach (same seeding)
    for _, g in t.groupby("seeding.k"):
        assert g.sort_values("content.stickiness")["reach_mean"].is_monotonic_increasing
    # theory K grows in proportion to stickiness
    k = t["theory_k_factor"] / t["content.stickiness"]
    assert np.allclose(k, k.iloc[0])
    # a variant's row is the simulation of that variant with its seed
    from smmsim.simulate import simulate

    row = t.iloc[5]
    sc = base.with_overrides(
        {"content.stickiness": row["content.stickiness"], "seeding.k": int(row["seeding.k"])}
    )
    res = simulate(sc, rng=int(row["rng_seed"]))
    assert res.mean("reach") == row["reach_mean"]
    assert float(res.summary.at["roi", "ci_high"]) == row["roi_ci_high"]


def test_rows_do_not_depend_on_design_order(base, local_table):
    reversed_design = Sweep.from_specs(["seeding.k=20,5,1", "content.stickiness=0.4:0.1:4"])
    t = run_sweep(base, reversed_design, progress=False)
    a = local_table.set_index("variant_id").drop(columns="variant")
    b = t.set_index("variant_id").drop(columns="variant")[a.columns]
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index(), check_exact=True)


def test_common_random_numbers_share_the_base_seed(base):
    d = Sweep.from_specs(["funnel.conversion=0.01,0.05"])
    t = run_sweep(base, d, progress=False, common_random_numbers=True)
    assert (t["rng_seed"] == base.simulation["rng_seed"]).all()
    # conversions draw from their own streams: cascades are identical
    assert t["reach_mean"].nunique() == 1
    assert t["conversions_mean"].iloc[1] > t["conversions_mean"].iloc[0]


def test_audience_is_built_once_per_process(base):
    audience_cache_info(clear=True)
    run_sweep(base, Sweep.from_specs(["content.stickiness=0.1:0.3:3"]), runs=5, progress=False)
    assert audience_cache_info()["builds"] == 1
    audience_cache_info(clear=True)
    run_sweep(
        base,
        Sweep.from_specs(["content.stickiness=0.1,0.2", "audience.n=400,500"]),
        runs=5,
        progress=False,
    )
    info = audience_cache_info(clear=True)
    assert info["builds"] == 2 and info["hits"] == 2


def test_out_dir_files_and_manifest(tmp_path, base, design, local_table):
    out = tmp_path / "sweep"
    t = run_sweep(base, design, out, csv=True, progress=False)
    assert_same_table(t, local_table)
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "results.csv",
        "results.parquet",
    ]
    assert_same_table(pd.read_parquet(out / "results.parquet"), local_table)
    assert_same_table(read_sweep(out), local_table)
    csv = pd.read_csv(out / "results.csv")
    assert list(csv.columns) == list(local_table.columns)
    assert np.allclose(csv["reach_mean"], local_table["reach_mean"])
    m = read_manifest(out)
    assert m["version"] and m["base"] == base.to_dict()
    assert m["design"]["method"] == "grid"
    assert m["keys"] == ["content.stickiness", "seeding.k"]
    assert [v["variant_id"] for v in m["variants"]] == list(local_table["variant_id"])
    assert json.loads((out / "manifest.json").read_text()) == m


def test_progress_bar_counts_variants(base, capsys):
    run_sweep(base, Sweep.from_specs(["seeding.k=1,2"]), runs=5, progress=True)
    err = capsys.readouterr().err
    assert "variant" in err and "2/2" in err


def test_folder_with_another_sweep_is_refused(tmp_path, base, design):
    out = tmp_path / "sweep"
    run_sweep(base, Sweep.from_specs(["seeding.k=1,5"]), out, runs=5, progress=False)
    with pytest.raises(SweepError, match=r"holds a different sweep \(it sweeps seeding.k"):
        run_sweep(base, design, out, runs=5, resume=True, progress=False)
    other = base.with_overrides({"content.visibility": 0.6})
    result = invoke("--grid", "seeding.k=1,5", "--runs", 5, "--out", out, "--resume")
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "audience.n" in result.output  # the base differs: N_USERS vs the default
    with pytest.raises(SweepError, match=r"content\.visibility: 0\.5 there, 0\.6 here"):
        run_sweep(other, Sweep.from_specs(["seeding.k=1,5"]), out, runs=5, resume=True)
    with pytest.raises(SweepError, match=r"already holds this sweep \(2 of 2 variants done\)"):
        run_sweep(base, Sweep.from_specs(["seeding.k=1,5"]), out, runs=5, progress=False)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("mine")
    with pytest.raises(SweepError, match="not empty and holds no sweep"):
        run_sweep(base, design, tmp_path / "junk", progress=False)


def test_interrupted_sweep_keeps_finished_variants_and_resumes(tmp_path, base, design, local_table):
    out = tmp_path / "sweep"
    seen = []

    def stop_after_five(rows):
        seen.extend(rows["variant_id"])
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(base, design, out, progress=False, on_result=stop_after_five)
    partial = read_sweep(out)
    assert list(partial["variant_id"]) == seen
    assert_same_table(partial, local_table.iloc[:5])
    assert not (out / "results.parquet").exists()
    assert list((out / "parts").glob("*.parquet"))

    ran = []
    t = run_sweep(
        base, design, out, resume=True, progress=False, on_result=lambda r: ran.extend(r["variant"])
    )
    assert sorted(ran) == list(range(5, 12))
    assert t.attrs["sweep"]["ran"] == 7 and t.attrs["sweep"]["done_before"] == 5
    assert_same_table(t, local_table)
    assert_same_table(pd.read_parquet(out / "results.parquet"), local_table)
    assert not (out / "parts").exists()
    again = run_sweep(base, design, out, resume=True, progress=False)
    assert again.attrs["sweep"]["ran"] == 0
    assert_same_table(again, local_table)


def test_half_written_part_files_are_ignored(tmp_path, base, design, local_table):
    out = tmp_path / "sweep"

    def stop(rows):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(base, design, out, progress=False, on_result=stop)
    (out / "parts" / ".part-0000009-deadbeef.parquet.1234.tmp").write_bytes(b"PAR1 trunc")
    t = run_sweep(base, design, out, resume=True, progress=False)
    assert_same_table(t, local_table)


def _sweep_process(*args) -> subprocess.Popen:
    """``smmsim sweep ARGS`` in a child process (one numba thread, output captured)."""
    code = "from smmsim.commands.sweep import sweep; sweep()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NUMBA_NUM_THREADS": "1"},
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "crash"])
def test_stopped_command_resumes_without_duplicates(tmp_path, sig):
    # 60 variants on a bigger audience, with enough runs each to take several seconds
    # in all: long enough to be stopped part-way (parts are flushed every second)
    grid = ["content.stickiness=0.1:0.4:20", "seeding.k=1,5,20"]
    out = tmp_path / "sweep"
    grid_args = [x for g in grid for x in ("--grid", g)]
    proc = _sweep_process(
        *grid_args, "--set", "audience.n=4000", "--runs", 2000, "--no-progress", "--out", out
    )
    try:
        deadline = time.monotonic() + 120
        while not list((out / "parts").glob("part-*.parquet")):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no part file appeared"
            time.sleep(0.05)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if sig == signal.SIGINT:
        assert proc.returncode == 130, err
        assert "--resume" in err and "Traceback" not in err
    else:
        assert proc.returncode == -signal.SIGKILL
    partial = read_sweep(out)
    assert 0 < len(partial) < 60
    assert partial["variant_id"].is_unique

    result = invoke("--resume", "--out", out, "--no-progress")
    assert result.exit_code == 0, result.output
    assert f"({len(partial)} were already done)" in result.output
    final = pd.read_parquet(out / "results.parquet")
    assert len(final) == 60 and final["variant_id"].is_unique
    base = default_scenario().with_overrides({"audience.n": 4000})
    reference = run_sweep(base, Sweep.from_specs(grid), runs=2000, progress=False)
    assert_same_table(final, reference)


def test_cli_local_run_writes_table_and_plots(tmp_path, local_table):
    out = tmp_path / "sweep"
    result = invoke(*cli_args(out, "--csv", "--plot", "reach"))
    assert result.exit_code == 0, result.output
    assert "Ran 12 of 12 variants (4 x 3 grid over content.stickiness, seeding.k" in result.output
    assert "p_viral" in result.output
    for name in ("results.parquet", "results.csv", "manifest.json", "reach.png"):
        assert (out / name).is_file(), name
        assert name in result.output
    assert (out / "reach_heatmap.png").is_file()
    assert_same_table(pd.read_parquet(out / "results.parquet"), local_table)
    again = invoke(*cli_args(out))
    assert again.exit_code == 2 and "--resume" in again.output


# ---------------------------------------------------------------------------- plots
def test_plots_return_axes(local_table):
    import matplotlib.pyplot as plt

    from smmsim.plots.sweep import plot_heatmap, plot_metric

    ax = plot_metric(local_table, "earned_reach", "content.stickiness")
    assert len(ax.lines) == 3  # one per seeding.k
    assert len(ax.collections) == 3  # confidence bands
    assert ax.get_xlabel() == "Stickiness"  # content.stickiness in words
    _, own = plt.subplots()
    assert plot_metric(local_table, "theory_k_factor", "content.stickiness", ax=own) is own
    hm = plot_heatmap(local_table, "viral", "content.stickiness", "seeding.k")
    assert hm.images[0].get_array().shape == (3, 4)
    with pytest.raises(ValueError, match="unknown metric 'rech'"):
        plot_metric(local_table, "rech", "content.stickiness")
    with pytest.raises(ValueError, match=r"swept parameters are content\.stickiness, seeding\.k"):
        plot_heatmap(local_table, "reach", "content.stickiness", "seeding.x")
    plt.close("all")


# ---------------------------------------------------------------------------- Dask
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(args: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, "NUMBA_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    with open(log, "w") as fh:
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *args],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _worker(address: str, name: str, logs: Path) -> subprocess.Popen:
    return _spawn(
        [
            "worker",
            address,
            "--name",
            name,
            "--nthreads",
            "1",
            "--no-nanny",
            "--no-dashboard",
            "--host",
            "127.0.0.1",
            "--memory-limit",
            "0",
        ],
        logs / f"{name}.log",
    )


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real scheduler and two workers on 127.0.0.1, stopped whatever happens."""
    pytest.importorskip("distributed")
    from distributed import Client

    logs = tmp_path_factory.mktemp("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = []
    try:
        procs.append(
            _spawn(
                ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                logs / "scheduler.log",
            )
        )
        procs += [_worker(address, f"worker-{i}", logs) for i in range(2)]
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield {"address": address, "logs": logs, "procs": procs}
    finally:
        for proc in reversed(procs):
            _stop(proc)


@pytest.fixture
def client(dask_cluster):
    from distributed import Client

    with Client(dask_cluster["address"], timeout=60) as c:
        yield c


def test_cluster_run_matches_local_row_for_row(tmp_path, dask_cluster, client, local_table):
    from smmsim.sweep import audience_cache_info as info

    out = tmp_path / "sweep"
    result = invoke(*cli_args(out, "--scheduler", dask_cluster["address"], "--batch-size", 2))
    assert result.exit_code == 0, result.output
    assert "on the Dask cluster at tcp://127.0.0.1" in result.output
    assert_same_table(pd.read_parquet(out / "results.parquet"), local_table)
    # each worker built the one audience at most once, whatever number of tasks it ran
    per_worker = client.run(info)
    assert len(per_worker) == 2
    assert all(w["builds"] <= 1 for w in per_worker.values()), per_worker
    assert sum(w["builds"] + w["hits"] for w in per_worker.values()) >= 12


def test_cluster_run_with_two_audiences(base, client):
    d = Sweep.from_specs(["content.stickiness=0.2,0.3", "audience.n=300,400,500"])
    local = run_sweep(base, d, runs=10, progress=False)
    remote = run_sweep(base, d, runs=10, client=client, batch_size=1, progress=False)
    assert_same_table(remote, local)


def test_worker_killed_mid_sweep_is_replaced_by_dask(tmp_path, dask_cluster, client):
    base = default_scenario().with_overrides({"audience.n": 3000})
    design = Sweep.from_specs(["content.stickiness=0.1:0.4:12", "seeding.k=1,10"])
    victim = _worker(dask_cluster["address"], "victim", dask_cluster["logs"])
    try:
        client.wait_for_workers(3, timeout=120)
        address = next(
            a for a, w in client.scheduler_info()["workers"].items() if w["name"] == "victim"
        )
        killed = {}

        def kill_when_busy(rows):
            if not killed and client.processing(workers=[address]).get(address):
                victim.kill()
                victim.wait(timeout=10)
                killed["after"] = len(rows)

        t = run_sweep(
            base,
            design,
            tmp_path / "sweep",
            runs=150,
            client=client,
            batch_size=1,
            progress=False,
            on_result=kill_when_busy,
        )
    finally:
        _stop(victim)
    assert killed, "the victim worker never had a task to lose"
    assert len(t) == 24 and t["variant_id"].is_unique
    local = run_sweep(base, design, runs=150, progress=False)
    assert_same_table(t, local)
    assert_same_table(pd.read_parquet(tmp_path / "sweep" / "results.parquet"), local)


def test_edgelist_audience_is_sent_to_workers_not_read_there(tmp_path, client):
    from smmsim.scenario import scenario_from_dict
    from smmsim.sweep import audience_cache_info as info

    rng = np.random.default_rng(3)
    edges = rng.integers(0, 300, size=(1200, 2))
    path = tmp_path / "ties.txt"
    path.write_text("".join(f"{u} {v}\n" for u, v in edges if u != v))
    base = scenario_from_dict(
        {"audience": {"generator": "edgelist", "path": "ties.txt"}, "seeding": {"k": 3}},
        base_dir=tmp_path,
    )
    client.run(info, clear=True)
    d = Sweep.from_specs(["content.stickiness=0.2,0.3,0.4"])
    remote = run_sweep(base, d, runs=20, client=client, batch_size=1, progress=False)
    assert all(w["builds"] == 0 for w in client.run(info).values())
    assert_same_table(remote, run_sweep(base, d, runs=20, progress=False))


def test_cli_workers_starts_and_stops_a_local_cluster(tmp_path):
    out = tmp_path / "sweep"
    result = invoke(
        "--grid", "seeding.k=1,5", "--set", "audience.n=500", "--runs", 10,
        "--workers", 1, "--no-progress", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "on a local Dask cluster of 1 workers" in result.output
    base = default_scenario().with_overrides({"audience.n": 500})
    local = run_sweep(base, Sweep.from_specs(["seeding.k=1,5"]), runs=10, progress=False)
    assert_same_table(pd.read_parquet(out / "results.parquet"), local)
