"""Threshold (linear threshold) model: smmsim against CyNetDiff and NDlib, side by side.

Usage::

    python benchmarks/bench_threshold_models.py            # full (a few minutes)
    python benchmarks/bench_threshold_models.py --quick    # smaller smoke version
    python benchmarks/bench_threshold_models.py --json out/bench_threshold.json

Sections:

``cynetdiff``
    Barabási-Albert audience (1,000,000 users, m=5), the same 10 random seed users for
    every tool. The linear threshold model of Kempe, Kleinberg & Tardos (2003): each
    user's threshold ``phi ~ uniform(0, 1)`` is redrawn every run, ties weigh
    ``1 / in-degree``, so a user adopts once the fraction of their friends who shared
    reaches ``phi``. smmsim runs its normal path (``simulate()`` with every metric,
    model ``social_proof``, visibility 1), both with the fractional rule (``weighted:
    false``, which *is* LT with 1/in-degree weights) and with explicit tie strengths
    ``1 / in-degree`` (``weighted: true``), on 1 and 2 threads; CyNetDiff 0.1.18's
    ``LinearThresholdModel`` (default influence 1/in-degree, lazy uniform thresholds)
    runs single-threaded. The mean number of activated users is compared too.
``ndlib``
    NDlib's ``ThresholdModel`` (synchronous, every user scanned every iteration in
    Python) on a smaller Barabási-Albert audience (100,000 users, m=5; 10,000 with
    ``--quick``), the same 10 seeds, fresh uniform thresholds every run (setting them is
    not timed), iterated until an iteration activates nobody; smmsim on the *same*
    graph. Rates are runs per second on that graph size.

Every ratio is of timings taken in this process, interleaved repeat by repeat; medians
are reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import (
    Sample,
    cynetdiff_arrays,
    fmt_rate,
    fmt_ratio,
    format_table,
    loadavg,
    machine,
    median,
    timed_cpu,
    wait_for_quiet,
)

from smmsim.generators import barabasi_albert
from smmsim.graph import CSRGraph
from smmsim.scenario import default_scenario
from smmsim.simulate import simulate

TARGETS = {"vs_cynetdiff": 3.0, "vs_ndlib": 100.0}
M = 5
N_SEEDS = 10
STEPS = 200  # long enough that no run is cut off (checked: pending_shares == 0)


def log(msg: str = "") -> None:
    print(msg, flush=True)


def lt_scenario(n: int, seeds, weighted: bool):
    """``social_proof`` as the plain LT model: phi ~ U(0, 1), every share seen."""
    return default_scenario().with_overrides(
        {
            "model": "social_proof",
            "audience.n": n,
            "audience.m": M,
            "content.visibility": 1.0,
            "social_proof.threshold": {"distribution": "uniform", "low": 0.0, "high": 1.0},
            "social_proof.weighted": weighted,
            "funnel.conversion": 0.0,
            "seeding.strategy": "nodes",
            "seeding.nodes": [int(s) for s in seeds],
            "simulation.steps": STEPS,
        }
    )


def with_lt_weights(g: CSRGraph) -> CSRGraph:
    """The same audience with tie strengths 1 / in-degree of the follower (LT's default)."""
    w = 1.0 / g.in_degree()[g.indices].astype(np.float64)
    return CSRGraph(g.indptr, g.indices, directed=g.directed, weights=w, name=g.name + " (1/k)")


def smmsim_runs(sc, g, runs, threads, seed):
    """Activated users (seeds included) and the ``simulate()`` call's wall/CPU seconds."""
    res, wall, cpu = timed_cpu(simulate, sc, graph=g, runs=runs, rng=seed, threads=threads)
    r = res.runs
    assert (r["pending_shares"] == 0).all()
    return r["shares"].to_numpy(), wall, cpu


class CyNetDiffLT:
    """CyNetDiff's linear threshold model with fixed seeds, run the documented way."""

    def __init__(self, g: CSRGraph, seeds, rng: int):
        from cynetdiff.models import LinearThresholdModel

        starts, edges = cynetdiff_arrays(g.indptr, g.indices)
        self.model = LinearThresholdModel(starts, edges, rng=rng)
        self.model.set_seeds([int(s) for s in seeds])

    def run(self, runs: int) -> np.ndarray:
        m = self.model
        out = np.empty(runs, dtype=np.int64)
        for r in range(runs):
            m.reset_model()
            m.advance_until_completion()
            out[r] = m.get_num_activated_nodes()
        return out


def bench_cynetdiff(args, report: dict) -> None:
    n = 100_000 if args.quick else 1_000_000
    runs_s = 4_000 if args.quick else 20_000
    runs_c = 2_000 if args.quick else 4_000
    log(f"== 1. LT on Barabasi-Albert n={n:,}, m={M}, {N_SEEDS} random seeds ==")
    g, t_gen, _ = timed_cpu(barabasi_albert, n, M, rng=args.seed)
    gw = with_lt_weights(g)
    seeds = np.sort(np.random.default_rng(args.seed).choice(n, N_SEEDS, replace=False))
    log(f"audience: {g} built in {t_gen:.1f} s; seed users {seeds.tolist()}")
    threads = [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]
    plain, weighted = lt_scenario(n, seeds, False), lt_scenario(n, seeds, True)
    cyn = CyNetDiffLT(g, seeds, rng=args.seed)
    # warm-up: numba cache, theory (cached on the graph), first touch, CyNetDiff allocations
    for th in threads:
        smmsim_runs(plain, g, 8, th, 0)
        smmsim_runs(weighted, gw, 8, th, 0)
    cyn.run(5)
    wait_for_quiet(1.0, args.wait_quiet)
    log(f"smmsim {runs_s:,} runs per simulate() call, CyNetDiff {runs_c:,} per timing, "
        f"{args.repeats} repeats; load {loadavg():.2f}")  # fmt: skip
    keys = [f"frac{t}" for t in threads] + [f"weighted{t}" for t in threads] + ["cyn"]
    rates = {k: [] for k in keys}
    cpu_rates = {k: [] for k in keys}
    smm, smm_w, peer = Sample(), Sample(), Sample()
    for r in range(args.repeats):
        for th in threads:
            x, wall, cpu = smmsim_runs(plain, g, runs_s, th, 1000 + r)
            rates[f"frac{th}"].append(runs_s / wall)
            cpu_rates[f"frac{th}"].append(runs_s / cpu)
            smm.extend(x)
            x, wall, cpu = smmsim_runs(weighted, gw, runs_s, th, 2000 + r)
            rates[f"weighted{th}"].append(runs_s / wall)
            cpu_rates[f"weighted{th}"].append(runs_s / cpu)
            smm_w.extend(x)
        y, wall, cpu = timed_cpu(cyn.run, runs_c)
        rates["cyn"].append(runs_c / wall)
        cpu_rates["cyn"].append(runs_c / cpu)
        peer.extend(y)
        log(f"  repeat {r + 1}: " + ", ".join(f"{k} {fmt_rate(v[-1])}/s" for k, v in rates.items()))
    med = {k: median(v) for k, v in rates.items()}
    med_cpu = {k: median(v) for k, v in cpu_rates.items()}
    # ratios repeat by repeat (each pair timed back to back), then the median
    ratio_wall = {
        k: median([a / b for a, b in zip(rates[k], rates["cyn"], strict=True)]) for k in keys
    }
    ratio_cpu = {
        k: median([a / b for a, b in zip(cpu_rates[k], cpu_rates["cyn"], strict=True)])
        for k in keys
    }
    labels = {
        "frac1": "smmsim simulate(), fractional rule, 1 thread",
        "frac2": "smmsim simulate(), fractional rule, 2 threads",
        "weighted1": "smmsim simulate(), weighted 1/k ties, 1 thread",
        "weighted2": "smmsim simulate(), weighted 1/k ties, 2 threads",
        "cyn": "CyNetDiff LinearThresholdModel, 1 thread",
    }
    rows = [
        [
            labels[k],
            fmt_rate(med[k]),
            fmt_rate(med_cpu[k]),
            fmt_ratio(ratio_wall[k]),
            fmt_ratio(ratio_cpu[k]) if k[-1] != "2" else "-",
        ]
        for k in keys
    ]
    headers = ["tool", "runs/s (wall)", "runs/s (CPU)", "vs CyNetDiff (wall)", "(CPU)"]
    log(format_table(headers, rows))
    log(
        f"mean activated users: smmsim {smm.mean:.1f} +- {smm.sem:.1f}, weighted "
        f"{smm_w.mean:.1f} +- {smm_w.sem:.1f}, CyNetDiff {peer.mean:.1f} +- {peer.sem:.1f} "
        f"(z = {smm.z_against(peer):+.2f}, {smm_w.z_against(peer):+.2f})"
    )
    ratio = ratio_wall["frac1"]
    log(f"target: smmsim 1 thread >= {TARGETS['vs_cynetdiff']}x CyNetDiff: {ratio:.2f}x wall, "
        f"{ratio_cpu['frac1']:.2f}x CPU "
        f"({'met' if ratio >= TARGETS['vs_cynetdiff'] else 'NOT met'})\n")  # fmt: skip
    report["cynetdiff"] = {
        "n": n,
        "seeds": seeds.tolist(),
        "runs_per_s_wall": med,
        "runs_per_s_cpu": med_cpu,
        "ratio_wall": ratio_wall,
        "ratio_cpu": ratio_cpu,
        "mean_activated": {
            "smmsim": smm.mean,
            "smmsim_weighted": smm_w.mean,
            "cynetdiff": peer.mean,
        },
        "z": smm.z_against(peer),
    }


def ndlib_run(G, seeds, rng: np.random.Generator) -> tuple[int, float]:
    """One NDlib ThresholdModel run: (activated users, seconds of its iterations)."""
    import ndlib.models.epidemics as ep
    import ndlib.models.ModelConfig as mc

    model = ep.ThresholdModel(G)
    config = mc.Configuration()
    config.add_model_initial_configuration("Infected", [int(s) for s in seeds])
    for node, phi in zip(G.nodes(), rng.random(G.number_of_nodes()).tolist(), strict=True):
        config.add_node_configuration("threshold", node, phi)
    model.set_initial_status(config)
    start = time.perf_counter()
    it = model.iteration(node_status=False)
    while True:
        it = model.iteration(node_status=False)
        if it["status_delta"][1] == 0:
            break
    return int(it["node_count"][1]), time.perf_counter() - start


def bench_ndlib(args, report: dict) -> None:
    n = 10_000 if args.quick else 100_000
    runs_n = args.ndlib_runs
    log(f"== 2. NDlib ThresholdModel on Barabasi-Albert n={n:,}, m={M}, {N_SEEDS} seeds ==")
    g = barabasi_albert(n, M, rng=args.seed)
    seeds = np.sort(np.random.default_rng(args.seed).choice(n, N_SEEDS, replace=False))
    G = g.to_networkx()
    sc = lt_scenario(n, seeds, False)
    smmsim_runs(sc, g, 8, 1, 0)
    rng = np.random.default_rng(args.seed)
    nd_secs, nd_sizes, smm_rates = [], Sample(), []
    smm = Sample()
    for r in range(runs_n):
        size, secs = ndlib_run(G, seeds, rng)
        nd_secs.append(secs)
        nd_sizes.extend([size])
        x, wall, _cpu = smmsim_runs(sc, g, 2_000, 1, 3000 + r)
        smm_rates.append(2_000 / wall)
        smm.extend(x)
        log(f"  run {r + 1}: NDlib {secs:.2f} s ({size} activated); smmsim "
            f"{fmt_rate(smm_rates[-1])} runs/s")  # fmt: skip
    nd_rate = 1.0 / float(np.mean(nd_secs))
    smm_rate = median(smm_rates)
    ratio = smm_rate / nd_rate
    rows = [
        ["smmsim simulate(), 1 thread", fmt_rate(smm_rate), fmt_ratio(ratio)],
        ["NDlib ThresholdModel", fmt_rate(nd_rate), "1.00x"],
    ]
    log(format_table(["tool", "runs/s (wall)", "vs NDlib"], rows))
    log(f"mean activated users: smmsim {smm.mean:.1f} +- {smm.sem:.1f}, NDlib "
        f"{nd_sizes.mean:.1f} +- {nd_sizes.sem:.1f} ({nd_sizes.n} runs)")  # fmt: skip
    log(f"target: smmsim >= {TARGETS['vs_ndlib']}x NDlib on the same {n:,}-user graph: "
        f"{ratio:,.0f}x ({'met' if ratio >= TARGETS['vs_ndlib'] else 'NOT met'})\n")  # fmt: skip
    report["ndlib"] = {
        "n": n,
        "ndlib_runs": runs_n,
        "ndlib_s_per_run": float(np.mean(nd_secs)),
        "smmsim_runs_per_s": smm_rate,
        "ratio": ratio,
        "mean_activated": {"smmsim": smm.mean, "ndlib": nd_sizes.mean},
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller graphs and fewer runs")
    p.add_argument("--repeats", type=int, default=3, help="interleaved timing repeats")
    p.add_argument("--ndlib-runs", type=int, default=3, help="NDlib runs (each timed)")
    p.add_argument("--only", choices=("cynetdiff", "ndlib"), help="run one section")
    p.add_argument("--seed", type=int, default=1, help="graph, seed users and peers' rng")
    p.add_argument("--json", type=Path, help="write the figures here")
    p.add_argument(
        "--wait-quiet", type=float, default=0.0, help="wait up to this many s for load < 1"
    )
    args = p.parse_args(argv)
    log(f"bench_threshold_models | {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC | {machine()}")
    log(f"numba threads {numba.config.NUMBA_NUM_THREADS}; load {loadavg():.2f}\n")
    report: dict = {"machine": machine(), "quick": args.quick}
    if args.only in (None, "cynetdiff"):
        bench_cynetdiff(args, report)
    if args.only in (None, "ndlib"):
        bench_ndlib(args, report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
