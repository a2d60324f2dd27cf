"""What the per-segment breakdown costs: the same scenario with 10 segments and without.

Usage::

    python benchmarks/bench_segments.py                # 1M users, 7 paired repeats
    python benchmarks/bench_segments.py --quick        # 100k users, 3 repeats
    python benchmarks/bench_segments.py --json out/bench_segments.json

On the 1,000,000-user Barabasi-Albert audience of ``benchmarks/bench_ic.py`` (m = 5,
the same 10 random seed users), the default model at p = 0.05 (1,000 runs: cascades of
tens of thousands of users) and p = 0.01 (200,000 runs: most of them the seeds alone),
with conversions on (every per-segment tally is busy), one thread: ``simulate()`` on
the audience without segments, then on the same audience with each user put in one of
10 segments at random (every per-segment tally recorded, its summary computed). The two
calls alternate repeat by repeat; the figure is the median of the paired ratios
``time with segments / time without`` (the bar: at most 1.10), in wall time and in
process CPU time (one thread: what the call takes on an idle core, which a busy machine
does not inflate).

Run with the working tree's smmsim first on the path (``PYTHONPATH=. python
benchmarks/bench_segments.py``) to measure it rather than an installed copy.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import format_table, loadavg, machine, median, timed, timed_cpu, wait_for_quiet

from smmsim.generators import barabasi_albert
from smmsim.scenario import default_scenario
from smmsim.simulate import simulate

N = (1_000_000, 100_000)
M = 5
SEEDS = 10
SEGMENTS = 10
#: runs per call and horizon, by p (full, quick)
RUNS = {0.05: (1_000, 300), 0.01: (200_000, 20_000)}
STEPS = {0.05: 200, 0.01: 50}
TARGET = 1.10


def log(msg: str = "") -> None:
    print(msg, flush=True)


def scenario(n: int, p: float, seeds, steps: int):
    """The default model as an independent cascade at ``p`` with conversions, seeded by
    ``seeds`` (the graph itself is passed to ``simulate()``)."""
    return default_scenario().with_overrides(
        {
            "audience.n": n,
            "audience.m": M,
            "content.visibility": p,
            "content.stickiness": 1.0,
            "content.contagion": 1.0,
            "funnel.conversion": 0.02,
            "seeding.strategy": "nodes",
            "seeding.nodes": [int(s) for s in seeds],
            "simulation.steps": steps,
        }
    )


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--wait-quiet", type=float, default=0.0, help="seconds to wait for load < 1")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    q = 1 if args.quick else 0
    repeats = args.repeats or (3 if args.quick else 7)
    n = N[q]
    log(f"machine: {machine()}")
    g, t_gen = timed(barabasi_albert, n, M, rng=args.seed)
    rng = np.random.default_rng(args.seed)
    seeds = np.sort(rng.choice(n, SEEDS, replace=False))
    seg = dataclasses.replace(
        g,
        segments=rng.integers(0, SEGMENTS, n).astype(np.int32),
        segment_names=tuple(f"s{i}" for i in range(SEGMENTS)),
    )
    log(f"audience: {g} built in {t_gen:.1f} s; {SEGMENTS} segments at random")
    report: dict = {"machine": machine(), "n": n, "segments": SEGMENTS, "load": loadavg()}
    report["by_p"] = {}
    rows = []
    for p in (0.05, 0.01):
        runs, steps = RUNS[p][q], STEPS[p]
        sc = scenario(n, p, seeds, steps)
        for graph in (g, seg):  # warm-up: compiled code, degree statistics, pages
            simulate(sc, graph=graph, runs=4, rng=0, threads=1, progress=False)
        load = wait_for_quiet(1.0, args.wait_quiet)
        log(f"\n-- p = {p}: {runs:,} runs per call, steps={steps}, load {load:.2f}")
        ratios, cpu_ratios, plain, split = [], [], [], []
        for r in range(repeats):
            seed = args.seed * 1000 + r
            order = (g, seg) if r % 2 == 0 else (seg, g)  # alternate which goes first
            t, c = {}, {}
            for graph in order:
                res, t[graph is seg], c[graph is seg] = timed_cpu(
                    simulate, sc, graph=graph, runs=runs, rng=seed, threads=1, progress=False
                )
                if graph is seg:  # the breakdown adds up to the totals
                    by = res.extra["by_segment"]
                    total = sum(v["reach"]["mean"] for v in by.values())
                    assert abs(total - res.mean("reach")) <= 1e-9 * max(1.0, total)
            plain.append(runs / t[False])
            split.append(runs / t[True])
            ratios.append(t[True] / t[False])
            cpu_ratios.append(c[True] / c[False])
            log(
                f"   repeat {r + 1}: none {plain[-1]:,.0f} runs/s, 10 segments "
                f"{split[-1]:,.0f} runs/s, ratio {ratios[-1]:.3f} (CPU {cpu_ratios[-1]:.3f}); "
                f"load {loadavg():.2f}"
            )
        ratio = median(ratios)
        cpu_ratio = median(cpu_ratios)
        report["by_p"][str(p)] = {
            "runs": runs,
            "none_runs_per_s": median(plain),
            "segments_runs_per_s": median(split),
            "ratio": ratio,
            "ratios": ratios,
            "cpu_ratio": cpu_ratio,
            "cpu_ratios": cpu_ratios,
        }
        rows.append(
            [
                f"p = {p}",
                f"{median(plain):,.0f}",
                f"{median(split):,.0f}",
                f"{ratio:.3f}",
                f"{cpu_ratio:.3f}",
                f"<= {TARGET:.2f} " + ("ok" if cpu_ratio <= TARGET else "MISSED"),
            ]
        )
    log("")
    log(
        format_table(
            [
                "case",
                "no segments (runs/s)",
                "10 segments (runs/s)",
                "wall ratio",
                "CPU ratio",
                "bar (CPU)",
            ],
            rows,
        )
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
