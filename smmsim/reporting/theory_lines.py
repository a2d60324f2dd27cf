"""Theory beside simulation in the run report: the same events, named, and where theory fails.

Theory and simulation count different things unless the report makes them count the
same one. Two events are kept apart here:

* **large cascade** (theory's event): a cascade that keeps growing until a finite share
  of the audience has shared. Theory gives its probability for the scenario's own seeds
  and its size; the simulated runs are sorted with a *cut* halfway, on a log scale,
  between theory's small cascade (the expected sharers when no large cascade starts)
  and its large one, ``sqrt(small x large)`` sharers. When a large cascade is not at
  least four times a small one (a small audience, or a barely viral content) the runs
  cannot be sorted and the report says so instead of guessing.
* **viral** (the simulation's event): earned sharers at least ``simulation.viral_fraction``
  of the audience. A run can go viral without a large cascade (several seeds' small
  cascades add up) and a large cascade can fall short of the cut, so it is printed on
  its own line with its definition in words, next to what theory expects from these
  seeds without a large cascade.

Where the audience or the model breaks an assumption of the theory in use, one sentence
with the measured figure says so: clustering, degree correlations, hubs, a small
audience, novelty decay, a horizon the cascades outlast, a model without a closed form.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from smmsim.reporting.calendar import duration_text, moment_text

if TYPE_CHECKING:
    from smmsim.results import Results

__all__ = ["audience_caveats", "comparison_lines", "large_cascade_cut", "viral_cut"]

#: A large cascade must be this many times a small one for runs to be sorted by size.
SEPARATION = 4.0
#: Below this many users an audience is "small" for theory's large-audience limit.
SMALL_AUDIENCE = 5_000
#: Measured transitivity above which the audience is not tree-like.
CLUSTERED = 0.05
#: Degree assortativity beyond which degree correlations are named.
CORRELATED = 0.1
#: Share of the excess-degree mass on the top 1% of users that makes hubs worth naming.
HUBS = 0.5
#: A large cascade reaching less of the audience than this is "barely large".
THIN = 0.05


def viral_cut(viral_fraction: float, n: int) -> int:
    """Earned sharers that make a run viral: ``ceil(viral_fraction x n)``, at least 1."""
    return max(1, math.ceil(viral_fraction * n))


def large_cascade_cut(small: float | None, large: float | None) -> int | None:
    """Sharers at which a run counts as a large cascade, or ``None`` when theory's small
    and large cascades are too close in size (or either is unknown) to sort runs."""
    if small is None or large is None or not (small > 0 and large > 0):
        return None
    if not (math.isfinite(small) and large >= SEPARATION * small):
        return None
    return math.ceil(math.sqrt(small * large))


def _pct(p: float) -> str:
    return f"{p:.1%}"


def _fraction_text(vf: float) -> str:
    return f"{vf * 100:.3g}%"


def _wilson(k: int, n: int) -> tuple[float, float]:
    from smmsim.metrics import wilson_interval

    return wilson_interval(k / n if n else 0.0, n)


def _count(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:.1f}"


def comparison_lines(res: Results) -> list[str]:
    """Theory and simulation side by side, each line naming the event it counts."""
    th, s, sc = res.theory, res.summary, res.scenario
    n = int(res.audience["n"])
    vf = float(sc["simulation"]["viral_fraction"])
    vcut = viral_cut(vf, n)
    lines: list[str] = []
    seeding = th.get("seeding_text", "these seeds")

    large, small = th.get("large_size"), th.get("expected_small")
    p_large = th.get("p_large")
    if p_large is not None and large:
        cut = large_cascade_cut(small, large)
        if cut is not None:
            shares = res.runs["shares"].to_numpy()
            hits = int((shares >= cut).sum())
            lo, hi = _wilson(hits, shares.size)
            lines.append(
                f"Large cascade (theory's event: it grows until about {large:,.0f} users "
                f"share): theory {_pct(p_large)} from {seeding}; simulated "
                f"{_pct(hits / shares.size)} of runs (95% CI {_pct(lo)} - {_pct(hi)}) "
                f"reached {cut:,} sharers, the cut halfway on a log scale between a small "
                f"cascade (about {_count(small)} sharers) and a large one."
            )
        else:
            lines.append(
                f"Large cascade (theory's event: it grows until about {large:,.0f} users "
                f"share): theory {_pct(p_large)} from {seeding}; in this audience a large "
                f"cascade is not much bigger than a small one (about "
                f"{_count(small) if small else 'n/a'} sharers), so runs cannot be told apart "
                "by size and none are counted."
            )
    expected = th.get("expected_sharers")
    if expected is None and p_large is not None and not large and small is not None:
        expected = small  # below threshold every cascade is small
    if expected is not None and "shares" in s.index:
        r = s.loc["shares"]
        how = th.get("expected_text", "tree approximation, cascades to their end")
        lines.append(
            f"Sharers per run (seeds included): theory expects {_count(expected)} from "
            f"{seeding}, by the {how}; simulated mean {_count(r['mean'])} "
            f"(95% CI {_count(r.ci_low)} - {_count(r.ci_high)})."
        )
    if "viral" in s.index:
        v = s.loc["viral"]
        viral = (
            f"Went viral (earned sharers >= {vcut:,}, {_fraction_text(vf)} of {n:,} users) "
            f"in {_pct(v['mean'])} of runs (95% CI {_pct(v.ci_low)} - {_pct(v.ci_high)})"
        )
        note = _viral_note(th, vcut, large)
        lines.append(viral + (f"; {note}" if note else "") + ".")
    return lines


def _viral_note(th: dict[str, Any], vcut: int, large: float | None) -> str:
    """How the viral cut relates to what theory expects from these seeds."""
    k = int(th.get("seeding_k") or 0)
    small = th.get("expected_small")
    if th.get("expected_sharers") is not None and not (th.get("p_large") and large):
        small = th["expected_sharers"]
    if small is None or not math.isfinite(small):
        return ""
    earned = max(small - k, 0.0)
    if th.get("p_large") and large:
        head = f"without a large cascade theory expects about {_count(earned)} earned sharers"
        if earned >= vcut:
            return head + ", above the viral cut: these seeds' small cascades can reach it"
        if large - k >= vcut:
            return head + ", below the viral cut, so most viral runs should be large cascades"
        return head + ", and a large cascade is below the viral cut too"
    side = "above" if earned >= vcut else "below"
    return f"theory's mean is about {_count(earned)} earned sharers, {side} the viral cut"


def audience_caveats(res: Results) -> list[str]:
    """Sentences on where the audience or the model breaks the theory's assumptions."""
    th = res.theory
    own = th.get("caveats")  # the model's own sentences, one string
    out = [own] if own else []
    if not th or th.get("mean_field"):
        return out
    n = int(res.audience["n"])
    st = th
    if st.get("transitivity") is not None:
        t, t0 = st.get("transitivity"), st.get("random_transitivity")
        if t is not None and t >= CLUSTERED and t > 2 * (t0 or 0.0):
            out.append(
                f"The audience is clustered: transitivity {t:.2f} (about {t0:.2g} for a "
                "random audience with these degrees); theory assumes friends of a sharer "
                "are rarely friends of each other, so it does not count the repeat "
                "impressions, or the reinforcement, that closed triangles bring."
            )
        r = st.get("assortativity")
        ne = st.get("neighbour_excess")
        excess = res.audience.get("excess") or 0.0
        shift = ne / excess - 1.0 if ne and excess > 0 else 0.0
        if (r is not None and abs(r) >= CORRELATED) or abs(shift) >= CORRELATED:
            kind = "alike" if (r or 0.0) > 0 else "unlike"
            out.append(
                f"Degrees are correlated (assortativity {r:+.2f}: tied users have {kind} "
                f"numbers of ties): a user two ties from a sharer has {ne:.1f} further ties "
                f"on average, against the {excess:.1f} of degrees alone that theory uses, "
                f"so a cascade grows about {abs(shift):.0%} "
                f"{'more' if shift > 0 else 'less'} per generation than theory's."
            )
    hubs = th.get("hubs")
    excess = res.audience.get("excess")
    # hubs matter where cascades grow as a branching process (the compartmental model
    # used under novelty decay runs out of hubs by itself)
    growing = (th.get("k_factor") or 0.0) > 1 and not th.get("decay")
    if growing and hubs is not None and hubs >= HUBS and excess:
        top = max(1, math.ceil(0.01 * n))
        out.append(
            f"{hubs:.0%} of the audience's mean excess degree ({excess:.1f}) rests on its "
            f"{top:,} best-connected users: theory's branching draws every follower afresh "
            "from the degree distribution, while a finite audience holds each hub once."
        )
    large = th.get("large_size") or 0.0
    if th.get("p_large") and 0 < large < THIN * n:
        out.append(
            f"A large cascade here reaches only {large / n:.1%} of the audience (about "
            f"{large:,.0f} users): this close to the threshold its size varies widely from "
            "run to run in a finite audience, so the cut sorts some runs into the wrong "
            "group."
        )
    if n < SMALL_AUDIENCE:
        out.append(
            f"The audience is small ({n:,} users): theory's sizes and probabilities are "
            "limits for a large audience; at this size cascades run out of users early and "
            "small and large cascades overlap in size."
        )
    step = th.get("below_threshold_step")
    if th.get("decay") and step != 0:  # below threshold from launch, decay breaks nothing
        hl = th.get("half_life")
        line = res.timeline
        when = (
            f"K is at most 1 from {moment_text(line, step)} on"
            if step is not None
            else "K falls toward 0"
        )
        out.append(
            f"Novelty decay halves T every {duration_text(line, hl, 'g')} and {when}: no "
            "cascade grows "
            "without bound, and theory gives an expected number of sharers (with T "
            "falling each step), not a probability of a large cascade."
        )
    pending = _pending_share(res)
    if pending:
        steps = res.scenario["simulation"]["steps"]
        horizon = f"{steps:,} steps" if not res.timeline.calendar else res.timeline.span(steps)
        out.append(
            f"In {pending:.0%} of runs the cascade was still spreading when the horizon "
            f"({horizon}) ended; theory counts cascades to their end."
        )
    return out


def _pending_share(res: Results) -> float:
    """Fraction of runs with users still about to share at the horizon."""
    s = res.summary
    if "pending_shares" not in s.index or not s.loc["pending_shares", "mean"] > 0:
        return 0.0
    pending = res.runs["pending_shares"].to_numpy()
    return float((pending > 0).mean())
