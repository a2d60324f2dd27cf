"""Competing contents: what a false claim and the brand's rebuttal cost the engine, and
the wall time of the crisis curve.

Usage::

    python benchmarks/bench_competition.py                  # both sections (10 to 15 minutes)
    python benchmarks/bench_competition.py --quick          # smoke size (under a minute)
    python benchmarks/bench_competition.py --only ba --repeats 5 --runs 1000
    python benchmarks/bench_competition.py --threads 1 --json out/competition.json

Sections:

``ba``
    A Barabasi-Albert audience of 1,000,000 users (m = 5, the audience of ``bench_ic.py``,
    built once and passed as ``graph=``), a realistic crisis: the brand's post from 10
    random users spreads (transmissibility above the audience's threshold: a large share
    of the runs go viral), a false claim from 5 random accounts appears at step 1 and
    spreads faster, and the brand's rebuttal goes out from its seeds 3 steps later.
    Three calls of ``simulate()`` with the same runs and seed, after an untimed warm-up
    call of each (compile and first-touch costs excluded), interleaved repeat by repeat
    in rotating order:

    * ``brand alone``: the scenario without the competing sections (the default engine,
      ``model: ewom``, kernel ``smmsim._kernels.ewom``);
    * ``compete kernel, brand alone``: the same scenario through the compete kernel
      (``Competition.from_scenario(...).without_claim()`` passed as ``model=``), so that
      the kernel's own cost shows apart from the extra contents';
    * ``brand + claim + rebuttal``: the scenario with its ``claim:`` and ``response:``.

    Reported: milliseconds per run (median over repeats, wall and simulate()'s own batch
    loop), the median of the within-repeat ratios to the brand alone (bar: brand + claim
    + rebuttal at most 2.5x), the impressions each content makes per run, and the cost
    per impression, which tells the kernel's speed apart from the amount of work the
    scenario asks for.
``crisis``
    ``smmsim.crisis`` of ``scenarios/crisis_facebook.yaml`` (SNAP ego-Facebook, 4,039
    users) for the delays 0, 2, 4, 8, 16 with 1,000 runs: seven ``simulate()`` calls (the
    baseline without the claim, the claim unanswered, one per delay). The cold call is
    the first in a fresh process (audience built, kernels loaded from numba's on-disk
    cache), timed in a subprocess; the warm calls repeat it in this process (two fewer
    repeats than the ``ba`` section, at least one, after an untimed small call).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _peers import format_table, loadavg, machine, median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import smmsim  # noqa: E402
from smmsim.generators import barabasi_albert  # noqa: E402
from smmsim.models.competition import Competition  # noqa: E402
from smmsim.scenario import default_scenario  # noqa: E402

BAR = 2.5  # brand + claim + rebuttal over the brand alone, at most
BA_N = (1_000_000, 100_000)  # (full, quick)
BA_M = 5
BA_RUNS = (500, 100)
BA_SEEDS = 10
CRISIS_SCENARIO = ROOT / "scenarios" / "crisis_facebook.yaml"
CRISIS_DELAYS = (0, 2, 4, 8, 16)
CRISIS_RUNS = (1_000, 100)

#: The brand's post (``content``), the claim and the rebuttal of the ``ba`` section.
BRAND = {"visibility": 0.3, "stickiness": 0.35, "contagion": 0.5}
CLAIM = {
    "k": 5,
    "strategy": "random",
    "launch": 1,
    "visibility": 0.3,
    "stickiness": 0.4,
    "contagion": 0.6,
    "damage": 0.7,
    "ignore": 0.5,
}
RESPONSE = {
    "delay": 3,
    "accounts": "brand",
    "visibility": 0.3,
    "stickiness": 0.3,
    "contagion": 0.5,
    "inoculation": 0.6,
    "correction": 0.3,
}
#: The same crisis with a claim exactly as catchy as the brand's post (its work then
#: matches the brand's, so the ratio shows the engine's cost rather than the claim's size).
EVEN_CLAIM = {**CLAIM, **BRAND}
STEPS = 120


def log(msg: str = "") -> None:
    print(msg, flush=True)


def ba_scenarios(n: int):
    """The brand alone and brand + claim + rebuttal on the ``n``-user audience."""
    rng = np.random.default_rng(2024)
    seeds = [int(s) for s in np.sort(rng.choice(n, BA_SEEDS, replace=False))]
    alone = default_scenario().with_overrides(
        {
            "audience.n": n,
            "audience.m": BA_M,
            **{f"content.{k}": v for k, v in BRAND.items()},
            "seeding.strategy": "nodes",
            "seeding.nodes": seeds,
            "simulation.steps": STEPS,
        }
    )
    crisis = alone.with_overrides(
        {
            **{f"claim.{k}": v for k, v in CLAIM.items()},
            **{f"response.{k}": v for k, v in RESPONSE.items()},
        }
    )
    even = crisis.with_overrides({f"claim.{k}": v for k, v in EVEN_CLAIM.items()})
    return alone, crisis, even


def impressions(res) -> dict[str, float]:
    """Mean impressions per run of each content (the rebuttal is the brand's voice less
    its post)."""
    runs = res.runs
    out = {"brand": float(runs["impressions"].mean())}
    if "claim_voice_impressions" in runs:
        out["claim"] = float(runs["claim_voice_impressions"].mean())
        out["rebuttal"] = float(runs["brand_voice_impressions"].mean()) - out["brand"]
    return out


def section_ba(n: int, runs: int, repeats: int, threads: int, seed: int) -> dict:
    t0 = time.perf_counter()
    graph = barabasi_albert(n, BA_M, rng=2024)
    log(f"\n## Barabasi-Albert audience: {n:,} users, m = {BA_M}, {graph.indices.size:,} arcs")
    log(f"   (built in {time.perf_counter() - t0:.1f} s, once; passed to every call as graph=)")
    alone, crisis, even = ba_scenarios(n)
    kernel_alone = Competition.from_scenario(crisis).without_claim()
    t_brand = BRAND["visibility"] * BRAND["stickiness"] * BRAND["contagion"]
    t_claim = CLAIM["visibility"] * CLAIM["stickiness"] * CLAIM["contagion"]
    t_rebut = RESPONSE["visibility"] * RESPONSE["stickiness"] * RESPONSE["contagion"]
    log(f"brand:    {BRAND} (T = {t_brand:.4f}), {BA_SEEDS} random seed users, funnel default")
    log(f"claim:    {CLAIM} (T = {t_claim:.4f})")
    log(
        f"response: {RESPONSE} (T = {t_rebut:.4f}; "
        f"out at step {CLAIM['launch'] + RESPONSE['delay']})"
    )
    log(
        f"{runs:,} runs per call, seed {seed}, {threads} thread(s), steps {STEPS}, "
        f"{repeats} repeats"
    )
    variants = {
        "brand alone (ewom kernel)": (alone, {}),
        "brand alone, compete kernel": (alone, {"model": kernel_alone}),
        "brand + claim + rebuttal": (crisis, {}),
        "same, claim as catchy as brand": (even, {}),
    }
    names = list(variants)

    def call(name, n_runs, rng):
        sc, kw = variants[name]
        return smmsim.simulate(sc, graph=graph, runs=n_runs, rng=rng, threads=threads, **kw)

    for name in names:  # warm-up: compile (or load) the kernels, touch the workspaces
        t0 = time.perf_counter()
        call(name, min(runs, 50), seed + 1)
        log(f"warm-up {name}: {time.perf_counter() - t0:.1f} s")
    # per variant and repeat: the whole call, its own batch loop (simulate()'s
    # timing["simulate_s"]) and the damage baseline simulate() runs after a claim
    wall = {k: [] for k in names}
    loop = {k: [] for k in names}
    base = {k: [] for k in names}
    ratios = {k: ([], []) for k in names}
    last = {}
    for r in range(repeats):
        order = names[r % len(names) :] + names[: r % len(names)]
        got = {}
        for name in order:
            t0 = time.perf_counter()
            res = call(name, runs, seed)
            got[name] = (time.perf_counter() - t0, res.timing["simulate_s"])
            wall[name].append(got[name][0])
            loop[name].append(got[name][1])
            base[name].append(res.timing.get("damage_baseline_s", 0.0))
            last[name] = res
        for name in names:
            ratios[name][0].append(got[name][0] / got[names[0]][0])
            ratios[name][1].append(got[name][1] / got[names[0]][1])
        log(
            f"repeat {r + 1}: "
            + ", ".join(f"{k.split(' (')[0]} {got[k][0]:.2f} s" for k in names)
            + f"  (load {loadavg():.2f})"
        )
    for name, res in last.items():
        pending = int(res.runs["pending_shares"].sum())
        if pending:
            log(f"WARNING: {name}: {pending} shares still pending at step {STEPS}")

    def per_run(xs):
        return 1e3 * median(xs) / runs

    def span(xs):
        return f"{median(xs):.2f} [{min(xs):.2f}, {max(xs):.2f}]"

    rows = []
    out = {"n": n, "runs": runs, "threads": threads, "seed": seed, "steps": STEPS, "variants": {}}
    ref = None
    for name in names:
        res = last[name]
        imp = impressions(res)
        total = sum(imp.values())
        # the cost of an impression: the variant's own batch loop over its impressions
        ns = 1e9 * median(loop[name]) / (runs * total)
        ref = ns if ref is None else ref
        viral = float(res.runs["viral"].mean())
        rows.append(
            [
                name,
                f"{per_run(wall[name]):.2f}",
                f"{per_run(base[name]):.2f}",
                f"{per_run(loop[name]):.2f}",
                span(ratios[name][0]),
                span(ratios[name][1]),
                " / ".join(f"{imp.get(k, 0.0) / 1e3:.1f}" for k in ("brand", "claim", "rebuttal")),
                f"{total / 1e3:.1f}",
                f"{ns:.0f}",
                f"{ns / ref:.2f}",
                f"{viral:.2f}",
            ]
        )
        out["variants"][name] = {
            "wall_s": wall[name],
            "loop_s": loop[name],
            "damage_baseline_s": base[name],
            "ms_per_run": per_run(wall[name]),
            "loop_ms_per_run": per_run(loop[name]),
            "damage_baseline_ms_per_run": per_run(base[name]),
            "ratio": median(ratios[name][0]),
            "ratio_range": [min(ratios[name][0]), max(ratios[name][0])],
            "loop_ratio": median(ratios[name][1]),
            "loop_ratio_range": [min(ratios[name][1]), max(ratios[name][1])],
            "impressions_per_run": imp,
            "ns_per_impression": ns,
            "viral_share": viral,
        }
    log("")
    log(
        format_table(
            [
                "variant",
                "ms/run",
                "damage base",
                "own loop",
                "x alone, call [min, max]",
                "x alone, own loop",
                "k impr/run brand/claim/rebut",
                "k impr",
                "ns/impr",
                "x",
                "viral",
            ],
            rows,
        )
    )
    log(
        "ms/run: the whole simulate() call; damage base: the run of the same scenario "
        "without the claim\nthat simulate() adds for the damage columns; own loop: the "
        "variant's batch loop (kernel and\nper-batch tables); ns/impr: own loop per "
        f"impression of every content, wall time on {threads} thread(s)"
    )
    v = out["variants"]
    ewom_ = v[names[0]]
    kern, full = v[names[1]], v[names[2]]
    work = sum(full["impressions_per_run"].values()) / sum(ewom_["impressions_per_run"].values())
    out.update(bar=BAR, work_ratio=work)
    out["meets_bar"] = full["ratio"] <= BAR
    out["meets_bar_own_loop"] = full["loop_ratio"] <= BAR
    log(
        f"\nbar: brand + claim + rebuttal at most {BAR}x the brand alone: "
        f"{full['ratio']:.2f}x as called ({'met' if out['meets_bar'] else 'NOT met'}), "
        f"{full['loop_ratio']:.2f}x without the damage baseline "
        f"({'met' if out['meets_bar_own_loop'] else 'NOT met'})"
    )
    log(
        f"the compete kernel on the brand alone: {kern['loop_ratio']:.2f}x the ewom kernel "
        f"({kern['ns_per_impression'] / ewom_['ns_per_impression']:.2f}x per impression); "
        f"the claim and the rebuttal make {work:.2f}x the impressions of the brand alone, at "
        f"{full['ns_per_impression'] / kern['ns_per_impression']:.2f}x the compete kernel's "
        "cost per impression on the brand alone"
    )
    even = v[names[3]]
    log(
        f"with a claim as catchy as the brand's post: {even['ratio']:.2f}x as called, "
        f"{even['loop_ratio']:.2f}x without the damage baseline "
        f"({'met' if even['loop_ratio'] <= BAR else 'NOT met'} without it)"
    )
    out["small"] = small_runs(graph, alone, runs * 20, repeats, threads, seed)
    return out


def small_runs(graph, alone, runs: int, repeats: int, threads: int, seed: int) -> dict:
    """The fixed cost of a run: the brand alone at visibility 0.001 (the seeds' posts
    and almost nothing else), on the ewom kernel and on the compete kernel."""
    small = alone.with_overrides({"content.visibility": 0.001})
    variants = {"ewom kernel": {}, "compete kernel": {"model": Competition.from_scenario(small)}}

    def call(name, n_runs):
        return smmsim.simulate(
            small, graph=graph, runs=n_runs, rng=seed, threads=threads, **variants[name]
        )

    for name in variants:
        call(name, 100)
    times = {k: [] for k in variants}
    for r in range(repeats):
        for name in list(variants)[:: 1 if r % 2 == 0 else -1]:
            times[name].append(call(name, runs).timing["simulate_s"])
    us = {k: 1e6 * median(v) / runs for k, v in times.items()}
    log(
        f"\nfixed cost of a run (visibility 0.001, {runs:,} runs, batch loop): "
        + ", ".join(f"{k} {v:.1f} us" for k, v in us.items())
        + f" ({us['compete kernel'] / us['ewom kernel']:.2f}x)"
    )
    return {"runs": runs, "us_per_run": us, "loop_s": times}


COLD = """
import json, sys, time
t0 = time.perf_counter()
import smmsim
from smmsim.crisis import crisis
t1 = time.perf_counter()
sc = smmsim.load_scenario(sys.argv[1])
delays = [int(d) for d in sys.argv[2].split(",")]
crisis(sc, delays, runs=int(sys.argv[3]), threads=int(sys.argv[4]))
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "first_call_s": t2 - t1}))
"""


def section_crisis(runs: int, repeats: int, threads: int) -> dict:
    from smmsim.crisis import crisis

    delays = ",".join(str(d) for d in CRISIS_DELAYS)
    log(f"\n## smmsim.crisis: {CRISIS_SCENARIO.relative_to(ROOT)}, delays {delays}")
    log(f"{runs:,} runs per variant, 7 simulate() calls (baseline, unanswered, 5 delays), "
        f"{threads} thread(s)")  # fmt: skip
    cmd = [sys.executable, "-c", COLD, str(CRISIS_SCENARIO), delays, str(runs), str(threads)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    try:
        cold = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        cold = {"error": (done.stderr or done.stdout).strip()[-400:]}
    scenario = smmsim.load_scenario(CRISIS_SCENARIO)
    crisis(scenario, CRISIS_DELAYS, runs=min(runs, 50), threads=threads)  # warm
    warm, loops = [], []
    for r in range(repeats):
        t0 = time.perf_counter()
        c = crisis(scenario, CRISIS_DELAYS, runs=runs, threads=threads)
        warm.append(time.perf_counter() - t0)
        done = [c.baseline, c.unanswered, *c.answered.values()]
        loops.append(sum(res.timing["simulate_s"] for res in done))
        log(f"repeat {r + 1}: {warm[-1]:.2f} s  (load {loadavg():.2f})")
    w = median(warm)
    rows = [
        [
            "warm (median)",
            f"{w:.2f}",
            f"{1e3 * w / (7 * runs):.3f}",
            f"{min(warm):.2f}-{max(warm):.2f}",
        ]
    ]
    lp = median(loops)
    rows.append(["  of which the 7 batch loops", f"{lp:.2f}", f"{1e3 * lp / (7 * runs):.3f}", ""])
    if "first_call_s" in cold:
        f = cold["first_call_s"]
        rows.append(
            ["cold (first call, fresh process)", f"{f:.2f}", f"{1e3 * f / (7 * runs):.3f}", ""]
        )
        rows.append(["  import smmsim, smmsim.crisis", f"{cold['import_s']:.2f}", "", ""])
    else:
        log(f"cold call failed: {cold['error']}")
    log("")
    log(format_table(["crisis() call", "wall s", "ms per run and variant", "range"], rows))
    t = c.table
    log(
        "\n"
        + t[["damage", "damage_low", "damage_high", "claim_reach", "believers"]]
        .round(1)
        .to_string()
    )
    return {"runs": runs, "threads": threads, "delays": list(CRISIS_DELAYS), "warm_s": warm,
            "loops_s": loops, "cold": cold}  # fmt: skip


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default="ba,crisis", help="sections, comma-separated: ba, crisis")
    ap.add_argument("--quick", action="store_true", help="smoke size: 100,000 users, 100 runs")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--repeats", type=int, default=None, help="default 5 (quick: 3); crisis: two fewer"
    )
    ap.add_argument("--runs", type=int, default=None, help="runs per call of the ba section")
    ap.add_argument("--crisis-runs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    q = 1 if args.quick else 0
    repeats = args.repeats or (3 if q else 5)
    only = args.only.split(",")
    command = "python benchmarks/bench_competition.py " + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    log(f"# {command.strip()}")
    log(
        f"# {machine()}, load {loadavg():.2f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    results: dict = {"command": command.strip(), "machine": machine()}
    if "ba" in only:
        results["ba"] = section_ba(
            BA_N[q], args.runs or BA_RUNS[q], repeats, args.threads, args.seed
        )
    if "crisis" in only:
        results["crisis"] = section_crisis(
            args.crisis_runs or CRISIS_RUNS[q], max(1, repeats - 2), args.threads
        )
    log(f"\nreproduce: {command.strip()}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=float) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
