"""smmsim against an earlier commit of itself, side by side in one process.

Usage::

    python benchmarks/bench_commits.py --before f959213            # every case
    python benchmarks/bench_commits.py --before HEAD~3 --only ic_p01,sir
    python benchmarks/bench_commits.py --before f959213 --json out/commits.json

The earlier commit's ``smmsim`` package is taken out of git (``git archive``) into a
temporary folder under the name ``smmsim_before`` (its imports renamed), so both
versions load in the same interpreter. Each case builds its audience with each version's
own generator (same seed: the same graph), checks that both versions give the same
per-run table, then times ``simulate()`` of each, interleaved repeat by repeat (the
order alternates), on 1 and 2 threads. Reported: median seconds per call (wall and
process CPU) and the median of the within-repeat ratios after / before: 1.00 is no
change, above 1 slower. Timing both in one process, alternately, takes the machine's
drift out of the ratio; a busy machine still widens its spread, so each ratio comes with
its lowest and highest repeat.

Cases (the workloads of the model benchmarks):

``ic_p05``, ``ic_p01``
    Independent cascade on a Barabasi-Albert audience (1,000,000 users, m = 5) from the
    same 10 random users (``bench_ic.py``'s Monte Carlo section), p = 0.05 (large
    cascades) and p = 0.01 (small ones: the per-run bookkeeping shows).
``lt_fractional``, ``lt_weighted``
    The linear threshold model on the same audience (``bench_threshold_models.py``).
``complex``
    The complex contagion scenario shipped in ``scenarios/`` (large cascades).
``sir``
    Continuous-time SIR on Erdos-Renyi, 100,000 users, <k> = 10, T = 0.3 (``bench_sir.py``).
``bass``
    The Bass model with ads and word of mouth, 100,000 users (``bench_bass.py``'s ``bass``).
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BA_N, BA_M = 1_000_000, 5
SEEDS = 10


def load_before(rev: str, into: Path):
    """Commit ``rev``'s smmsim package, importable as ``smmsim_before``."""
    blob = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "smmsim"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(into, filter="data")
    pkg = into / "smmsim_before"
    (into / "smmsim").rename(pkg)
    for path in pkg.rglob("*.py"):
        text = path.read_text()
        for old, new in (("smmsim.", "smmsim_before."), ("smmsim ", "smmsim_before ")):
            text = text.replace(f"from {old}", f"from {new}").replace(
                f"import {old}", f"import {new}"
            )
        text = text.replace('"smmsim.', '"smmsim_before.').replace("'smmsim.", "'smmsim_before.")
        path.write_text(text)
    sys.path.insert(0, str(into))
    return importlib.import_module("smmsim_before")


def random_seeds(n: int, seed: int = 2024) -> list[int]:
    return [int(s) for s in np.sort(np.random.default_rng(seed).choice(n, SEEDS, replace=False))]


def ic_case(p: float, steps: int, runs: int):
    def build(pkg):
        from importlib import import_module

        scenario = import_module(pkg.__name__ + ".scenario").default_scenario()
        gen = import_module(pkg.__name__ + ".generators")
        g = gen.barabasi_albert(BA_N, BA_M, rng=2024)
        sc = scenario.with_overrides(
            {
                "audience.n": BA_N,
                "audience.m": BA_M,
                "content.visibility": p,
                "content.stickiness": 1.0,
                "content.contagion": 1.0,
                "funnel.conversion": 0.0,
                "seeding.strategy": "nodes",
                "seeding.nodes": random_seeds(BA_N),
                "simulation.steps": steps,
            }
        )
        return sc, g

    return build, runs


def lt_case(weighted: bool, runs: int):
    def build(pkg):
        from importlib import import_module

        scenario = import_module(pkg.__name__ + ".scenario").default_scenario()
        gen = import_module(pkg.__name__ + ".generators")
        g = gen.barabasi_albert(BA_N, BA_M, rng=2024)
        if weighted:
            graph_mod = import_module(pkg.__name__ + ".graph")
            w = 1.0 / g.in_degree()[g.indices].astype(np.float64)
            g = graph_mod.CSRGraph(g.indptr, g.indices, directed=g.directed, weights=w, name="lt")
        sc = scenario.with_overrides(
            {
                "model": "social_proof",
                "audience.n": BA_N,
                "audience.m": BA_M,
                "content.visibility": 1.0,
                "social_proof.threshold": {"distribution": "uniform", "low": 0.0, "high": 1.0},
                "social_proof.weighted": weighted,
                "funnel.conversion": 0.0,
                "seeding.strategy": "nodes",
                "seeding.nodes": random_seeds(BA_N),
                "simulation.steps": 100,
            }
        )
        return sc, g

    return build, runs


