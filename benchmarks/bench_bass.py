"""Bass diffusion on a 1,000,000-user audience: runs per second, and work per step.

Usage::

    python benchmarks/bench_bass.py                # 1M users, 100 steps (about 5 minutes)
    python benchmarks/bench_bass.py --quick        # 100,000 users (under a minute)
    python benchmarks/bench_bass.py --repeats 5 --json out/bench_bass.json

The audience is a Barabási-Albert graph (m = 5); every run has 100 steps and 10 random
seed users (the same for every run and tool). Four campaigns:

``wom``
    No ads; word of mouth with Bass's average imitation q = 0.38 (Sultan, Farley &
    Lehmann 1990): it takes over the whole audience within the horizon.
``wom_slow``
    No ads; q = 0.1: a product few people talk about, so only a few users are ever at
    risk.
``narrow_ads``
    Ads (p = 0.03) shown every step to a segment of 1% of the users, q = 0.1.
``bass``
    The classic Bass market: ads to everyone every step (p = 0.03), q = 0.38.

For each: smmsim's normal path (``simulate()`` with every metric) on 1 and 2 threads,
the kernel alone (through the ensemble driver, without metrics), and a naive kernel
written here that scans every user every step (same dynamics, without the funnel,
parents or series, so it does less per user than smmsim's kernel), timed in the same
process, interleaved repeat by repeat; medians are reported. The kernel counts the
users it examines at each step (ad candidates, frontier users, followers updated); the
naive kernel examines all ``n`` users every step plus the same follower updates.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numba
import numpy as np
from numba import njit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import fmt_ratio, format_table, loadavg, machine, median, timed, timed_cpu

from smmsim._kernels import bass as bass_kernel
from smmsim._kernels import driver
from smmsim._kernels.rng import mix64, stream_key
from smmsim.generators import barabasi_albert
from smmsim.graph import CSRGraph
from smmsim.models.bass import BassDiffusion
from smmsim.rng import resolve_seed, root_key
from smmsim.scenario import default_scenario
from smmsim.simulate import simulate

N = (1_000_000, 100_000)  # full, quick
M = 5
STEPS = 100
SEEDS = 10
RUNS = (4, 8)  # runs per timing: full, quick

CASES = {
    # name: (p, q, targeted segment share or None for everyone, ads on)
    "wom": (0.0, 0.38, None),
    "wom_slow": (0.0, 0.1, None),
    "narrow_ads": (0.03, 0.1, 0.01),
    "bass": (0.03, 0.38, None),
}


def log(msg: str = "") -> None:
    print(msg, flush=True)


@njit(cache=True)
def naive_run(indptr, indices, in_deg, seeds, p, q, active, target, steps, key):
    """Bass dynamics the obvious way: every step, look at every user.

    A user who has not adopted adopts with probability ``p * ad + q * a / d`` (``a``
    adopted in-neighbours, kept as counters; ``d`` in-degree). Returns the adopters.
    """
    n = indptr.shape[0] - 1
    adopted = np.zeros(n, dtype=np.uint8)
    cnt = np.zeros(n, dtype=np.int32)
    new = np.empty(n, dtype=np.int32)
    total = 0
    for i in range(seeds.shape[0]):
        s = seeds[i]
        if adopted[s] == 0:
            adopted[s] = 1
            total += 1
            for j in range(indptr[s], indptr[s + 1]):
                cnt[indices[j]] += 1
    state = key
    for t in range(steps):
        k = 0
        ad = p if active[t] != 0 else 0.0
        for v in range(n):  # the scan that smmsim's kernel avoids
            if adopted[v] != 0:
                continue
            h = ad * target[v]
            if cnt[v] > 0:
                h += q * cnt[v] / in_deg[v]
            if h > 0.0:
                state = state + np.uint64(0x9E3779B97F4A7C15)
                u = (float(mix64(state) >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)
                if u < h:
                    new[k] = v
                    k += 1
        for i in range(k):
            adopted[new[i]] = 1
        for i in range(k):
            u = new[i]
            for j in range(indptr[u], indptr[u + 1]):
                cnt[indices[j]] += 1
        total += k
    return total


def naive_many(g, in_deg, seeds, p, q, active, target, steps, root, first, runs):
    out = np.empty(runs, dtype=np.int64)
    for r in range(runs):
        out[r] = naive_run(
            g.indptr, g.indices, in_deg, seeds, p, q, active, target, steps,
            np.uint64(stream_key(np.uint64(root), first + r, 1)),
        )  # fmt: skip
    return out


def kernel_alone(model, g, seed_sets, first, runs, root):
    """``runs`` replicates of ``model``'s kernel on one thread, without metrics; returns
    the users examined at each step of each run."""
    examined = np.zeros((runs, STEPS), dtype=np.int64)
    args = (*model.kernel_args(g, STEPS)[:-1], examined)
    driver.ensemble(bass_kernel, args, seed_sets, root, first, runs, STEPS, 1, g.n)
    return examined


def bass_scenario(n: int, p: float, q: float, targeted: bool, seeds) -> object:
    return default_scenario().with_overrides(
        {
            "model": "bass",
            "audience.n": n,
            "audience.m": M,
            "bass.p": p,
            "bass.q": q,
            "bass.target_segments": ["niche"] if targeted else None,
            "bass.seeded": True,
            "seeding.strategy": "nodes",
            "seeding.nodes": [int(s) for s in seeds],
            "simulation.steps": STEPS,
        }
    )


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100,000 users")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--only", default=",".join(CASES), help="comma-separated cases")
    ap.add_argument("--json", type=Path, help="write the report here")
    args = ap.parse_args(argv)
    quick = 1 if args.quick else 0
    n, runs = N[quick], RUNS[quick]
    threads = [1, 2] if numba.config.NUMBA_NUM_THREADS >= 2 else [1]
    log(f"machine: {machine()}; load {loadavg():.2f}")
    g, t_gen = timed(barabasi_albert, n, M, rng=args.seed)
    rng = np.random.default_rng(args.seed)
    seeds = np.sort(rng.choice(n, SEEDS, replace=False)).astype(np.int64)
    niche = (rng.random(n) < 0.01).astype(np.int32)
    g_seg = CSRGraph(g.indptr, g.indices, segments=niche, segment_names=("rest", "niche"))
    in_deg = g.in_degree().astype(np.int64)
    log(f"audience: {g} built in {t_gen:.1f} s; {niche.sum():,} users in the 1% segment")
    log(f"{STEPS} steps, {SEEDS} seed users, {runs} runs per timing, {args.repeats} repeats\n")
    report = {"n": n, "m": M, "steps": STEPS, "runs_per_timing": runs, "cases": {}}
    root = np.uint64(root_key(resolve_seed(args.seed)))
    # the degree statistics of the graph are computed once, on the first simulate()
    sc0 = bass_scenario(n, 0.0, 0.1, False, seeds)
    simulate(sc0, graph=g_seg, runs=1, rng=0, threads=1)

    for name in args.only.split(","):
        p, q, share = CASES[name]
        targeted = share is not None
        model = BassDiffusion(
            p=p, q=q, target_segments=("niche",) if targeted else None, seeded=True
        )
        sc = bass_scenario(n, p, q, targeted, seeds)
        active = np.ones(STEPS, dtype=np.uint8) if p > 0 else np.zeros(STEPS, dtype=np.uint8)
        target = niche.astype(np.float64) if targeted else np.ones(n)
        seed_row = seeds[None, :]
        # warm-up (numba caches, first touch)
        for th in threads:
            simulate(sc, graph=g_seg, runs=1, rng=0, threads=th)
        kernel_alone(model, g_seg, seed_row, 0, 1, root)
        naive_many(g, in_deg, seeds, p, q, active, target, STEPS, root, 0, 1)

        rates = {k: [] for k in ("sim1", "sim2", "ker1", "naive")}
        ratios, ratios_cpu = [], []
        work = None
        adopted, naive_adopted = [], []
        for r in range(args.repeats):
            seed = args.seed * 100 + r
            for th in threads:
                res, wall = timed(simulate, sc, graph=g_seg, runs=runs, rng=seed, threads=th)
                rates[f"sim{th}"].append(runs / wall)
                if th == 1:
                    adopted.extend(res.runs["shares"].tolist())
            examined, wall_k, cpu_k = timed_cpu(
                kernel_alone, model, g_seg, seed_row, r * runs, runs, root
            )
            rates["ker1"].append(runs / wall_k)
            work = examined if work is None else np.vstack([work, examined])
            out, wall_n, cpu_n = timed_cpu(
                naive_many, g, in_deg, seeds, p, q, active, target, STEPS, root, r * runs, runs
            )
            rates["naive"].append(runs / wall_n)
            naive_adopted.extend(out.tolist())
            ratios.append(rates["ker1"][-1] / rates["naive"][-1])
            ratios_cpu.append(cpu_n / cpu_k)
            log(
                f"  {name} repeat {r + 1}: simulate 1t {rates['sim1'][-1]:.2f} runs/s, kernel "
                f"{rates['ker1'][-1]:.2f}, naive {rates['naive'][-1]:.2f}; load {loadavg():.2f}"
            )
        per_step = work.mean(axis=0) / n
        med = {k: median(v) for k, v in rates.items() if v}
        row = {
            "p": p,
            "q": q,
            "targeted_share": share,
            "runs_per_s": med,
            "kernel_over_naive": median(ratios),
            "kernel_over_naive_cpu": median(ratios_cpu),
            "mean_adopted_share": float(np.mean(adopted) / n),
            "naive_mean_adopted_share": float(np.mean(naive_adopted) / n),
            "examined_per_step_over_n": {
                "mean": float(per_step.mean()),
                "first_10_steps": float(per_step[:10].mean()),
                "median_step": float(np.median(per_step)),
                "max_step": float(per_step.max()),
                "steps_below_1pct": int((per_step < 0.01).sum()),
            },
        }
        report["cases"][name] = row
        rows = [
            ("smmsim simulate(), 1 thread", f"{med['sim1']:.2f}"),
            *([("smmsim simulate(), 2 threads", f"{med['sim2']:.2f}")] if "sim2" in med else []),
            ("smmsim kernel, 1 thread", f"{med['ker1']:.2f}"),
            ("naive scan-all kernel, 1 thread", f"{med['naive']:.2f}"),
        ]
        log()
        log(format_table((f"{name}: p={p:g} q={q:g}", "runs/s"), rows))
        ex = row["examined_per_step_over_n"]
        log(
            f"  kernel / naive: {fmt_ratio(row['kernel_over_naive'])} wall, "
            f"{fmt_ratio(row['kernel_over_naive_cpu'])} CPU; adopted share at step {STEPS}: "
            f"{row['mean_adopted_share']:.3f} (naive {row['naive_mean_adopted_share']:.3f})"
        )
        log(
            f"  users examined per step / n: mean {ex['mean']:.4f}, first 10 steps "
            f"{ex['first_10_steps']:.4f}, median step {ex['median_step']:.4f}, max step "
            f"{ex['max_step']:.3f}; {ex['steps_below_1pct']} of {STEPS} steps under 1% "
            f"(naive: 1 + follower updates, every step)\n"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
