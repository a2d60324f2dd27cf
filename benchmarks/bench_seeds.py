"""Choosing seeds: smmsim's IMM and strategies against PyNetIM's IMM and CyNetDiff's CELF.

Usage::

    python benchmarks/bench_seeds.py                   # every section (the 1M-user one is long)
    python benchmarks/bench_seeds.py --only celf,facebook
    python benchmarks/bench_seeds.py --only imm --p 0.01 --timeout 1800 --json out.json

Sections:

``imm``
    A Barabási-Albert audience of 1,000,000 users (m = 5, mutual ties), plain
    independent cascade (visibility = p, stickiness = contagion = 1), p = 0.01 and 0.05,
    50 seeds, epsilon = 0.1: smmsim's OPIM-C and IMM (2 threads) and PyNetIM's IMM (its
    C++ ``IMMAlgorithm``, ``l = 1``) on the same arcs, each in its own process (wall time
    of the choice, peak resident memory, RR sets drawn). Both seed sets are then judged on
    the same fresh Monte Carlo runs (mean activated users with a 95% CI). Before a tool
    is started, the RR-set memory IMM would need is predicted from a probe of 20,000 RR
    sets and IMM's own bound; IMM predicted to need more than ``--max-gb`` is not
    started (for either tool) and the prediction is reported instead.
``celf``
    CyNetDiff's documented CELF example (a random 7-regular graph of 5,000 users, every
    tie both ways, 20 seeds, 1,000 trials per marginal gain), driven through CyNetDiff's
    ``compute_marginal_gains``, with one activation probability for every arc (smmsim's
    default model has one transmissibility; the example draws each arc's from {0.1,
    0.01, 0.001}), against smmsim's IMM (epsilon = 0.1) and smmsim's CELF (1,000 runs per
    evaluation) on the same graph: time ratio and spreads on fresh runs.
``facebook``
    The SNAP ego-Facebook audience shipped with smmsim, p = 0.01 and 0.05, 10 seeds:
    IMM against top degree, degree discount, PageRank, k-core and random, judged on
    fresh runs.

Peers come from the ``[bench]`` extra (``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import cynetdiff_arrays, loadavg, machine

import smmsim
from smmsim.influence import choose_seeds
from smmsim.influence.objectives import MonteCarlo
from smmsim.metrics import Economics
from smmsim.models import EWOM
from smmsim.rng import root_key

BA_N, BA_M, BA_RNG = 1_000_000, 5, 1
#: smmsim's optimisers in the ``imm`` section, by tool name.
SMMSIM_TOOLS = {"smmsim": "imm", "smmsim-opim": "opim"}
K_BIG, EPS = 50, 0.1


# --------------------------------------------------------------------------- shared
def ic_scenario(p: float, steps: int = 200):
    """The plain independent cascade at ``p`` as an smmsim scenario."""
    return smmsim.default_scenario().with_overrides(
        {
            "content.visibility": p,
            "content.stickiness": 1.0,
            "content.contagion": 1.0,
            "content.half_life": None,
            "simulation.steps": steps,
            "simulation.rng_seed": 2026,
        }
    )


def judge(graph, p: float, nodes, runs: int, key: int = 777) -> tuple[float, float]:
    """Mean activated users (seeds included) of ``nodes`` on fresh runs, and the 95% CI."""
    model = EWOM(p, 1.0, 1.0, None, 0.0, 1.0)
    mc = MonteCarlo(model, graph, Economics(), 200, runs, root_key(key))
    return mc.outcome(np.asarray(sorted(int(x) for x in nodes))).summary("reach")


def peak_rss_mb() -> float:
    """Peak resident memory of this process (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def set_audience_size(n: int) -> None:
    """Users of the ``imm`` section's audience (1,000,000 unless told otherwise)."""
    global BA_N
    BA_N = int(n)


def ba_graph():
    return smmsim.generators.barabasi_albert(BA_N, BA_M, rng=BA_RNG)


# --------------------------------------------------------------------------- workers
def worker(tool: str, p: float, k: int, eps: float, threads: int) -> dict:
    """One tool's IMM on the 1M-user audience, in this process (run as a subprocess)."""
    graph = ba_graph()
    base_rss = peak_rss_mb()
    if tool in SMMSIM_TOOLS:
        t0 = time.perf_counter()
        ch = choose_seeds(
            ic_scenario(p), k=k, method=SMMSIM_TOOLS[tool], epsilon=eps, graph=graph,
            threads=threads,
        )  # fmt: skip
        secs = time.perf_counter() - t0
        return {
            "tool": tool,
            "threads": threads,
            "seconds": secs,
            "seeds": ch.nodes.tolist(),
            "rr_sets": ch.samples["rr_sets"],
            "rr_sets_all": sum(v for key, v in ch.samples.items() if key.startswith("rr_sets")),
            "rr_bytes": ch.samples["rr_bytes"],
            "guarantee": ch.guarantee,
            "estimate": ch.estimate,
            "peak_rss_mb": peak_rss_mb(),
            "graph_rss_mb": base_rss,
        }
    from pynetim import IMGraph, IMMAlgorithm

    src = np.repeat(np.arange(graph.n), np.diff(graph.indptr))
    arcs = list(zip(src.tolist(), graph.indices.tolist(), strict=True))
    del src
    t0 = time.perf_counter()
    g = IMGraph(arcs, weights=p, directed=True, renumber=False)
    build = time.perf_counter() - t0
    del arcs
    algo = IMMAlgorithm(g, model="IC", epsilon=eps, l=1, random_seed=1, verbose=True)
    t0 = time.perf_counter()
    seeds = algo.run(k=k)
    secs = time.perf_counter() - t0
    return {
        "tool": tool,
        "seconds": secs,
        "graph_build_seconds": build,
        "seeds": sorted(int(s) for s in seeds),
        "peak_rss_mb": peak_rss_mb(),
        "graph_rss_mb": base_rss,
    }


def run_worker(tool: str, p: float, k: int, eps: float, timeout: float, threads: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", tool, "--p", str(p), "--k", str(k)]
    cmd += ["--eps", str(eps), "--threads", str(threads)]
    cmd += ["--n", str(BA_N)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        said = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        rr = [x.strip() for x in said.splitlines() if "RR" in x]
        return {"tool": tool, "error": f"not finished within {timeout:.0f} s", "log": rr[-3:]}
    lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"tool": tool, "error": (out.stderr or out.stdout).strip()[-400:]}
    res = json.loads(lines[-1])
    rr = [x for x in out.stdout.splitlines() if "RR" in x]
    if rr:
        res["log_rr"] = rr[-1].strip()
        digits = "".join(c if c.isdigit() else " " for c in rr[-1]).split()
        if digits:
            res["rr_sets"] = int(digits[-1])
    return res


def predict_imm_bytes(graph, p: float, k: int, eps: float) -> dict:
    """RR-set memory IMM would need: mean RR-set size from 20,000 sets, a lower bound on
    the optimum from the greedy on them, and IMM's final count lambda* / LB."""
    from smmsim.influence.candidates import candidates
    from smmsim.influence.imm import E_FACTOR, _log_choose, _select
    from smmsim.influence.rrsets import RRSets

    probe = RRSets(graph, p, p, np.uint64(5), 0, threads=1)
    probe.extend_to(20_000)
    sizes = np.diff(probe.offsets)
    n = graph.n
    cand = candidates(graph, Economics(), budget=None, k=k)
    # the greedy's coverage of the probe's sets estimates the optimum
    _, _, covered, _, _ = _select(probe, cand)
    opt = max(1.0, n * covered / len(probe))
    ell = 1 + math.log(2) / math.log(n)
    log_cnk = _log_choose(n, k)
    alpha = math.sqrt(ell * math.log(n) + math.log(2))
    beta = math.sqrt(E_FACTOR * (log_cnk + ell * math.log(n) + math.log(2)))
    lam = 2 * n * (E_FACTOR * alpha + beta) ** 2 / eps**2
    theta = lam / opt
    # nodes (int32) and their inverted index (int32), offsets (int64)
    need = theta * (sizes.mean() * 8 + 8)
    return {"mean_rr_size": float(sizes.mean()), "opt_bound": float(opt), "rr_sets": theta,
            "bytes": need}  # fmt: skip


def section_imm(ps, runs: int, timeout: float, max_gb: float, threads: int) -> list[dict]:
    out = []
    graph = ba_graph()
    for p in ps:
        pred = predict_imm_bytes(graph, p, K_BIG, EPS)
        row = {"p": p, "prediction": pred}
        print(
            f"\n{BA_N:,}-user BA, p = {p}: IMM would draw {pred['rr_sets']:.3g} RR sets of mean "
            f"size {pred['mean_rr_size']:.2f}, about {pred['bytes'] / 2**30:.1f} GiB of RR sets",
            flush=True,
        )
        tools = ["smmsim-opim", "smmsim", "pynetim"]
        if pred["bytes"] > max_gb * 2**30:
            row["skipped"] = f"IMM's predicted RR-set memory is over {max_gb} GiB for either tool"
            print("  IMM not run:", row["skipped"], flush=True)
            tools = ["smmsim-opim"]
        for tool in tools:
            res = run_worker(tool, p, K_BIG, EPS, timeout, threads)
            if "seeds" in res:
                res["spread"] = judge(graph, p, res["seeds"], runs)
            row[tool] = res
            show = {k: v for k, v in res.items() if k != "seeds"}
            print(f"  {tool}: {show}", flush=True)
        out.append(row)
    return out


# --------------------------------------------------------------------------- CELF
def cynetdiff_celf(model, n: int, k: int, trials: int) -> list[int]:
    """Lazy greedy as CyNetDiff's CELF example describes it, on its marginal-gain call."""
    import heapq

    heap = [(-model.compute_marginal_gains([], [v], trials)[1], v) for v in range(n)]
    heapq.heapify(heap)
    _, v = heapq.heappop(heap)
    chosen = [v]
    while len(chosen) < k:
        while True:
            _, v = heapq.heappop(heap)
            fresh = -model.compute_marginal_gains(chosen, [v], trials)[1]
            if not heap or fresh <= heap[0][0]:
                break
            heapq.heappush(heap, (fresh, v))
        chosen.append(v)
    return chosen


def section_celf(p: float, runs: int) -> dict:
    import networkx as nx
    from cynetdiff.models import IndependentCascadeModel

    n, k, trials = 5_000, 20, 1_000
    nxg = nx.random_regular_graph(7, n, seed=1).to_directed()
    src, dst = zip(*nxg.edges(), strict=True)
    graph = smmsim.CSRGraph.from_edges(np.array(src), np.array(dst), n=n, directed=True)
    starts, edges = cynetdiff_arrays(graph.indptr, graph.indices)
    model = IndependentCascadeModel(starts, edges, activation_prob=p, rng=3)
    t0 = time.perf_counter()
    c_seeds = cynetdiff_celf(model, n, k, trials)
    t_c = time.perf_counter() - t0
    sc = ic_scenario(p)
    t0 = time.perf_counter()
    # one thread, as CyNetDiff's loop runs on one
    imm = choose_seeds(sc, k=k, method="imm", epsilon=EPS, graph=graph, threads=1)
    t_i = time.perf_counter() - t0
    t0 = time.perf_counter()
    celf = choose_seeds(sc, k=k, method="celf", graph=graph, runs=trials, pool=n, threads=1)
    t_s = time.perf_counter() - t0
    res = {
        "graph": f"random 7-regular, {n} users, arcs both ways, p = {p}",
        "k": k,
        "cynetdiff_celf": {"seconds": t_c, "spread": judge(graph, p, c_seeds, runs)},
        "smmsim_imm": {
            "seconds": t_i, "spread": judge(graph, p, imm.nodes, runs),
            "rr_sets": imm.samples["rr_sets"],
        },
        "smmsim_celf": {
            "seconds": t_s, "spread": judge(graph, p, celf.nodes, runs),
            "evaluations": celf.samples["evaluations"],
        },
    }  # fmt: skip
    res["time_ratio_imm"] = t_i / t_c
    res["time_ratio_celf"] = t_s / t_c
    print(f"\nCELF example graph, p = {p}:")
    for key in ("cynetdiff_celf", "smmsim_imm", "smmsim_celf"):
        r = res[key]
        m, h = r["spread"]
        print(f"  {key:<16} {r['seconds']:8.2f} s   spread {m:8.2f} ± {h:.2f}")
    print(f"  time ratios to CyNetDiff: IMM {res['time_ratio_imm']:.4f}, "
          f"CELF {res['time_ratio_celf']:.3f}")  # fmt: skip
    return res


# --------------------------------------------------------------------------- Facebook
def section_facebook(ps, runs: int) -> list[dict]:
    graph = smmsim.facebook()
    out = []
    for p in ps:
        sc = ic_scenario(p)
        row = {"p": p, "k": 10}
        print(f"\nSNAP Facebook (4,039 users), p = {p}, 10 seeds, {runs:,} fresh runs:")
        for method in ("imm", "top_degree", "degree_discount", "pagerank", "kcore", "random"):
            t0 = time.perf_counter()
            ch = choose_seeds(sc, k=10, method=method, epsilon=EPS, graph=graph, threads=2)
            secs = time.perf_counter() - t0
            m, h = judge(graph, p, ch.nodes, runs)
            row[method] = {"seconds": secs, "spread": [m, h], "seeds": ch.labels}
            print(f"  {method:<16} {m:9.2f} ± {h:6.2f}   ({secs:.2f} s)")
        out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="celf,facebook,imm")
    ap.add_argument("--p", type=float, nargs="*", default=None)
    ap.add_argument("--k", type=int, default=K_BIG)
    ap.add_argument("--eps", type=float, default=EPS)
    ap.add_argument("--runs", type=int, default=2000, help="fresh runs per seed set")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per IMM process")
    ap.add_argument("--max-gb", type=float, default=12.0)
    ap.add_argument("--threads", type=int, default=2, help="smmsim's threads for IMM")
    ap.add_argument("--n", type=int, default=BA_N, help="users of the imm section's audience")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    set_audience_size(args.n)
    if args.worker:
        p = args.p[0] if args.p else 0.01
        out = worker(args.worker, p, args.k, args.eps, args.threads)
        print(json.dumps(out), flush=True)
        return
    print(f"# bench_seeds on {machine()}, load {loadavg():.2f}, pid {os.getpid()}")
    only = set(args.only.split(","))
    results: dict = {"machine": machine()}
    if "celf" in only:
        results["celf"] = section_celf(0.1, args.runs)
    if "facebook" in only:
        results["facebook"] = section_facebook(args.p or [0.01, 0.05], args.runs)
    if "imm" in only:
        results["imm"] = section_imm(
            args.p or [0.01, 0.05], 1000, args.timeout, args.max_gb, args.threads
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=float) + "\n")


if __name__ == "__main__":
    main()