def shipped_case(name: str, runs: int):
    def build(pkg):
        return pkg.load_scenario(ROOT / "scenarios" / f"{name}.yaml"), None

    return build, runs


def sir_case(runs: int):
    def build(pkg):
        from importlib import import_module

        scenario = import_module(pkg.__name__ + ".scenario").default_scenario()
        gen = import_module(pkg.__name__ + ".generators")
        n = 100_000
        g = gen.erdos_renyi(n, 10.0, rng=2024)
        t = 0.3
        sc = scenario.with_overrides(
            {
                "audience.generator": "erdos_renyi",
                "audience.n": n,
                "model": "sir",
                "sir.beta": t / (1 - t),
                "sir.gamma": 1.0,
                "sir.dt": 1.0,
                "seeding.strategy": "nodes",
                "seeding.nodes": [
                    int(s) for s in np.random.default_rng(2024).choice(n, 5, replace=False)
                ],
                "funnel.conversion": 0.0,
                "simulation.steps": 100,
            }
        )
        return sc, g

    return build, runs


def bass_case(runs: int):
    def build(pkg):
        from importlib import import_module

        scenario = import_module(pkg.__name__ + ".scenario").default_scenario()
        n = 100_000
        sc = scenario.with_overrides(
            {
                "model": "bass",
                "audience.n": n,
                "audience.m": BA_M,
                "bass.p": 0.03,
                "bass.q": 0.38,
                "bass.seeded": True,
                "seeding.strategy": "nodes",
                "seeding.nodes": random_seeds(n),
                "simulation.steps": 52,
            }
        )
        return sc, None

    return build, runs


CASES = {
    "ic_p05": ic_case(0.05, 200, 2_000),
    "ic_p01": ic_case(0.01, 50, 200_000),
    "lt_fractional": lt_case(False, 20_000),
    "lt_weighted": lt_case(True, 20_000),
    "complex": shipped_case("complex_contagion_challenge", 300),
    "sir": sir_case(40),
    "bass": bass_case(40),
}


def timed(fn, *args, **kwargs):
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - w, time.process_time() - c


def run_case(name, versions, repeats, threads):
    build, runs = CASES[name]
    built = {label: build(pkg) for label, pkg in versions.items()}
    sims = {label: pkg.simulate for label, pkg in versions.items()}

    def call(label, th, seed, n):
        sc, g = built[label]
        kw = {} if g is None else {"graph": g}
        return sims[label](sc, runs=n, rng=seed, threads=th, **kw)

    tables = [call(label, 1, 7, min(runs, 200)).runs for label in versions]
    same = tables[0].equals(tables[1])
    row = {"case": name, "runs": runs, "same_runs_table": bool(same)}
    for th in threads:
        for label in versions:
            call(label, th, 1, min(runs, 50))  # warm
        t = {label: [] for label in versions}
        ratios = []
        for r in range(repeats):
            order = list(versions) if r % 2 == 0 else list(versions)[::-1]
            got = {}
            for label in order:
                _, wall, cpu = timed(call, label, th, 100 + r, runs)
                t[label].append((wall, cpu))
                got[label] = wall
            ratios.append(got["after"] / got["before"])
        row[f"{th}t"] = {
            label: {
                "wall_s": float(np.median([w for w, _ in t[label]])),
                "cpu_s": float(np.median([c for _, c in t[label]])),
            }
            for label in versions
        } | {"ratio": float(np.median(ratios)), "ratio_range": [min(ratios), max(ratios)]}
        lo, hi = min(ratios), max(ratios)
        b, a = row[f"{th}t"]["before"]["wall_s"], row[f"{th}t"]["after"]["wall_s"]
        print(
            f"{name:14s} {th} thread{'s' if th > 1 else ' '} {runs:>8,} runs: before {b:8.3f} s, "
            f"after {a:8.3f} s, after/before {np.median(ratios):.3f} [{lo:.3f}, {hi:.3f}]"
            + ("" if same else "  (RUNS TABLES DIFFER)"),
            flush=True,
        )
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", required=True, help="the earlier commit (any git revision)")
    ap.add_argument("--only", default=",".join(CASES), help="comma-separated cases")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", default="1,2", help="thread counts, comma-separated")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    import smmsim

    with tempfile.TemporaryDirectory() as tmp:
        before = load_before(args.before, Path(tmp))
        versions = {"before": before, "after": smmsim}
        threads = [int(x) for x in args.threads.split(",")]
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        print(f"before: {args.before}; after: the working tree ({rev}); {args.repeats} repeats")
        rows = [run_case(name, versions, args.repeats, threads) for name in args.only.split(",")]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"before": args.before, "after": rev, "cases": rows}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
