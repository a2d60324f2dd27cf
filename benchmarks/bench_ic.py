"""Core engine performance: smmsim against CyNetDiff, EoN and a plain BFS, side by side.

Usage::

    python benchmarks/bench_ic.py                 # everything (about 10 minutes)
    python benchmarks/bench_ic.py --quick         # smaller smoke version (about a minute)
    python benchmarks/bench_ic.py --only mc       # one section: mc, dense or cli
    python benchmarks/bench_ic.py --skip-eon --repeats 7 --json out/bench_ic.json

Sections (see benchmarks/README.md):

``mc``
    Monte Carlo throughput of a plain independent cascade (visibility = p, stickiness =
    contagion = 1, no conversions) on a Barabási-Albert audience (1,000,000 users, m=5),
    the same 10 random seed users for every tool, p = 0.05 and p = 0.01: smmsim's normal
    path (``simulate()`` with every metric) on 1 and 2 threads, its kernel alone,
    CyNetDiff single-threaded and EoN. Also checks that the mean number of activated
    users agrees between the tools.
``dense``
    One supercritical cascade on an Erdős-Rényi audience (100,000 users, mean degree 10,
    p = 0.2) from one random seed: time per large cascade of smmsim's kernel and normal
    path against a plain numba BFS over the same graph from the same user and against
    CyNetDiff.
``fresh``
    Small cascades called as a user calls them: on the Monte Carlo audience at p = 0.01,
    a fresh ``simulate(runs=200_000)`` (every metric, the theory, the summary) after one
    small warm-up call, against CyNetDiff's own C++ Monte Carlo loop
    (``compute_marginal_gains(seeds, [], runs)``), five interleaved pairs, median of the
    paired ratios; and the same call on 2 threads against 1 (the scaling).
``cli``
    ``smmsim run`` of the built-in scenario as a subprocess, with the numba cache warm
    and cold (an empty ``NUMBA_CACHE_DIR``).

Every comparison is a ratio of timings taken in the same process (the CLI's in the same
script), interleaved repeat by repeat, and the medians are reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import (
    CyNetDiffIC,
    Sample,
    bfs_reached,
    cynetdiff_arrays,
    eon_runs,
    fmt_rate,
    fmt_ratio,
    format_table,
    loadavg,
    machine,
    median,
    stratified_seconds_per_run,
    timed,
    timed_cpu,
    wait_for_quiet,
)

from smmsim._kernels import driver, ewom
from smmsim._kernels.ledger import C_SHARES
from smmsim._kernels.rng import visibility_table
from smmsim.generators import barabasi_albert, erdos_renyi
from smmsim.rng import resolve_seed, root_key
from smmsim.scenario import default_scenario
from smmsim.simulate import simulate

TARGETS = {
    "mc_vs_cynetdiff": 3.0,  # smmsim normal path, 1 thread, over CyNetDiff single-threaded
    "mc_vs_eon": 300.0,
    "dense_vs_bfs": 1.25,  # at most this many BFS times per cascade
    "dense_vs_cynetdiff": 2.5,
    "cli_warm_s": 2.0,
}

# sizes: (full, quick)
MC_N = (1_000_000, 100_000)
MC_M = 5
MC_SEEDS = 10
# smmsim runs per simulate() call, CyNetDiff runs per timing, by p
MC_RUNS = {
    0.05: ((1_000, 300), (300, 200)),
    0.01: ((200_000, 100_000), (20_000, 20_000)),
}
# horizon: long enough that no run is cut off (checked: pending_shares == 0)
MC_STEPS = {0.05: 200, 0.01: 50}
DENSE_N = (100_000, 20_000)
DENSE_DEGREE = 10.0
DENSE_P = 0.2
DENSE_RUNS = ((200, 30), (100, 20))  # smmsim runs, CyNetDiff runs, per repeat


def log(msg: str = "") -> None:
    print(msg, flush=True)


def ic_scenario(audience: dict, p: float, seeds, steps: int):
    """The default scenario turned into a plain independent cascade with fixed seeds.

    ``audience`` holds the generator's keys, so that the seed ids validate; the graph
    itself is passed to ``simulate()``.
    """
    return default_scenario().with_overrides(
        {
            **{f"audience.{k}": v for k, v in audience.items()},
            "content.visibility": p,
            "content.stickiness": 1.0,
            "content.contagion": 1.0,
            "funnel.conversion": 0.0,
            "seeding.strategy": "nodes",
            "seeding.nodes": [int(s) for s in seeds],
            "simulation.steps": steps,
        }
    )


def kernel_call(graph, seeds, p, steps, seed, first, runs, chunks):
    """The eWOM kernel alone through the ensemble driver, with the arguments
    ``simulate()`` would give it."""
    params = np.array([p, 1.0, 1.0, 0.0, 0.0, 0.0])
    return driver.ensemble(
        ewom,
        (graph.indptr, graph.indices, params, np.zeros((0, 3)), visibility_table(p)),
        np.ascontiguousarray(np.asarray(seeds, dtype=np.int64)[None, :]),
        np.uint64(root_key(resolve_seed(seed))),
        int(first),
        int(runs),
        int(steps),
        int(chunks),
        graph.n,
    )


def threads_available() -> list[int]:
    return [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]


# --------------------------------------------------------------------------- section 1


def bench_mc(args, report: dict) -> None:
    q = 1 if args.quick else 0
    n = MC_N[q]
    log(f"== 1. Monte Carlo throughput: Barabasi-Albert n={n:,}, m={MC_M}, {MC_SEEDS} seeds ==")
    g, t_gen = timed(barabasi_albert, n, MC_M, rng=args.seed)
    seeds = np.sort(np.random.default_rng(args.seed).choice(n, MC_SEEDS, replace=False))
    log(f"audience: {g} built in {t_gen:.1f} s; seed users {seeds.tolist()}")
    large = int(math.sqrt(n))
    starts, edges = cynetdiff_arrays(g.indptr, g.indices)
    nx_graph = None
    threads = threads_available()
    section = {"n": n, "m": MC_M, "seeds": seeds.tolist(), "large": large, "by_p": {}}

    # the first simulate() on a graph also computes (and caches on it) the degree
    # statistics for the theory columns: a one-off cost, reported apart
    small = ic_scenario({"n": 1000, "m": MC_M}, 0.05, [0, 1], MC_STEPS[0.05])
    simulate(small, graph=barabasi_albert(1000, MC_M, rng=0), runs=2, rng=0, threads=1)
    sc = ic_scenario({"n": n, "m": MC_M}, 0.05, seeds, MC_STEPS[0.05])
    _, first_call = timed(simulate, sc, graph=g, runs=2, rng=0, threads=1)
    _, second_call = timed(simulate, sc, graph=g, runs=2, rng=0, threads=1)
    section["first_call_extra_s"] = first_call - second_call
    log(
        f"first simulate() on this graph: {first_call:.2f} s for 2 runs, then "
        f"{second_call:.2f} s (one-off per graph: degree statistics cached on it)"
    )

    for p in (0.05, 0.01):
        runs_s, runs_c = MC_RUNS[p][q]
        steps = MC_STEPS[p]
        sc = ic_scenario({"n": n, "m": MC_M}, p, seeds, steps)
        cyn = CyNetDiffIC(starts, edges, p, seeds, rng=args.seed)
        # warm-up: numba cache load, first touch of the graph, CyNetDiff's allocations
        for th in threads:
            simulate(sc, graph=g, runs=4, rng=0, threads=th)
            kernel_call(g, seeds, p, steps, 0, 0, 4, th)
        cyn.run(3)
        load0 = wait_for_quiet(1.0, args.wait_quiet)
        log(
            f"\n-- p = {p}: smmsim {runs_s:,} runs per call (steps={steps}), "
            f"CyNetDiff {runs_c:,} runs per timing, {args.repeats} repeats; load {load0:.2f}"
        )

        keys = ("sim1", "sim2", "loop1", "loop2", "ker1", "ker2", "cyn")
        rates = {k: [] for k in keys}  # runs per wall second
        cpu_rates = {k: [] for k in ("sim1", "ker1", "cyn")}  # runs per CPU second
        fixed = []  # seconds of simulate() outside its batch loop
        ratio_1, ratio_2, scale, ratio_cpu = [], [], [], []
        smm_sample, cyn_sample = Sample(), Sample()
        cut_off = 0
        loads = []
        for r in range(args.repeats):
            seed = args.seed * 1000 + r
            by_thread = {}
            for th in threads:
                res, wall, cpu = timed_cpu(simulate, sc, graph=g, runs=runs_s, rng=seed, threads=th)
                rates[f"sim{th}"].append(runs_s / wall)
                rates[f"loop{th}"].append(runs_s / res.timing["simulate_s"])
                if th == 1:
                    cpu_rates["sim1"].append(runs_s / cpu)
                    fixed.append(wall - res.timing["simulate_s"])
                by_thread[th] = res.runs["shares"].to_numpy()
                cut_off += int((res.runs["pending_shares"] > 0).sum())
                _, wall_k, cpu_k = timed_cpu(kernel_call, g, seeds, p, steps, seed, 0, runs_s, th)
                rates[f"ker{th}"].append(runs_s / wall_k)
                if th == 1:
                    cpu_rates["ker1"].append(runs_s / cpu_k)
            if len(threads) > 1 and not np.array_equal(by_thread[1], by_thread[2]):
                raise AssertionError("smmsim results differ between 1 and 2 threads")
            smm_sample.extend(by_thread[1])
            sizes, wall_c, cpu_c = timed_cpu(cyn.run, runs_c)
            rates["cyn"].append(runs_c / wall_c)
            cpu_rates["cyn"].append(runs_c / cpu_c)
            cyn_sample.extend(sizes)
            ratio_1.append(rates["sim1"][-1] / rates["cyn"][-1])
            ratio_cpu.append(cpu_rates["sim1"][-1] / cpu_rates["cyn"][-1])
            if len(threads) > 1:
                ratio_2.append(rates["sim2"][-1] / rates["cyn"][-1])
                scale.append(rates["sim2"][-1] / rates["sim1"][-1])
            loads.append(loadavg())
            log(
                f"   repeat {r + 1}: smmsim 1t {rates['sim1'][-1]:,.0f} runs/s, "
                + (f"2t {rates['sim2'][-1]:,.0f}, " if len(threads) > 1 else "")
                + f"kernel 1t {rates['ker1'][-1]:,.0f}, "
                + f"CyNetDiff {rates['cyn'][-1]:,.0f} runs/s; load {loads[-1]:.2f}"
            )
        if cut_off:
            log(f"   WARNING: {cut_off} smmsim runs were cut off by the horizon of {steps} steps")

        # EoN: once, after the repeats (it is orders of magnitude slower)
        eon = None
        if not args.skip_eon:
            if nx_graph is None:
                nx_graph, t_nx = timed(g.to_networkx)
                log(f"   networkx graph for EoN built in {t_nx:.1f} s")
            if p == 0.01:
                min_runs, max_runs, min_large = 1000, 5000, 0
            else:
                min_runs, max_runs, min_large = 10, 50, 1 if args.quick else 3
            e_sizes, e_secs = eon_runs(
                nx_graph,
                p,
                seeds,
                np.random.default_rng(args.seed),
                min_runs=min_runs,
                max_runs=max_runs,
                budget_s=20.0 if args.quick else 90.0,
                large=large,
                min_large=min_large,
            )
            both = np.concatenate([smm_sample.values, cyn_sample.values])
            p_large = float((both >= large).mean())
            per_run = stratified_seconds_per_run(e_sizes, e_secs, large, p_large)
            eon = {
                "runs": int(e_sizes.size),
                "large": int((e_sizes >= large).sum()),
                "p_large_used": p_large,
                "plain_runs_per_s": float(e_sizes.size / e_secs.sum()),
                "runs_per_s": 1.0 / per_run,
                "sample": Sample(list(map(float, e_sizes))),
            }

        med = {k: median(v) for k, v in rates.items() if v}
        med_cpu = {k: median(v) for k, v in cpu_rates.items()}
        row = {
            "runs_per_s": med,
            "runs_per_cpu_s": med_cpu,
            "smmsim_runs_per_call": runs_s,
            "cynetdiff_runs_per_timing": runs_c,
            "steps": steps,
            "simulate_fixed_s": median(fixed),
            "smmsim_1t_over_cynetdiff": median(ratio_1),
            "smmsim_1t_over_cynetdiff_cpu": median(ratio_cpu),
            "smmsim_2t_over_cynetdiff": median(ratio_2) if ratio_2 else None,
            "scaling_2t_over_1t": median(scale) if scale else None,
            "kernel_1t_over_cynetdiff": med["ker1"] / med["cyn"],
            "kernel_1t_over_cynetdiff_cpu": med_cpu["ker1"] / med_cpu["cyn"],
            "mean_activated": {
                "smmsim": [smm_sample.mean, smm_sample.sem, smm_sample.n],
                "cynetdiff": [cyn_sample.mean, cyn_sample.sem, cyn_sample.n],
            },
            "z_smmsim_vs_cynetdiff": smm_sample.z_against(cyn_sample),
            "load": loads,
            "cut_off_runs": cut_off,
        }
        if eon is not None:
            row["eon"] = {k: v for k, v in eon.items() if k != "sample"}
            row["smmsim_1t_over_eon"] = med["sim1"] / eon["runs_per_s"]
            row["kernel_1t_over_eon"] = med["ker1"] / eon["runs_per_s"]
            es = eon["sample"]
            row["mean_activated"]["eon"] = [es.mean, es.sem, es.n]
            row["z_eon_vs_cynetdiff"] = es.z_against(cyn_sample)
        section["by_p"][str(p)] = row
        print_mc(p, row, threads)

    report["mc"] = section


def print_mc(p: float, row: dict, threads: list[int]) -> None:
    med = row["runs_per_s"]
    cyn = med["cyn"]
    lines = [
        ("smmsim simulate(), 1 thread  [whole call]", med["sim1"]),
        ("smmsim simulate(), 1 thread  [batch loop]", med["loop1"]),
        ("smmsim kernel ensemble(), 1 thread", med["ker1"]),
    ]
    if 2 in threads:
        lines += [
            ("smmsim simulate(), 2 threads [whole call]", med["sim2"]),
            ("smmsim simulate(), 2 threads [batch loop]", med["loop2"]),
            ("smmsim kernel ensemble(), 2 threads", med["ker2"]),
        ]
    lines.append(("CyNetDiff 0.1.18, 1 thread", cyn))
    eon = row.get("eon")
    if eon:
        label = f"EoN basic_discrete_SIR ({eon['runs']} runs, {eon['large']} large)"
        lines.append((label, eon["runs_per_s"]))
    rows = []
    for name, rate in lines:
        vs_e = rate / eon["runs_per_s"] if eon else float("nan")
        rows.append((name, fmt_rate(rate), fmt_ratio(rate / cyn), fmt_ratio(vs_e)))
    log()
    log(format_table((f"p = {p:g}", "runs/s", "vs CyNetDiff", "vs EoN"), rows))
    runs_s = row["smmsim_runs_per_call"]
    log(
        f"  [whole call] = runs / wall time of simulate(runs={runs_s:,}); it includes "
        f"{row['simulate_fixed_s']:.2f} s per call outside the batch loop (theory, summary)"
    )
    log(
        "  [batch loop] = runs / simulate()'s own timing['simulate_s'] (kernel + per-batch metrics)"
    )
    r1 = row["smmsim_1t_over_cynetdiff"]
    ok = r1 >= TARGETS["mc_vs_cynetdiff"]
    log(
        f"  smmsim 1 thread / CyNetDiff (median of paired repeats): {fmt_ratio(r1)} "
        f"[target >= {TARGETS['mc_vs_cynetdiff']:g}x: {verdict(ok)}]; by CPU time "
        f"{fmt_ratio(row['smmsim_1t_over_cynetdiff_cpu'])}; kernel alone "
        f"{fmt_ratio(row['kernel_1t_over_cynetdiff'])} (CPU time "
        f"{fmt_ratio(row['kernel_1t_over_cynetdiff_cpu'])})"
    )
    if row["smmsim_2t_over_cynetdiff"] is not None:
        log(
            f"  smmsim 2 threads / CyNetDiff: {fmt_ratio(row['smmsim_2t_over_cynetdiff'])}; "
            f"2-thread scaling of simulate(): {row['scaling_2t_over_1t']:.2f}x, of the kernel: "
            f"{med['ker2'] / med['ker1']:.2f}x"
        )
    if eon:
        re_ = row["smmsim_1t_over_eon"]
        log(
            f"  smmsim 1 thread / EoN: {fmt_ratio(re_)} "
            f"[target >= {TARGETS['mc_vs_eon']:g}x: {verdict(re_ >= TARGETS['mc_vs_eon'])}]; "
            f"EoN per run weights its large and small outbreaks by P(large) = "
            f"{eon['p_large_used']:.3f} from the other tools (plain mean over its sample: "
            f"{fmt_rate(eon['plain_runs_per_s'])} runs/s)"
        )
    log("  mean activated users (seeds included), +- standard error (runs):")
    for tool, (mean, sem, k) in row["mean_activated"].items():
        log(f"    {tool:10s} {mean:12.2f} +- {sem:8.2f}  ({k:,})")
    z = row["z_smmsim_vs_cynetdiff"]
    log(
        f"    smmsim - CyNetDiff = {z:+.2f} standard errors "
        f"[{verdict(abs(z) < 3, 'agree', 'DISAGREE')}]"
    )
    if "z_eon_vs_cynetdiff" in row:
        z = row["z_eon_vs_cynetdiff"]
        log(
            f"    EoN - CyNetDiff    = {z:+.2f} standard errors "
            f"[{verdict(abs(z) < 3, 'agree', 'DISAGREE')}]"
        )


def verdict(ok: bool, yes: str = "met", no: str = "MISSED") -> str:
    return yes if ok else no


# --------------------------------------------------------------------------- section 2


def bench_dense(args, report: dict) -> None:
    q = 1 if args.quick else 0
    n = DENSE_N[q]
    runs_s, runs_c = DENSE_RUNS[q]
    log(
        f"\n== 2. Dense supercritical cascade: Erdos-Renyi n={n:,}, mean degree "
        f"{DENSE_DEGREE:g}, p={DENSE_P} =="
    )
    g = erdos_renyi(n, DENSE_DEGREE, rng=args.seed)
    rng = np.random.default_rng(args.seed + 1)
    deg = np.diff(g.indptr)
    source = int(rng.integers(n))
    while deg[source] == 0:
        source = int(rng.integers(n))
    seeds = np.array([source])
    steps = 500
    audience = {"generator": "erdos_renyi", "n": n, "mean_degree": DENSE_DEGREE}
    sc = ic_scenario(audience, DENSE_P, seeds, steps)
    large = int(math.sqrt(n))
    starts, edges = cynetdiff_arrays(g.indptr, g.indices)
    cyn = CyNetDiffIC(starts, edges, DENSE_P, seeds, rng=args.seed)
    # warm-up
    reached = bfs_reached(g.indptr, g.indices, source)
    kernel_call(g, seeds, DENSE_P, steps, 0, 0, 2, 1)
    simulate(sc, graph=g, runs=2, rng=0, threads=1)
    cyn.run(2)
    load0 = wait_for_quiet(1.0, args.wait_quiet)
    log(
        f"{g}; seed user {source} (degree {deg[source]}); BFS reaches {reached:,} users; "
        f"a cascade is large when it activates >= {large} users; load {load0:.2f}"
    )

    def bfs_many(k):
        for _ in range(k):
            bfs_reached(g.indptr, g.indices, source)

    names = ("bfs", "kernel", "simulate", "cynetdiff")
    wall = {k: [] for k in names}  # seconds per large cascade (per search for BFS)
    cpu = {k: [] for k in names}
    ker_all = []
    sizes_k, sizes_c = Sample(), Sample()
    loads = []
    for r in range(args.repeats):
        seed = args.seed * 1000 + r
        led, w, c = timed_cpu(kernel_call, g, seeds, DENSE_P, steps, seed, 0, runs_s, 1)
        shares = led.counts[:, C_SHARES]
        n_large = max(1, int((shares >= large).sum()))
        wall["kernel"].append(w / n_large)
        cpu["kernel"].append(c / n_large)
        ker_all.append(w / runs_s)
        sizes_k.extend(shares[shares >= large])
        # as many searches as there were large cascades, so both timings span alike
        _, w, c = timed_cpu(bfs_many, n_large)
        wall["bfs"].append(w / n_large)
        cpu["bfs"].append(c / n_large)
        res, w, c = timed_cpu(simulate, sc, graph=g, runs=runs_s, rng=seed, threads=1)
        n_large_s = max(1, int((res.runs["shares"] >= large).sum()))
        wall["simulate"].append(w / n_large_s)
        cpu["simulate"].append(c / n_large_s)
        sizes_c_run, w, c = timed_cpu(cyn.run, runs_c)
        n_large_c = max(1, int((sizes_c_run >= large).sum()))
        wall["cynetdiff"].append(w / n_large_c)
        cpu["cynetdiff"].append(c / n_large_c)
        sizes_c.extend(sizes_c_run[sizes_c_run >= large])
        loads.append(loadavg())
        log(
            f"   repeat {r + 1}: BFS {wall['bfs'][-1] * 1e3:.2f} ms, kernel "
            f"{wall['kernel'][-1] * 1e3:.2f} ms, simulate() {wall['simulate'][-1] * 1e3:.2f} ms, "
            f"CyNetDiff {wall['cynetdiff'][-1] * 1e3:.2f} ms per large cascade; "
            f"load {loads[-1]:.2f}"
        )

    def paired(a, b, clock):
        return median([x / y for x, y in zip(clock[a], clock[b], strict=True)])

    row = {
        "n": n,
        "source": source,
        "bfs_reached": int(reached),
        "ms_per_large_cascade": {k: median(v) * 1e3 for k, v in wall.items()},
        "cpu_ms_per_large_cascade": {k: median(v) * 1e3 for k, v in cpu.items()},
        "kernel_ms_per_cascade_all": median(ker_all) * 1e3,
        "kernel_over_bfs": paired("kernel", "bfs", wall),
        "kernel_over_bfs_cpu": paired("kernel", "bfs", cpu),
        "simulate_over_bfs": paired("simulate", "bfs", wall),
        "cynetdiff_over_kernel": paired("cynetdiff", "kernel", wall),
        "cynetdiff_over_kernel_cpu": paired("cynetdiff", "kernel", cpu),
        "cynetdiff_over_simulate": paired("cynetdiff", "simulate", wall),
        "cynetdiff_over_bfs": paired("cynetdiff", "bfs", wall),
        "mean_large_size": {
            "smmsim": [sizes_k.mean, sizes_k.sem, sizes_k.n],
            "cynetdiff": [sizes_c.mean, sizes_c.sem, sizes_c.n],
        },
        "load": loads,
    }
    report["dense"] = row
    ms, cms = row["ms_per_large_cascade"], row["cpu_ms_per_large_cascade"]
    rows = [
        ("plain numba BFS (every tie)", f"{ms['bfs']:.2f}", f"{cms['bfs']:.2f}", "1.00x", "-"),
        (
            "smmsim kernel ensemble(), 1 thread",
            f"{ms['kernel']:.2f}",
            f"{cms['kernel']:.2f}",
            fmt_ratio(row["kernel_over_bfs"]),
            fmt_ratio(row["cynetdiff_over_kernel"]),
        ),
        (
            "smmsim simulate(), 1 thread",
            f"{ms['simulate']:.2f}",
            f"{cms['simulate']:.2f}",
            fmt_ratio(row["simulate_over_bfs"]),
            fmt_ratio(row["cynetdiff_over_simulate"]),
        ),
        (
            "CyNetDiff 0.1.18",
            f"{ms['cynetdiff']:.2f}",
            f"{cms['cynetdiff']:.2f}",
            fmt_ratio(row["cynetdiff_over_bfs"]),
            "1.00x",
        ),
    ]
    log()
    log(
        format_table(
            ("per large cascade", "wall ms", "CPU ms", "time / BFS", "CyNetDiff / this"), rows
        )
    )
    log(
        f"  smmsim: {runs_s} runs per call, CyNetDiff: {runs_c} runs per timing; the time is "
        f"divided by the number of large cascades (small ones cost microseconds); BFS: as many "
        f"searches as the kernel had large cascades. Ratios are medians of paired repeats."
    )
    kb = row["kernel_over_bfs"]
    ck = row["cynetdiff_over_kernel"]
    log(
        f"  kernel / BFS: {kb:.2f}x [target <= {TARGETS['dense_vs_bfs']:g}x: "
        f"{verdict(kb <= TARGETS['dense_vs_bfs'])}] (CPU time {row['kernel_over_bfs_cpu']:.2f}x);"
        f"  CyNetDiff / kernel: {ck:.2f}x [target >= {TARGETS['dense_vs_cynetdiff']:g}x: "
        f"{verdict(ck >= TARGETS['dense_vs_cynetdiff'])}] (CPU time "
        f"{row['cynetdiff_over_kernel_cpu']:.2f}x)"
    )
    z = sizes_k.z_against(sizes_c)
    log(
        f"  mean size of large cascades: smmsim {sizes_k.mean:,.1f} +- {sizes_k.sem:.1f}, "
        f"CyNetDiff {sizes_c.mean:,.1f} +- {sizes_c.sem:.1f} ({z:+.2f} standard errors)"
    )


# --------------------------------------------------------------------------- section 3


def cli_command() -> list[str]:
    """The installed ``smmsim`` entry script beside this interpreter, else ``-m smmsim``."""
    script = Path(sys.executable).with_name("smmsim")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "smmsim"]


def time_subprocess(cmd: list[str], env: dict, cwd: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    return wall


def bench_cli(args, report: dict) -> None:
    warm_n, cold_n = (3, 1) if args.quick else (5, 2)
    cmd = [*cli_command(), "run"]
    log(f"\n== 3. CLI: `{' '.join(cmd)}` (built-in scenario) as a subprocess ==")
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as work:
        time_subprocess(cmd, env, work)  # fills the cache if it was empty
        load0 = wait_for_quiet(1.0, args.wait_quiet)
        imports = [
            time_subprocess([sys.executable, "-c", "import smmsim.cli"], env, work)
            for _ in range(warm_n)
        ]
        warm = [time_subprocess(cmd, env, work) for _ in range(warm_n)]
        cold = []
        for _ in range(cold_n):
            with tempfile.TemporaryDirectory() as cache:
                cold_env = dict(env, NUMBA_CACHE_DIR=cache)
                cold.append(time_subprocess(cmd, cold_env, work))
    row = {
        "command": " ".join(cmd),
        "warm_s": median(warm),
        "cold_s": median(cold),
        "import_s": median(imports),
        "warm_all": warm,
        "cold_all": cold,
        "load": [load0, loadavg()],
    }
    report["cli"] = row
    rows = [
        ("python -c 'import smmsim.cli'", f"{row['import_s']:.2f}", len(imports)),
        ("smmsim run, numba cache warm", f"{row['warm_s']:.2f}", len(warm)),
        ("smmsim run, numba cache cold", f"{row['cold_s']:.2f}", len(cold)),
    ]
    log(format_table(("subprocess", "median s", "runs"), rows))
    log(
        f"  warm: {row['warm_s']:.2f} s [target < {TARGETS['cli_warm_s']:g} s: "
        f"{verdict(row['warm_s'] < TARGETS['cli_warm_s'])}]; load {load0:.2f}"
    )


# --------------------------------------------------------------------------- main


def bench_fresh(args, report: dict) -> None:
    """``simulate()`` as a user calls it against CyNetDiff's C++ Monte Carlo loop."""
    from cynetdiff.models import IndependentCascadeModel

    q = 1 if args.quick else 0
    n, p = MC_N[q], 0.01
    runs = 20_000 if args.quick else 200_000
    log(f"\n== fresh calls: p = {p}, Barabasi-Albert n={n:,}, m={MC_M}, {runs:,} runs a call ==")
    g = barabasi_albert(n, MC_M, rng=args.seed)
    seeds = np.sort(np.random.default_rng(args.seed).choice(n, MC_SEEDS, replace=False))
    sc = ic_scenario({"n": n, "m": MC_M}, p, seeds, MC_STEPS[p])
    starts, edges = cynetdiff_arrays(g.indptr, g.indices)
    cyn = IndependentCascadeModel(starts, edges, activation_prob=p, rng=args.seed)
    seed_list = [int(s) for s in seeds]
    threads = threads_available()
    simulate(sc, graph=g, runs=50, rng=0, threads=1)  # the small warm-up call
    cyn.compute_marginal_gains(seed_list, [], 100)
    wait_for_quiet(1.0, args.wait_quiet)
    ratio, scale, t_smm, t_cyn = [], [], [], []
    means = []
    for r in range(args.repeats):
        by_th = {}
        for th in threads:
            res, by_th[th] = timed(simulate, sc, graph=g, runs=runs, rng=r + 1, threads=th)
            if th == 1:
                means.append(res.mean("shares") + res.mean("pending_shares"))
        gains, w_c = timed(cyn.compute_marginal_gains, seed_list, [], runs)
        ratio.append(w_c / by_th[1])
        t_smm.append(by_th[1])
        t_cyn.append(w_c)
        if 2 in by_th:
            scale.append(by_th[1] / by_th[2])
        log(
            f"  pair {r + 1}: simulate() {by_th[1]:.3f} s"
            + (f" (2 threads {by_th[2]:.3f} s)" if 2 in by_th else "")
            + f", CyNetDiff {w_c:.3f} s: {w_c / by_th[1]:.2f}x; activated "
            f"{means[-1]:.3f} vs {gains[0]:.3f}; load {loadavg():.2f}"
        )
    med = float(np.median(ratio))
    line = f"simulate() 1 thread vs CyNetDiff's C++ loop: median {med:.2f}x (bar: >= 4x)"
    if scale:
        line += f"; 2 threads scale {float(np.median(scale)):.2f}x (bar: >= 1.6x)"
    log(line)
    report["fresh"] = {
        "n": n,
        "p": p,
        "runs": runs,
        "ratio_median": med,
        "ratios": ratio,
        "scaling": scale,
        "simulate_s": t_smm,
        "cynetdiff_s": t_cyn,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller graphs and fewer runs")
    ap.add_argument("--repeats", type=int, default=None, help="repeats (default 5, quick 3)")
    ap.add_argument("--only", default="mc,dense,fresh,cli", help="sections: mc,dense,fresh,cli")
    ap.add_argument("--skip-eon", action="store_true", help="leave EoN out (saves minutes)")
    ap.add_argument("--seed", type=int, default=2024, help="graph, seed users and runs")
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="S",
        help="before each section wait up to S seconds for the load average to drop below 1",
    )
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)
    if args.repeats is None:
        args.repeats = 3 if args.quick else 5
    sections = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = sections - {"mc", "dense", "fresh", "cli"}
    if unknown:
        ap.error(f"unknown section(s): {', '.join(sorted(unknown))}")

    from importlib.metadata import version

    log(
        f"bench_ic {dt.datetime.now().isoformat(timespec='seconds')}  "
        f"{'quick' if args.quick else 'full'}, {args.repeats} repeats"
    )
    log(
        f"machine: {machine()}; numba {numba.__version__} "
        f"({numba.config.NUMBA_NUM_THREADS} threads), numpy {np.__version__}, "
        f"cynetdiff {version('cynetdiff')}, EoN {version('EoN')}; load {loadavg():.2f}"
    )
    report = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "quick": args.quick,
        "repeats": args.repeats,
    }
    if "mc" in sections:
        bench_mc(args, report)
    if "dense" in sections:
        bench_dense(args, report)
    if "fresh" in sections:
        bench_fresh(args, report)
    if "cli" in sections:
        bench_cli(args, report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=float))
        log(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
