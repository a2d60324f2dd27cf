"""Per-run metrics derived from the raw counts, computed in one pass.

Small cascades make the per-run arithmetic (shares beyond the seeds, K-factor, cost,
ROI, ...) as costly as simulating them when it is done one numpy operation at a time,
each with its own temporaries; here every derived column is filled in a single loop.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels.funnel import (
    C_CONVERSIONS,
    C_EARNED_REACH,
    C_IMPRESSIONS,
    C_PAID_IMPRESSIONS,
    C_PENDING,
    C_REACH,
    C_REFERRAL_CONVERSIONS,
    C_SEEDS,
    C_SHARES,
)


@jit
def derived_columns(counts, cost_rows, media_cost, revenue_per_conversion, cpm, viral_cut):
    """Derived metrics of every run (see :data:`smmsim.metrics.METRICS`).

    ``counts`` is the ``(R, N_COUNTS)`` count table; ``cost_rows`` the seeding cost of
    each run (or one value for all); ``media_cost`` the paid media cost of each run (or
    empty). Returns ``earned_impressions, paid_reach, earned_shares, direct_conversions,
    k_factor, viral, cost, revenue, roi, earned_media_value``, with numpy's arithmetic
    (``k_factor`` is 0 without sharers, ``roi`` NaN for a campaign that cost nothing).
    """
    n = counts.shape[0]
    earned_imp = np.empty(n, dtype=np.int64)
    paid_reach = np.empty(n, dtype=np.int64)
    earned_shares = np.empty(n, dtype=np.int64)
    direct_conv = np.empty(n, dtype=np.int64)
    k_factor = np.empty(n, dtype=np.float64)
    viral = np.empty(n, dtype=np.int64)
    cost = np.empty(n, dtype=np.float64)
    revenue = np.empty(n, dtype=np.float64)
    roi = np.empty(n, dtype=np.float64)
    emv = np.empty(n, dtype=np.float64)
    shared_cost = cost_rows.shape[0] == 1
    has_media = media_cost.shape[0] > 0
    for i in range(n):
        e_imp = counts[i, C_IMPRESSIONS] - counts[i, C_PAID_IMPRESSIONS]
        earned_imp[i] = e_imp
        paid_reach[i] = counts[i, C_REACH] - counts[i, C_EARNED_REACH]
        shares = counts[i, C_SHARES]
        e_shares = shares - counts[i, C_SEEDS]
        earned_shares[i] = e_shares
        direct_conv[i] = counts[i, C_CONVERSIONS] - counts[i, C_REFERRAL_CONVERSIONS]
        if shares > 0:
            k_factor[i] = float(e_shares + counts[i, C_PENDING]) / float(shares)
        else:
            k_factor[i] = 0.0
        viral[i] = 1 if e_shares >= viral_cut else 0
        c = cost_rows[0] if shared_cost else cost_rows[i]
        if has_media:
            c = c + media_cost[i]
        cost[i] = c
        rev = float(counts[i, C_CONVERSIONS]) * revenue_per_conversion
        revenue[i] = rev
        roi[i] = (rev - c) / c if c > 0 else np.nan
        emv[i] = float(e_imp) / 1000.0 * cpm
    return (
        earned_imp,
        paid_reach,
        earned_shares,
        direct_conv,
        k_factor,
        viral,
        cost,
        revenue,
        roi,
        emv,
    )
