"""Time a parameter sweep: here, on a two-worker Dask cluster, and one ``smmsim run`` at a time.

The design is a 20 x 10 grid (200 variants) over ``content.stickiness`` (0.02 to 0.4,
from well below to well above the virality threshold) and ``seeding.k`` (1 to 1000
seeds), each variant 1,000 Monte Carlo runs on a 100,000-user Barabási-Albert audience.

Usage::

    python benchmarks/bench_sweep.py                      # everything, default sizes
    python benchmarks/bench_sweep.py --skip-cluster --cli-sample 3
    python benchmarks/bench_sweep.py --n 20000 --runs 200 --json sweep_bench.json

What is timed:

* ``local``: :func:`smmsim.sweep.run_sweep` without a client (one variant at a time in
  this process, every core through numba's threads), writing part files and the
  final table to a temporary folder.
* ``cluster``: the same sweep through ``distributed.LocalCluster`` with ``--workers``
  worker processes (one task thread each; the cores are shared between their numba
  thread pools). Starting the cluster is timed apart; the sweep's wall time includes
  each worker's first audience build and numba cache load. Its table is checked
  against the local one row for row.
* ``one at a time``: ``smmsim run --set ... --runs R --rng-seed S`` in a fresh process
  for ``--cli-sample`` variants spread evenly through the design (the cheap and the
  expensive ones), extrapolated to the whole design.

The sweep's overhead per variant is its wall time minus the time spent inside
``simulate`` calls, divided by the number of variants: what the sweep machinery
(variant scenarios, rows, part files, the final table, the audience build) adds.
Numba's JIT caches are warmed first, so compilation is not counted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numba
import pandas as pd

from smmsim import default_scenario, simulate
from smmsim.sweep import Sweep, audience_cache_info, run_sweep

STICKINESS = "content.stickiness=0.02:0.4:20"
SEEDS = "seeding.k=1,2,5,10,20,50,100,200,500,1000"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=100_000, help="audience size (users)")
    p.add_argument("--runs", type=int, default=1000, help="Monte Carlo runs per variant")
    p.add_argument("--workers", type=int, default=2, help="Dask workers for the cluster run")
    p.add_argument("--cli-sample", type=int, default=5, help="variants timed with smmsim run")
    p.add_argument("--skip-local", action="store_true")
    p.add_argument("--skip-cluster", action="store_true")
    p.add_argument("--skip-cli", action="store_true")
    p.add_argument("--json", help="also write the figures to this JSON file")
    return p.parse_args()


def warm_up() -> None:
    """Load (or compile) the numba kernels on a tiny audience."""
    small = default_scenario().with_overrides({"audience.n": 500})
    simulate(small, runs=20, progress=False)


def smmsim_command() -> list[str]:
    exe = shutil.which("smmsim")
    return [exe] if exe else [sys.executable, "-c", "from smmsim.cli import main; main()"]


def time_local(base, design, out: str) -> tuple[pd.DataFrame, dict]:
    audience_cache_info(clear=True)
    t0 = time.perf_counter()
    table = run_sweep(base, design, out, progress=False)
    wall = time.perf_counter() - t0
    info = table.attrs["sweep"]
    cache = audience_cache_info()
    n = len(table)
    return table, {
        "wall_s": wall,
        "variants_per_s": n / wall,
        "simulate_calls_s": info["call_s"],
        "kernel_loop_s": info["simulate_s"],
        "audience_build_s": cache["build_s"],
        "overhead_per_variant_s": (wall - info["call_s"]) / n,
        "overhead_excl_audience_per_variant_s": (wall - info["call_s"] - cache["build_s"]) / n,
        "simulate_per_variant_s": info["call_s"] / n,
        "simulate_outside_kernel_loop_per_variant_s": (info["call_s"] - info["simulate_s"]) / n,
    }


def time_cluster(base, design, workers: int, out: str) -> tuple[pd.DataFrame, dict]:
    from distributed import Client, LocalCluster

    per_worker = max(1, (os.cpu_count() or 1) // workers)
    t0 = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never clash with another cluster
            silence_logs=logging.ERROR,
            env={"NUMBA_NUM_THREADS": str(per_worker)},
        ) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter() - t0
        t0 = time.perf_counter()
        table = run_sweep(base, design, out, client=client, progress=False)
        wall = time.perf_counter() - t0
        builds = client.run(audience_cache_info)
    info = table.attrs["sweep"]
    n = len(table)
    return table, {
        "workers": workers,
        "numba_threads_per_worker": per_worker,
        "cluster_start_s": start,
        "wall_s": wall,
        "variants_per_s": n / wall,
        "simulate_calls_s_all_workers": info["call_s"],
        "audience_builds_per_worker": {k: v["builds"] for k, v in builds.items()},
    }


def time_cli(base, variants: list[dict], sample: int) -> dict:
    picks = sorted({round(i * (len(variants) - 1) / max(sample - 1, 1)) for i in range(sample)})
    cmd = smmsim_command()
    times = []
    for i in picks:
        v = variants[i]
        sets = [x for k, val in v.items() for x in ("--set", f"{k}={val}")]
        args = [
            *cmd,
            "run",
            "--set",
            f"audience.n={base.audience['n']}",
            *sets,
            "--runs",
            str(base.simulation["runs"]),
            "--rng-seed",
            str(base.simulation["rng_seed"]),
            "--no-progress",
        ]
        t0 = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
        print(f"  smmsim run {' '.join(sets)}: {times[-1]:.2f} s", flush=True)
    mean = sum(times) / len(times)
    return {
        "sampled": len(times),
        "seconds": times,
        "mean_per_variant_s": mean,
        "estimated_total_s": mean * len(variants),
        "variants_per_s": 1 / mean,
    }


def main() -> None:
    args = parse_args()
    base = default_scenario().with_overrides(
        {"audience.n": args.n, "simulation.runs": args.runs, "simulation.rng_seed": 42}
    )
    design = Sweep.from_specs([STICKINESS, SEEDS])
    variants = design.variants(base)
    print(
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"numba {numba.__version__} with {numba.get_num_threads()} threads, "
        f"Python {platform.python_version()}"
    )
    print(
        f"design: {design.describe()}: {len(variants)} variants x {args.runs:,} runs on a "
        f"{args.n:,}-user Barabási-Albert audience (m=4)",
        flush=True,
    )
    warm_up()
    report: dict = {
        "cpus": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
        "variants": len(variants),
        "runs": args.runs,
        "users": args.n,
    }
    tmp = tempfile.mkdtemp(prefix="smmsim-bench-")
    try:
        local = None
        if not args.skip_local:
            local, report["local"] = time_local(base, design, os.path.join(tmp, "local"))
            r = report["local"]
            print(
                f"local sweep:        {r['wall_s']:8.1f} s  {r['variants_per_s']:6.2f} variants/s"
                f"  (simulate calls {r['simulate_calls_s']:.1f} s; audience built once in "
                f"{r['audience_build_s']:.2f} s)",
                flush=True,
            )
            print(
                f"  sweep overhead per variant: {r['overhead_per_variant_s'] * 1000:.1f} ms "
                f"({r['overhead_excl_audience_per_variant_s'] * 1000:.1f} ms without the "
                f"audience build) vs {r['simulate_per_variant_s'] * 1000:.0f} ms simulating "
                f"({r['overhead_per_variant_s'] / r['simulate_per_variant_s']:.1%}); inside "
                f"simulate, outside its kernel loop: "
                f"{r['simulate_outside_kernel_loop_per_variant_s'] * 1000:.0f} ms",
                flush=True,
            )
        if not args.skip_cluster:
            table, report["cluster"] = time_cluster(
                base, design, args.workers, os.path.join(tmp, "cluster")
            )
            r = report["cluster"]
            print(
                f"{args.workers}-worker cluster:   {r['wall_s']:8.1f} s  "
                f"{r['variants_per_s']:6.2f} variants/s  (cluster start "
                f"{r['cluster_start_s']:.1f} s not included; {r['numba_threads_per_worker']} "
                f"numba threads per worker; audience builds per worker "
                f"{sorted(r['audience_builds_per_worker'].values())})",
                flush=True,
            )
            if local is not None:
                pd.testing.assert_frame_equal(local, table, check_exact=True)
                print("  cluster table == local table, row for row", flush=True)
        if not args.skip_cli:
            print(f"one smmsim run per variant ({args.cli_sample} sampled):", flush=True)
            report["one_at_a_time"] = time_cli(base, variants, args.cli_sample)
            r = report["one_at_a_time"]
            print(
                f"one at a time:      {r['estimated_total_s']:8.1f} s  "
                f"{r['variants_per_s']:6.2f} variants/s  (estimated from "
                f"{r['sampled']} runs, {r['mean_per_variant_s']:.2f} s each)",
                flush=True,
            )
        if "one_at_a_time" in report:
            ref = report["one_at_a_time"]["variants_per_s"]
            for name in ("local", "cluster"):
                if name in report:
                    report[name]["speedup_vs_one_at_a_time"] = report[name]["variants_per_s"] / ref
                    print(
                        f"{name} speed-up over one smmsim run at a time: "
                        f"{report[name]['speedup_vs_one_at_a_time']:.1f}x"
                    )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2, default=str)


if __name__ == "__main__":
    main()
