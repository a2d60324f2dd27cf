"""What the ledger records, by name: user-state flags and the columns of its outputs.

Plain constants, no numba: the models and metrics read these names without loading the
compiler (``smmsim validate`` never does). :mod:`smmsim._kernels.ledger` records into
these layouts; see it for how. The spread parameters (``P_*``) are the columns the
default, calendar and competing-contents kernels' parameters begin with.
"""

from __future__ import annotations

# --- user-state flags: the low bits of a user's per-replicate state word. Every
# kernel uses these values; a kernel's own extra states take MODEL_FLAG_A and
# MODEL_FLAG_B (its docstring says what they mean there).
REACHED = 1  # saw the content at least once (a seed is not reached by its own post)
ENGAGED = 2
SHARER = 4  # shares (or has shared) the content
SEED = 8
REFERRED = 16  # first exposure came from a peer, not from the brand
CONVERTED = 32
MODEL_FLAG_A = 64
MODEL_FLAG_B = 128
#: Bits a state word reserves for the flags above.
FLAG_BITS = 8
FLAG_MASK = (1 << FLAG_BITS) - 1

#: How a content spreads: the first columns of a content's parameters in the default,
#: calendar and competing-contents kernels (``params[P_*]``, ``params[p, P_*]``,
#: ``params[c, P_*]``), each kernel's own columns after them. ``half_life`` is in steps
#: (0: stickiness does not decay).
P_VISIBILITY = 0
P_STICKINESS = 1
P_CONTAGION = 2
P_HALF_LIFE = 3

#: Columns of the per-replicate count table, in order.
COUNT_COLUMNS = (
    "impressions",
    "paid_impressions",
    "reach",
    "earned_reach",
    "engaged",
    "engagements",
    "shares",
    "seeds",
    "pending_shares",
    "conversions",
    "referral_conversions",
)
N_COUNTS = len(COUNT_COLUMNS)
(
    C_IMPRESSIONS,
    C_PAID_IMPRESSIONS,
    C_REACH,
    C_EARNED_REACH,
    C_ENGAGED,
    C_ENGAGEMENTS,
    C_SHARES,
    C_SEEDS,
    C_PENDING,
    C_CONVERSIONS,
    C_REFERRAL_CONVERSIONS,
) = range(N_COUNTS)
#: Columns of the per-replicate run table after the counts: cascade depth (last step
#: with new sharers), peak step, step rows written, first step row in the events, then
#: each segment's tallies (segment ``i``'s column ``k`` at ``R_SEGMENTS + i *
#: N_SEGMENT_COLUMNS + k``).
R_DEPTH = N_COUNTS
R_PEAK = N_COUNTS + 1
R_USED = N_COUNTS + 2
R_EV_START = N_COUNTS + 3
R_SEGMENTS = N_COUNTS + 4

#: Columns of the per-step series (new events in the step), in order.
SERIES_COLUMNS = ("impressions", "reach", "engagements", "shares", "conversions")
N_SERIES = len(SERIES_COLUMNS)
T_IMPRESSIONS, T_REACH, T_ENGAGEMENTS, T_SHARES, T_CONVERSIONS = range(N_SERIES)

#: Per-segment tallies of each replicate, in order (see the ledger's per-user hooks).
#: Each is the breakdown of the count of the same name (:data:`SEGMENT_OF_COUNT`), and
#: every user is in one segment: a replicate's tallies over its segments add up to its
#: count. ``shares`` counts the users who shared, seeds included, as the count does.
SEGMENT_COLUMNS: tuple[str, ...] = (
    "impressions",
    "reach",
    "earned_reach",
    "engaged",
    "shares",
    "conversions",
    "referral_conversions",
)
N_SEGMENT_COLUMNS = len(SEGMENT_COLUMNS)
(
    S_IMPRESSIONS,
    S_REACH,
    S_EARNED_REACH,
    S_ENGAGED,
    S_SHARES,
    S_CONVERSIONS,
    S_REFERRAL_CONVERSIONS,
) = range(N_SEGMENT_COLUMNS)
#: The count column each per-segment tally breaks down.
SEGMENT_OF_COUNT = tuple(COUNT_COLUMNS.index(name) for name in SEGMENT_COLUMNS)
