"""Time the native audience generators against networkx.

Usage::

    python benchmarks/bench_generators.py                 # 1M-user BA (m=5) vs networkx
    python benchmarks/bench_generators.py --skip-networkx # native generators only
    python benchmarks/bench_generators.py --big           # 10M users, 50M ties: time, peak RSS

The native timings are warm: each generator is called once on a small audience first,
so JIT compilation is not counted. Timings include building the CSR form.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time

from smmsim.generators import barabasi_albert, erdos_renyi, powerlaw, sbm, watts_strogatz

GIB = 1024**3


def peak_rss_bytes() -> int:
    """Peak resident set size of this process (``ru_maxrss`` is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def timed(fn, *args, **kwargs):
    """Result, wall seconds and CPU seconds of one call (CPU time shows contention)."""
    cpu = time.process_time()
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start, time.process_time() - cpu


def warm_up() -> None:
    barabasi_albert(1000, 5, rng=0)
    erdos_renyi(1000, 10.0, rng=0)
    powerlaw(1000, 2.5, 2, rng=0)
    watts_strogatz(1000, 10, 0.1, rng=0)
    sbm(1000, 10, 10.0, 0.8, rng=0)


def bench_vs_networkx(n: int, m: int, repeats: int, skip_networkx: bool) -> None:
    warm_up()
    runs = []
    for r in range(repeats):
        g, wall, cpu = timed(barabasi_albert, n, m, rng=r + 1)
        runs.append((wall, cpu))
    wall, cpu = min(runs)
    print(f"native  barabasi_albert(n={n:,}, m={m}): {g.n_edges:,} ties")
    print("        wall (s): " + ", ".join(f"{w:.3f}" for w, _ in runs) + f"  best {wall:.3f}")
    print("        cpu  (s): " + ", ".join(f"{c:.3f}" for _, c in runs))
    others = [
        ("erdos_renyi", erdos_renyi, (n, 2.0 * m)),
        ("powerlaw", powerlaw, (n, 2.5, 2)),
        ("watts_strogatz", watts_strogatz, (n, 2 * m, 0.1)),
        ("sbm", sbm, (n, 10, 2.0 * m, 0.8)),
    ]
    for label, fn, args in others:
        h, w, c = timed(fn, *args, rng=1)
        print(f"native  {label}{args}: {h.n_edges:,} ties in {w:.3f} s (cpu {c:.3f} s)")
    if skip_networkx:
        return
    import networkx as nx

    h, nx_wall, nx_cpu = timed(nx.barabasi_albert_graph, n, m, seed=1)
    ties = h.number_of_edges()
    print(
        f"networkx {nx.__version__} barabasi_albert_graph: {ties:,} ties in {nx_wall:.2f} s "
        f"(cpu {nx_cpu:.2f} s)"
    )
    ratio = nx_wall / wall
    verdict = "meets" if ratio >= 20 else "MISSES"
    print(f"speed-up: {ratio:.1f}x wall, {nx_cpu / cpu:.1f}x cpu ({verdict} the 20x bar)")


def bench_big(n: int, m: int) -> None:
    warm_up()
    before = peak_rss_bytes()
    g, wall, cpu = timed(barabasi_albert, n, m, rng=1)
    peak = peak_rss_bytes()
    print(f"native  barabasi_albert(n={n:,}, m={m}): {g.n_edges:,} ties")
    print(f"        {wall:.2f} s wall, {cpu:.2f} s cpu")
    print(f"peak RSS: {peak / GIB:.2f} GiB (after warm-up: {before / GIB:.2f} GiB)")
    print(f"graph arrays: {(g.indptr.nbytes + g.indices.nbytes) / GIB:.2f} GiB")
    verdict = "fits" if peak < 24 * GIB else "DOES NOT fit"
    print(f"{verdict} in 24 GiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="10M users, m=5 (50M ties)")
    parser.add_argument("--n", type=int, default=None, help="number of users")
    parser.add_argument("--m", type=int, default=5, help="ties per joining user")
    parser.add_argument("--repeats", type=int, default=3, help="native repetitions")
    parser.add_argument("--skip-networkx", action="store_true", help="native timings only")
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    if args.big:
        bench_big(args.n or 10_000_000, args.m)
    else:
        bench_vs_networkx(args.n or 1_000_000, args.m, args.repeats, args.skip_networkx)


if __name__ == "__main__":
    main()
