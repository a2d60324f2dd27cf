"""What a false claim cost the brand: damage against the same scenario without it.

Damage is the brand's conversions lost to the claim: run by run, the conversions of the
scenario without the claim (and without the response to it) minus those with it, on
the same audience with the same runs and seed. The competing-contents kernel draws
every event from its own counter, so a run without the claim differs from the run with
it only where the claim changed what users did, and the paired differences are tight;
with the claim's stickiness at 0 the damage is exactly 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from smmsim.competition.voice import Z95
from smmsim.results import Results

__all__ = ["DAMAGE_METRICS", "damage_of"]

#: The brand's metrics whose loss is reported (conversions first: *the* damage).
DAMAGE_METRICS = ("conversions", "revenue", "reach", "engaged", "roi")


def damage_of(with_claim: Results, without_claim: Results) -> dict[str, Any]:
    """The claim's damage, from two simulations of the same runs and seed.

    Returns
    -------
    dict
        Per metric of :data:`DAMAGE_METRICS` present in both, then the conversions of
        each audience segment (``conversions[name]``): ``lost`` (mean of
        without - with over the runs), ``ci`` (its normal 95% interval), ``without``
        and ``with`` (the two means) and ``n`` (runs paired).
    """
    if with_claim.n_runs != without_claim.n_runs or with_claim.rng_seed != without_claim.rng_seed:
        raise ValueError("damage pairs the runs of two simulations with the same runs and seed")
    a, b = with_claim.runs, without_claim.runs
    out = {}
    by_segment = [c for c in a.columns if c.startswith("conversions[")]
    for metric in (*DAMAGE_METRICS, *by_segment):
        if metric not in a or metric not in b:
            continue
        x = a[metric].to_numpy(dtype=float)
        y = b[metric].to_numpy(dtype=float)
        ok = np.isfinite(x) & np.isfinite(y)
        d = y[ok] - x[ok]
        if d.size == 0:
            continue
        mean = float(d.mean())
        half = Z95 * float(d.std(ddof=1) / np.sqrt(d.size)) if d.size > 1 else 0.0
        out[metric] = {
            "lost": mean,
            "ci": [mean - half, mean + half],
            "without": float(y[ok].mean()),
            "with": float(x[ok].mean()),
            "n": int(d.size),
        }
    return out
