"""What per-segment multipliers cost the default kernel: one post on the Monte Carlo
audience of ``bench_ic.py`` (Barabasi-Albert, 1,000,000 users, m=5, 10 random seeds,
visibility p, stickiness = contagion = 1).

Usage::

    PYTHONPATH=. python benchmarks/bench_multipliers.py          # p = 0.05 and 0.01
    PYTHONPATH=. python benchmarks/bench_multipliers.py --old OLD/smmsim/_kernels/ewom.py
                                       # also an older commit's kernel, side by side

Variants, timed in one process, interleaved repeat by repeat (CPU time of the calling
thread's process, one worker), medians and the median of the paired ratios reported:

``none``
    no segments: ``seg_mult`` of shape (0, 3), as every scenario without ``segments:``.
``tallies``
    10 random segments tallied per segment, no multipliers.
``multipliers``
    the same 10 segments with multipliers (all 1, so every variant simulates the same
    cascades: the reach totals printed must agree).
``old``
    with ``--old``: the default kernel module of an older commit (its ``args`` have no
    ``seg_mult``), loaded from the given file.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time

import numpy as np

from smmsim._kernels import driver, ewom
from smmsim._kernels.layout import C_REACH
from smmsim._kernels.rng import visibility_table
from smmsim.generators import barabasi_albert
from smmsim.rng import resolve_seed, root_key

N, M, SEEDS, SEGMENTS = 1_000_000, 5, 10, 10
CASES = {0.05: (200, 300), 0.01: (50, 1_000_000)}  # p: (steps, runs per timing)


def _old_kernel(path: str):
    spec = importlib.util.spec_from_file_location("smmsim._kernels.ewom_old", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", help="an older commit's smmsim/_kernels/ewom.py")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    g = barabasi_albert(N, M, rng=0)
    rng = np.random.default_rng(0)
    seeds = np.sort(rng.choice(g.n, SEEDS, replace=False)).astype(np.int64)[None, :]
    segment_of = rng.integers(0, SEGMENTS, g.n).astype(np.int32)
    root = np.uint64(root_key(resolve_seed(0)))
    old = _old_kernel(args.old) if args.old else None
    for p, (steps, runs) in CASES.items():
        params = np.array([p, 1.0, 1.0, 0.0, 0.0, 0.0])
        plain = (g.indptr, g.indices, params, np.zeros((0, 3)), visibility_table(p))
        variants = {
            "none": (ewom, plain, None),
            "tallies": (ewom, plain, segment_of),
            "multipliers": (ewom, (*plain[:3], np.ones((SEGMENTS, 3)), plain[4]), segment_of),
        }
        if old is not None:
            variants["old"] = (old, plain[:3], None)

        def run(kernel, kargs, seg, n, steps=steps):
            return driver.ensemble(
                kernel, kargs, seeds, root, 1000, n, steps, 1, g.n, seg,
                SEGMENTS if seg is not None else 0,
            )  # fmt: skip

        for v in variants.values():
            run(*v, 20)  # compile or load from the cache
        times = {name: [] for name in variants}
        reach = {}
        for rep in range(args.repeats):
            order = list(variants) if rep % 2 else list(variants)[::-1]
            for name in order:
                c0 = time.process_time()
                out = run(*variants[name], runs)
                times[name].append(time.process_time() - c0)
                reach[name] = int(out.counts[:, C_REACH].sum())
        print(
            f"p = {p}: {runs:,} runs of {steps} steps; reach totals {sorted(set(reach.values()))}"
        )
        for name, t in times.items():
            ratio = np.median(np.array(t) / np.array(times["none"]))
            print(f"  {name:12s} median {np.median(t):.3f} s   paired ratio to none {ratio:.3f}")


if __name__ == "__main__":
    main()
