"""What competing contents did, run by run: share of voice, the claim, the response and
customer service, from the tallies of :mod:`smmsim._kernels.compete`.

Share of voice is each owner's share of all impressions (and of all users who engaged
with some content): the brand's voice is its post and its rebuttal, as a brand's
mentions would be counted. The claim is contained from the step after its last new
believer (the *containment step*). Customer service's response rate is the share of
users who engaged with the brand's post that it answered; response times are in steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from smmsim._kernels import compete_layout as T

__all__ = ["mean_ci", "voice_columns", "voice_summary"]

#: z for the 95% intervals of means.
Z95 = 1.959963984540054


def _owner_steps(tallies: np.ndarray, layout: list[int], steps: int) -> np.ndarray:
    """``(runs, steps, owners, 2)``: impressions and newly engaged users per step."""
    at = layout[T.L_STEPS]
    block = tallies[:, at : at + steps * T.N_OWNERS * 2]
    return block.reshape(len(tallies), steps, T.N_OWNERS, 2)


def voice_columns(
    tallies: np.ndarray,
    layout: list[int],
    contents: list[str],
    steps: int,
    brand_engaged: np.ndarray,
    service: bool = False,
    segment_names: tuple[str, ...] | None = None,
) -> dict[str, np.ndarray]:
    """Per-run columns of the competition (one entry a run).

    Parameters
    ----------
    tallies : ndarray of int64, shape (runs, width)
    layout : list of int
        :func:`~smmsim._kernels.compete_layout.tally_layout` of the scenario.
    contents : list of str
        Owner of each content in kernel order (``"rebuttal"`` for the rebuttal).
    steps : int
    brand_engaged : ndarray
        Users who engaged with the brand's post in each run (for the response rate).
    service : bool
        Whether the scenario has customer service (its columns are added).
    segment_names : tuple of str, optional
        Names of the audience's segments: with segments, each segment's brand
        conversions, claim reach and believers are columns too (``conversions[name]``,
        ``claim_reach[name]``, ``believers[name]``; the brand's reach by segment is in
        the run's segment tallies already).
    """
    fixed = layout[T.L_FIXED]
    per_step = _owner_steps(tallies, layout, steps)
    impressions = per_step[:, :, :, 0].sum(axis=1)
    engaged = per_step[:, :, :, 1].sum(axis=1)
    total_i = impressions.sum(axis=1)
    total_e = engaged.sum(axis=1)
    out: dict[str, np.ndarray] = {}
    present = {("brand" if c == "rebuttal" else c) for c in contents}
    with np.errstate(invalid="ignore", divide="ignore"):
        for o, owner in enumerate(T.OWNERS):
            if owner not in present:
                continue
            out[f"{owner}_voice_impressions"] = impressions[:, o]
            out[f"{owner}_voice_engaged"] = engaged[:, o]
            out[f"{owner}_share_of_voice"] = np.where(
                total_i > 0, impressions[:, o] / total_i, np.nan
            )
            out[f"{owner}_share_of_engaged"] = np.where(
                total_e > 0, engaged[:, o] / total_e, np.nan
            )
    for c, who in enumerate(contents):
        if who == "brand":
            continue
        col = c * T.N_CONTENT_COLUMNS
        out[f"{who}_reach"] = tallies[:, col + T.Q_REACH]
        out[f"{who}_engaged"] = tallies[:, col + T.Q_ENGAGED]
        out[f"{who}_sharers"] = tallies[:, col + T.Q_SHARERS]
        if who == "competitor":
            out["competitor_conversions"] = tallies[:, col + T.Q_CONVERSIONS]
    if "claim" in contents:
        out["believers"] = tallies[:, fixed + T.F_BELIEVERS]
        out["believers_ever"] = tallies[:, fixed + T.F_BELIEVERS_EVER]
        last = tallies[:, fixed + T.F_LAST_BELIEVER]
        out["containment_step"] = np.where(last >= 0, last + 1, np.nan)
    if "rebuttal" in contents:
        out["corrected"] = tallies[:, fixed + T.F_CORRECTED]
        out["inoculated"] = tallies[:, fixed + T.F_INOCULATED]
        step = tallies[:, fixed + T.F_REBUTTAL_STEP]
        out["rebuttal_step"] = np.where(step >= 0, step, np.nan)
    replies = tallies[:, fixed + T.F_REPLIES]
    if service:
        out["replies"] = replies
        out["replies_in_time"] = tallies[:, fixed + T.F_IN_TIME]
        with np.errstate(invalid="ignore", divide="ignore"):
            out["response_rate"] = np.where(brand_engaged > 0, replies / brand_engaged, np.nan)
            out["response_time"] = np.where(
                replies > 0, tallies[:, fixed + T.F_DELAY_SUM] / replies, np.nan
            )
    n_seg = layout[T.L_SEGMENTS]
    if n_seg:
        block = segment_block(tallies, layout)
        names = segment_names or tuple(str(g) for g in range(n_seg))
        for g, name in enumerate(names):
            out[f"conversions[{name}]"] = block[:, g, T.G_BRAND_CONVERSIONS]
            if "competitor" in contents:
                out[f"competitor_reach[{name}]"] = block[:, g, 2 * T.OWNER_COMPETITOR]
            if "claim" in contents:
                out[f"claim_reach[{name}]"] = block[:, g, 2 * T.OWNER_CLAIM]
                out[f"believers[{name}]"] = block[:, g, T.G_BELIEVERS]
    return out


def segment_block(tallies: np.ndarray, layout: list[int]) -> np.ndarray:
    """Per-segment tallies, ``(runs, segments, len(T.SEGMENT_TALLIES))``."""
    n_seg = layout[T.L_SEGMENTS]
    at = layout[T.L_SEGS]
    return tallies[:, at : at + n_seg * T.N_SEGMENT_TALLIES].reshape(
        len(tallies), n_seg, T.N_SEGMENT_TALLIES
    )


def mean_ci(x: np.ndarray) -> dict[str, Any]:
    """Mean of the finite values of ``x``, its normal 95% interval and their count."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return {"mean": float("nan"), "ci": [float("nan"), float("nan")], "n": 0}
    m = float(x.mean())
    se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else 0.0
    return {"mean": m, "ci": [m - Z95 * se, m + Z95 * se], "n": int(x.size)}


def delay_quantile(hist: np.ndarray, q: float) -> float:
    """The ``q`` quantile of reply delays (whole steps) from their pooled histogram;
    ``inf`` when it falls in the open last bin, ``nan`` without replies."""
    total = hist.sum()
    if total == 0:
        return float("nan")
    k = int(np.searchsorted(np.cumsum(hist), q * total))
    return float("inf") if k >= T.DELAY_BINS - 1 else float(k)


def voice_summary(
    tallies: np.ndarray,
    layout: list[int],
    contents: list[str],
    steps: int,
    columns: dict[str, np.ndarray],
    segment_names: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The ensemble's account of the competition (what the report and the summary JSON
    show): means with 95% intervals of :func:`voice_columns`, share of voice by step
    (pooled over runs), each content's totals, the reply-delay quantiles and the
    per-segment breakdown."""
    out: dict[str, Any] = {
        "contents": contents,
        "metrics": {name: mean_ci(values) for name, values in columns.items()},
    }
    per_step = _owner_steps(tallies, layout, steps).sum(axis=0)  # (steps, owners, 2)
    used = int(np.nonzero(per_step.sum(axis=(1, 2)))[0].max(initial=-1)) + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        share = per_step[:used, :, 0] / per_step[:used, :, 0].sum(axis=1, keepdims=True)
    out["voice_by_step"] = {
        owner: [float(x) for x in share[:, o]]
        for o, owner in enumerate(T.OWNERS)
        if f"{owner}_voice_impressions" in columns
    }
    out["content_means"] = {
        who: {
            name: float(tallies[:, c * T.N_CONTENT_COLUMNS + k].mean())
            for k, name in enumerate(("impressions", "reach", "engaged", "sharers", "conversions"))
        }
        for c, who in enumerate(contents)
    }
    hist = tallies[:, layout[T.L_HIST] : layout[T.L_HIST] + T.DELAY_BINS].sum(axis=0)
    if hist.sum():
        out["response_time_p90"] = delay_quantile(hist, 0.9)
        out["response_time_median"] = delay_quantile(hist, 0.5)
    n_seg = layout[T.L_SEGMENTS]
    if n_seg:
        means = segment_block(tallies, layout).mean(axis=0)
        names = segment_names or tuple(str(g) for g in range(n_seg))
        out["segments"] = pd.DataFrame(means, columns=list(T.SEGMENT_TALLIES), index=list(names))
    return out
