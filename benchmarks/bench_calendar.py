"""A content calendar on a million users: what ten posts cost against one.

Usage::

    python benchmarks/bench_calendar.py                    # 1,000,000 users, 1,000 runs
    python benchmarks/bench_calendar.py --quick            # 100,000 users, 100 runs
    python benchmarks/bench_calendar.py --runs 500 --repeats 3 --threads 1
    python benchmarks/bench_calendar.py --json out/calendar.json

The Barabasi-Albert audience of ``bench_ic.py`` (1,000,000 users, m = 5), built once and
passed as ``graph=``. Content: visibility 0.3, stickiness 0.35, contagion 0.5 (T = 0.0525,
above the audience's threshold, as in ``bench_competition.py``), half-life 8 steps; each
post from 10 random users (drawn afresh every run); 80 steps. Four ``simulate()`` calls
with the same runs and seed, each warmed up first, interleaved repeat by repeat in
rotating order:

* ``one post``: the scenario without ``posts:`` (the default engine, kernel
  ``smmsim._kernels.ewom``);
* ``one post, calendar kernel``: the same post through the calendar kernel (a post at
  step 0 with a cost of its own, which the default engine does not take), so that the
  kernel's own cost shows apart from the extra posts';
* ``10 posts``: a post every 7 steps from step 0 to step 63;
* ``10 posts, fatigue 0.02``: the same with ``content.fatigue: 0.02``.

Reported: runs per second and milliseconds per run (median over repeats, wall), the
median of the within-repeat ratios to ``one post``, the impressions a run makes, and the
cost per impression (which separates the kernel's speed from the amount of work).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import format_table, loadavg, machine, median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import smmsim  # noqa: E402
from smmsim.generators import barabasi_albert  # noqa: E402
from smmsim.scenario import default_scenario, scenario_from_dict  # noqa: E402

N = (1_000_000, 100_000)  # (full, quick)
M = 5
RUNS = (1_000, 100)
STEPS = 80
POSTS = 10
EVERY = 7
CONTENT = {"visibility": 0.3, "stickiness": 0.35, "contagion": 0.5, "half_life": 8}


def scenarios(n: int) -> dict[str, object]:
    base = default_scenario().to_dict()
    base["audience"] = {"generator": "barabasi_albert", "n": n, "m": M, "rng_seed": 1}
    base["content"] = dict(CONTENT)
    base["seeding"] = {"strategy": "random", "k": 10, "nodes": None}
    base["simulation"] = dict(base["simulation"], steps=STEPS)
    base["posts"] = None
    calendar = [{"name": f"week {i + 1}", "at": EVERY * i} for i in range(POSTS)]
    out = {
        "one post": base,
        "one post, calendar kernel": dict(base, posts=[{"at": 0, "cost": 1.0}]),
        "10 posts": dict(base, posts=calendar),
        "10 posts, fatigue 0.02": dict(base, posts=calendar, content=dict(CONTENT, fatigue=0.02)),
    }
    return {name: scenario_from_dict(data) for name, data in out.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="100,000 users, 100 runs")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    q = int(args.quick)
    n = N[q]
    runs = args.runs or RUNS[q]
    print(f"machine: {machine()}; load {loadavg():.2f}")
    t0 = time.perf_counter()
    graph = barabasi_albert(n, M, rng=1)
    print(f"audience: Barabasi-Albert n={n:,} m={M} built in {time.perf_counter() - t0:.1f} s")
    cases = scenarios(n)
    for sc in cases.values():  # compile, first touch, degree statistics
        smmsim.simulate(sc, graph=graph, runs=min(runs, 20), rng=args.seed, threads=args.threads)
    times: dict[str, list[float]] = {name: [] for name in cases}
    ratios: dict[str, list[float]] = {name: [] for name in cases}
    impressions: dict[str, float] = {}
    names = list(cases)
    for rep in range(args.repeats):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        took = {}
        for name in order:
            t = time.perf_counter()
            res = smmsim.simulate(
                cases[name], graph=graph, runs=runs, rng=args.seed, threads=args.threads
            )
            took[name] = time.perf_counter() - t
            impressions[name] = res.mean("impressions")
        for name in names:
            times[name].append(took[name])
            ratios[name].append(took[name] / took["one post"])
        print(f"repeat {rep + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in took.items()))
    rows = []
    report = {"n": n, "runs": runs, "repeats": args.repeats, "threads": args.threads, "cases": {}}
    for name in names:
        wall = median(times[name])
        per_imp = wall / (runs * impressions[name]) * 1e9 if impressions[name] else float("nan")
        rows.append(
            (
                name,
                f"{runs / wall:,.0f}",
                f"{1e3 * wall / runs:.2f}",
                f"{median(ratios[name]):.2f}x",
                f"{impressions[name]:,.0f}",
                f"{per_imp:.0f}",
            )
        )
        report["cases"][name] = {
            "runs_per_s": runs / wall,
            "ms_per_run": 1e3 * wall / runs,
            "ratio_to_one_post": median(ratios[name]),
            "impressions_per_run": impressions[name],
            "ns_per_impression": per_imp,
        }
    header = ("case", "runs/s", "ms/run", "vs one post", "impressions/run", "ns/impression")
    print(format_table(header, rows))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
