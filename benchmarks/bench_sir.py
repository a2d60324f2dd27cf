"""Continuous-time SIR: smmsim's ``sir`` model against EoN's ``fast_SIR``, side by side.

Usage::

    python benchmarks/bench_sir.py                  # 100,000 users, 5 repeats (a few minutes)
    python benchmarks/bench_sir.py --quick          # 20,000 users, 3 repeats (under a minute)
    python benchmarks/bench_sir.py --graph ba       # Barabasi-Albert m=5 instead of ER <k>=10
    python benchmarks/bench_sir.py --repeats 7 --json bench-results/sir.json

Both tools run the same Markovian SIR (transmission rate ``beta`` per tie, recovery rate
``gamma``) on the same graph (EoN gets ``CSRGraph.to_networkx()``) from the same seed
users, with ``T = beta / (beta + gamma)`` well above the threshold so that nearly every
outbreak is large. Each repeat times, interleaved in one process: EoN ``fast_SIR`` for
``--eon-runs`` runs, then smmsim's normal path (``simulate()`` with every metric, a
horizon long enough that no run is cut off) on 1 and 2 threads and its kernel alone.
Reported: seconds per run, the median over repeats of the within-repeat ratio EoN /
smmsim, 2-thread scaling, and the mean final sizes (users ever infected: EoN's final
``R + I``, smmsim's ``shares`` with ``pending_shares == 0``) with standard errors and a
two-sample KS test on the pooled final sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import (
    Sample,
    fmt_ratio,
    format_table,
    loadavg,
    machine,
    median,
    timed,
    timed_cpu,
    wait_for_quiet,
)

from smmsim._kernels import driver
from smmsim._kernels import sir as kernel
from smmsim.generators import barabasi_albert, erdos_renyi
from smmsim.rng import resolve_seed, root_key
from smmsim.scenario import default_scenario
from smmsim.simulate import simulate
from smmsim.theory import percolation
from smmsim.theory.sir import p_large_outbreak

TARGET = 50.0  # smmsim normal path, 1 thread, over EoN fast_SIR
GAMMA = 1.0
T = 0.3  # ER <k>=10: K = 3; BA m=5: K larger still
SEEDS = 5
STEPS, DT = 100, 1.0  # horizon 100 / gamma: no run is cut off (checked)


def log(msg: str = "") -> None:
    print(msg, flush=True)


def eon_final_sizes(G, beta, gamma, seeds, runs, rng) -> np.ndarray:
    """Users ever infected in ``runs`` runs of ``EoN.fast_SIR``."""
    import EoN

    out = np.empty(runs)
    for r in range(runs):
        _t, _S, infected, recovered = EoN.fast_SIR(
            G, beta, gamma, initial_infecteds=list(seeds), rng=rng
        )
        out[r] = infected[-1] + recovered[-1]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="20,000 users, 3 repeats")
    ap.add_argument("--graph", choices=("er", "ba"), default="er", help="ER <k>=10 or BA m=5")
    ap.add_argument("--n", type=int, default=None, help="audience size (default 100,000)")
    ap.add_argument("--repeats", type=int, default=None, help="repeats (default 5, quick 3)")
    ap.add_argument("--eon-runs", type=int, default=2, help="EoN runs per repeat")
    ap.add_argument("--smm-runs", type=int, default=40, help="smmsim runs per repeat")
    ap.add_argument("--seed", type=int, default=2024, help="graph, seed users and runs")
    ap.add_argument("--wait-quiet", type=float, default=0.0, help="wait up to s for load < 1")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args(argv)
    n = args.n or (20_000 if args.quick else 100_000)
    repeats = args.repeats or (3 if args.quick else 5)

    log(f"smmsim sir vs EoN fast_SIR | {machine()} | {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    if args.graph == "er":
        g, t_gen = timed(erdos_renyi, n, 10.0, rng=args.seed)
    else:
        g, t_gen = timed(barabasi_albert, n, 5, rng=args.seed)
    beta = T * GAMMA / (1 - T)
    th = percolation(g, T)
    p1 = p_large_outbreak(g, beta, GAMMA)
    seeds = np.sort(np.random.default_rng(args.seed).choice(n, SEEDS, replace=False))
    log(f"audience: {g} built in {t_gen:.1f} s; seed users {seeds.tolist()}")
    log(
        f"beta = {beta:.4g}, gamma = {GAMMA}, T = {T}, K = {th.k_factor:.2f}; theory: a large "
        f"outbreak reaches {th.large_share:.1%}, one seed starts one with p = {p1:.3f}"
    )
    G, t_nx = timed(g.to_networkx)
    log(f"networkx graph for EoN built in {t_nx:.1f} s")

    sc = default_scenario().with_overrides(
        {
            "audience.generator": "erdos_renyi" if args.graph == "er" else "barabasi_albert",
            "audience.n": n,
            "model": "sir",
            "sir.beta": beta,
            "sir.gamma": GAMMA,
            "sir.dt": DT,
            "seeding.strategy": "nodes",
            "seeding.nodes": [int(s) for s in seeds],
            "funnel.conversion": 0.0,
            "simulation.steps": STEPS,
        }
    )
    seed_sets = np.ascontiguousarray(seeds[None, :].astype(np.int64))
    threads = [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]

    kernel_args = (g.indptr, g.indices, np.array([beta, GAMMA, DT, 0.0, 0.0], dtype=np.float64))

    def kernel_call(seed, runs, chunks):
        return driver.ensemble(
            kernel, kernel_args, seed_sets, np.uint64(root_key(resolve_seed(seed))), 0, runs,
            STEPS, chunks, g.n,
        )  # fmt: skip

    # warm-up: numba cache load, first touch of the graph, degree statistics on it
    for th_ in threads:
        simulate(sc, graph=g, runs=2, rng=0, threads=th_, progress=False)
        kernel_call(0, 2, th_)
    eon_final_sizes(G, beta, GAMMA, seeds, 1, np.random.default_rng(0))
    load0 = wait_for_quiet(1.0, args.wait_quiet)
    log(
        f"\n{repeats} repeats: EoN {args.eon_runs} runs, smmsim {args.smm_runs} runs per "
        f"call; load {load0:.2f}"
    )

    eon_rng = np.random.default_rng(args.seed)
    sec = {k: [] for k in ("eon", "sim1", "sim2", "ker1", "ker2")}
    cpu = {k: [] for k in ("eon", "sim1", "ker1")}
    ratio, ratio_cpu, ratio_ker, scale = [], [], [], []
    smm_sample, eon_sample = Sample(), Sample()
    cut_off = 0
    loads = []
    for r in range(repeats):
        sizes, wall, c = timed_cpu(eon_final_sizes, G, beta, GAMMA, seeds, args.eon_runs, eon_rng)
        sec["eon"].append(wall / args.eon_runs)
        cpu["eon"].append(c / args.eon_runs)
        eon_sample.extend(sizes)
        by_thread = {}
        for th_ in threads:
            res, wall, c = timed_cpu(
                simulate, sc, graph=g, runs=args.smm_runs, rng=args.seed * 1000 + r,
                threads=th_, progress=False,
            )  # fmt: skip
            sec[f"sim{th_}"].append(wall / args.smm_runs)
            by_thread[th_] = res.runs["shares"].to_numpy()
            cut_off += int((res.runs["pending_shares"] > 0).sum())
            if th_ == 1:
                cpu["sim1"].append(c / args.smm_runs)
            _, wall, c = timed_cpu(kernel_call, args.seed * 1000 + r, args.smm_runs, th_)
            sec[f"ker{th_}"].append(wall / args.smm_runs)
            if th_ == 1:
                cpu["ker1"].append(c / args.smm_runs)
        if len(threads) > 1 and not np.array_equal(by_thread[1], by_thread[2]):
            raise AssertionError("smmsim results differ between 1 and 2 threads")
        smm_sample.extend(by_thread[1])
        ratio.append(sec["eon"][-1] / sec["sim1"][-1])
        ratio_cpu.append(cpu["eon"][-1] / cpu["sim1"][-1])
        ratio_ker.append(sec["eon"][-1] / sec["ker1"][-1])
        if len(threads) > 1:
            scale.append(sec["sim1"][-1] / sec["sim2"][-1])
        loads.append(loadavg())
        log(
            f"   repeat {r + 1}: EoN {sec['eon'][-1]:.3f} s/run, smmsim 1t "
            f"{sec['sim1'][-1] * 1e3:.2f} ms/run"
            + (f", 2t {sec['sim2'][-1] * 1e3:.2f} ms/run" if len(threads) > 1 else "")
            + f", kernel 1t {sec['ker1'][-1] * 1e3:.2f} ms/run; ratio {ratio[-1]:.0f}x; "
            f"load {loads[-1]:.2f}"
        )
    if cut_off:
        log(f"WARNING: {cut_off} smmsim runs were cut off by the horizon")

    from scipy.stats import ks_2samp

    ks = ks_2samp(smm_sample.values, eon_sample.values)
    med = {k: median(v) for k, v in sec.items() if v}
    rows = [("EoN fast_SIR", f"{med['eon']:.3f} s", "1.00x")]
    labels = {"sim": "simulate()", "ker": "kernel alone (driver.ensemble)"}
    for th_ in threads:
        for key, label in labels.items():
            t = med[f"{key}{th_}"]
            name = f"smmsim {label}, {th_} thread{'s' if th_ > 1 else ''}"
            rows.append((name, f"{t * 1e3:.2f} ms", fmt_ratio(med["eon"] / t)))
    log()
    log(format_table(("tool", "time per run", "EoN / tool (median times)"), rows))
    log()
    log(
        f"median ratio EoN / smmsim simulate() 1 thread: {median(ratio):.0f}x wall, "
        f"{median(ratio_cpu):.0f}x CPU (target >= {TARGET:.0f}x)"
    )
    if scale:
        log(f"2-thread scaling of simulate(): {median(scale):.2f}x")
    log(
        f"mean final size: smmsim {smm_sample.mean:,.1f} +- {smm_sample.sem:.1f} "
        f"({smm_sample.n} runs), EoN {eon_sample.mean:,.1f} +- {eon_sample.sem:.1f} "
        f"({eon_sample.n} runs); difference {smm_sample.z_against(eon_sample):+.2f} SE; "
        f"KS p = {ks.pvalue:.3g}"
    )
    log(
        f"theory (one seed at a time would give p_large = {p1:.3f}; with {SEEDS} seeds "
        f"nearly every run is large): large outbreak {th.large_share * n:,.0f} users"
    )
    report = {
        "machine": machine(),
        "graph": str(g),
        "beta": beta,
        "gamma": GAMMA,
        "T": T,
        "seeds": seeds.tolist(),
        "seconds_per_run": med,
        "ratio_eon_over_smmsim_1t": median(ratio),
        "ratio_eon_over_smmsim_1t_cpu": median(ratio_cpu),
        "ratio_eon_over_kernel_1t": median(ratio_ker),
        "scaling_2t_over_1t": median(scale) if scale else None,
        "mean_final_size": {
            "smmsim": [smm_sample.mean, smm_sample.sem, smm_sample.n],
            "eon": [eon_sample.mean, eon_sample.sem, eon_sample.n],
        },
        "ks_pvalue": float(ks.pvalue),
        "theory_large_share": th.large_share,
        "load": loads,
        "cut_off_runs": cut_off,
    }
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return 0 if median(ratio) >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
