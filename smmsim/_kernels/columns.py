"""Per-run metrics derived from the raw counts, computed by compiled loops.

Small cascades make the per-run arithmetic (shares beyond the seeds, new sharers per
sharer, cost, ROI, payback, ...) as costly as simulating them when it is done one numpy
operation at a time, each with its own temporaries; here the derived columns are filled
in a few compiled loops.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit
from smmsim._kernels import layout as K

#: Rows of the integer and float outputs of :func:`derived_columns`, in order.
INT_COLUMNS = ("earned_impressions", "paid_reach", "earned_shares", "direct_conversions", "viral")
FLOAT_COLUMNS = (
    "new_sharers_per_sharer",
    "cost",
    "revenue",
    "roi",
    "earned_media_value",
    "pays_back",
)


@jit
def derived_columns(
    counts, cost_rows, media_cost, revenue_per_conversion, cpm, viral_cut, ints, floats
):
    """Derived metrics of every run (see :data:`smmsim.metrics.METRICS`).

    ``counts`` is the ``(R, N_COUNTS)`` count table; ``cost_rows`` the seeding cost of
    each run (or one value for all); ``media_cost`` the paid media cost of each run (or
    empty). Fills ``ints`` (``(5, R)``, rows :data:`INT_COLUMNS`) and ``floats``
    (``(6, R)``, rows :data:`FLOAT_COLUMNS`) with numpy's arithmetic
    (``new_sharers_per_sharer`` is 0 without sharers; ``roi`` and ``pays_back`` are NaN
    for a campaign that cost nothing, ``pays_back`` is 1.0 when ``roi > 0``, else 0.0).
    """
    n = counts.shape[0]
    impressions = counts[:, K.C_IMPRESSIONS]
    paid = counts[:, K.C_PAID_IMPRESSIONS]
    shares = counts[:, K.C_SHARES]
    conversions = counts[:, K.C_CONVERSIONS]
    # one loop a column: each reads two or three columns and vectorises, where one loop
    # over the rows would keep two dozen columns in flight at once
    for i in range(n):
        ints[0, i] = impressions[i] - paid[i]
    for i in range(n):
        ints[1, i] = counts[i, K.C_REACH] - counts[i, K.C_EARNED_REACH]
    for i in range(n):
        ints[2, i] = shares[i] - counts[i, K.C_SEEDS]
    for i in range(n):
        ints[3, i] = conversions[i] - counts[i, K.C_REFERRAL_CONVERSIONS]
    for i in range(n):
        ints[4, i] = 1 if ints[2, i] >= viral_cut else 0
    for i in range(n):
        s = shares[i]
        floats[0, i] = float(ints[2, i] + counts[i, K.C_PENDING]) / float(s) if s > 0 else 0.0
    shared_cost = cost_rows.shape[0] == 1
    has_media = media_cost.shape[0] > 0
    for i in range(n):
        c = cost_rows[0] if shared_cost else cost_rows[i]
        floats[1, i] = c + media_cost[i] if has_media else c
    for i in range(n):
        floats[2, i] = float(conversions[i]) * revenue_per_conversion
    for i in range(n):
        c = floats[1, i]
        if c > 0:
            roi = (floats[2, i] - c) / c
            floats[3, i] = roi
            floats[5, i] = 1.0 if roi > 0 else 0.0
        else:
            floats[3, i] = np.nan
            floats[5, i] = np.nan
    for i in range(n):
        floats[4, i] = float(ints[0, i]) / 1000.0 * cpm
