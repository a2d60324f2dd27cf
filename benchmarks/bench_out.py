"""What writing results costs: ``simulate()`` alone against ``simulate()`` writing them.

Usage::

    python benchmarks/bench_out.py                  # 1M users, 2,000 runs, steps 200 and 2000
    python benchmarks/bench_out.py --quick          # 100,000 users, 500 runs (a smoke test)
    python benchmarks/bench_out.py --repeats 7 --plots --json out/bench_out.json

The API equivalent of ``smmsim run`` against ``smmsim run --out DIR``: on the
independent-cascade scenario of ``bench_ic.py`` (a Barabási-Albert audience of
1,000,000 users, ``m = 5``, 10 random seed users, ``p = 0.05``), on one thread, each
repeat times

* ``plain``: ``simulate(scenario, graph=g, runs=R, rng=seed, threads=1)``;
* ``out``: the same call with a :class:`smmsim.results.RunWriter` as ``on_batch`` (the
  per-batch ``runs.csv`` and ``timeseries.csv``), then ``writer.finish(results)``
  (``summary.json`` and the final tables; the plots only with ``--plots``),

for ``simulation.steps`` 200 and 2000. The two are interleaved within a repeat, in
alternating order, so a change in machine load hits both alike; the ratio ``out /
plain`` is taken within each repeat and the median, minimum and maximum over repeats
are printed, for wall-clock and process CPU time (which a busy machine does not
inflate). The target is a median ratio of at most 1.15 for both horizons.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import loadavg, machine, median, timed, timed_cpu, wait_for_quiet
from bench_ic import ic_scenario

from smmsim.generators import barabasi_albert
from smmsim.results import RunWriter
from smmsim.simulate import simulate

TARGET = 1.15
P = 0.05
M = 5
SEEDS = 10
# (users, runs): full, quick
SIZES = ((1_000_000, 2_000), (100_000, 500))
HORIZONS = (200, 2000)


def log(msg: str = "") -> None:
    print(msg, flush=True)


def plain(sc, g, runs, seed):
    return simulate(sc, graph=g, runs=runs, rng=seed, threads=1)


def with_out(sc, g, runs, seed, out_dir: Path, plots: bool):
    writer = RunWriter(out_dir)
    res = simulate(sc, graph=g, runs=runs, rng=seed, threads=1, on_batch=writer)
    writer.finish(res, plots=plots)
    return res


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="100,000 users, 500 runs")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--steps", type=int, nargs="*", default=list(HORIZONS))
    ap.add_argument("--plots", action="store_true", help="also write the plots")
    ap.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)

    n, runs = SIZES[1 if args.quick else 0]
    log(f"machine: {machine()}")
    g, t_gen = timed(barabasi_albert, n, M, rng=args.seed)
    seeds = np.sort(np.random.default_rng(args.seed).choice(n, SEEDS, replace=False))
    log(f"audience: {g} built in {t_gen:.1f} s; {runs:,} runs, p = {P}, 1 thread")
    report: dict = {"n": n, "runs": runs, "p": P, "machine": machine(), "by_steps": {}}
    tmp = Path(tempfile.mkdtemp(prefix="bench_out_"))
    try:
        for steps in args.steps:
            sc = ic_scenario({"n": n, "m": M}, P, seeds, steps)
            # warm-up: numba caches, first touch of the graph and of the kernel's
            # buffers, degree statistics
            plain(sc, g, runs, 0)
            with_out(sc, g, runs, 0, tmp / "warm", args.plots)
            load0 = wait_for_quiet(1.0, args.wait_quiet)
            log(f"\n-- steps = {steps}: {args.repeats} repeats; load {load0:.2f}")
            wall = {"plain": [], "out": []}
            cpu = {"plain": [], "out": []}
            sizes = []
            for r in range(args.repeats):
                seed = args.seed * 1000 + r
                order = ("plain", "out") if r % 2 == 0 else ("out", "plain")
                for kind in order:
                    if kind == "plain":
                        _, w, c = timed_cpu(plain, sc, g, runs, seed)
                    else:
                        _, w, c = timed_cpu(with_out, sc, g, runs, seed, tmp / "out", args.plots)
                        sizes.append(
                            sum(f.stat().st_size for f in (tmp / "out").iterdir() if f.is_file())
                        )
                    wall[kind].append(w)
                    cpu[kind].append(c)
                log(
                    f"   repeat {r + 1}: plain {wall['plain'][-1]:.2f} s, "
                    f"--out {wall['out'][-1]:.2f} s (x{wall['out'][-1] / wall['plain'][-1]:.2f}); "
                    f"CPU x{cpu['out'][-1] / cpu['plain'][-1]:.2f}; load {loadavg():.2f}"
                )
            row = {}
            for name, t in (("wall", wall), ("cpu", cpu)):
                ratios = [o / p for o, p in zip(t["out"], t["plain"], strict=True)]
                row[name] = {
                    "plain_s": median(t["plain"]),
                    "out_s": median(t["out"]),
                    "ratio_median": median(ratios),
                    "ratio_min": min(ratios),
                    "ratio_max": max(ratios),
                }
            row["files_bytes"] = int(median(sizes))
            report["by_steps"][str(steps)] = row
            for name in ("wall", "cpu"):
                x = row[name]
                ok = "ok" if x["ratio_median"] <= TARGET else "ABOVE TARGET"
                log(
                    f"   {name:4s}: plain {x['plain_s']:.2f} s, --out {x['out_s']:.2f} s, "
                    f"ratio median {x['ratio_median']:.3f} (min {x['ratio_min']:.3f}, "
                    f"max {x['ratio_max']:.3f}); target <= {TARGET}: {ok}"
                )
            log(f"   files written: {row['files_bytes'] / 1e6:.1f} MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
