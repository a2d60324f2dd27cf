"""Counter-based random numbers for kernels (SplitMix64).

Each stream is one ``uint64`` state that the caller threads through calls:
``state, u = uniform(state)``. A draw costs a handful of integer operations, far less
than numba's ``np.random``, and a stream is fully determined by its key, so replicates
can run on any thread in any order and give the same numbers.

References
----------
G. L. Steele, D. Lea and C. H. Flood, "Fast splittable pseudorandom number
generators", OOPSLA 2014.
"""

from __future__ import annotations

import numpy as np

from smmsim._config import jit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
S30 = np.uint64(30)
S27 = np.uint64(27)
S31 = np.uint64(31)
S11 = np.uint64(11)
TWO_M53 = 1.0 / 9007199254740992.0  # 2**-53

# Purposes: separate streams so that, for instance, changing the conversion rate
# leaves every cascade exactly as it was (common random numbers). This is the one
# registry of stream purposes: every kernel takes its numbers from here, and
# ``PURPOSES`` (tested for distinct values) lists them all.
PURPOSE_CASCADE = 1
PURPOSE_CONVERSION = 2
PURPOSE_SEEDING = 3
# which followers see each share (the eWOM kernel's geometric gaps): changing stickiness
# or contagion leaves the impressions of the seeds' posts exactly as they were
PURPOSE_IMPRESSION = 4
# the Bass model's ads and the friend credited with each imitation
PURPOSE_ADS = 11
PURPOSE_PARENT = 12
# the threshold models' per-user thresholds
PURPOSE_THRESHOLD = 13
# choosing seeds: the reverse-reachable sets (keyed by set number, not replicate),
# the root of the Monte Carlo runs that choose (never those that judge the choice),
# and the order in which the random strategy meets candidates
PURPOSE_RRSET = 21
PURPOSE_CHOOSING = 22
PURPOSE_RANDOM_ORDER = 23
# competing contents on one audience: one key per replicate, from which every draw is
# made by its own counter (content and tie, or user), so that two variants of a scenario
# (with and without a claim, answered sooner or later) draw the same number for the
# same event
PURPOSE_COMPETE = 31
# a content calendar (several posts of one brand): one key per replicate, from which
# every draw is made by its own counter (post and tie, post and user), so that posts are
# independent of one another and of the order in which their events are met
PURPOSE_CALENDAR = 32
# the audience generators (one stream each, replicate 0)
PURPOSE_ERDOS_RENYI = 101
PURPOSE_BARABASI_ALBERT = 102
PURPOSE_POWERLAW_DEGREES = 103
PURPOSE_POWERLAW_PAIRING = 104
PURPOSE_WATTS_STROGATZ = 105
PURPOSE_SBM = 106

#: Every stream purpose by name.
PURPOSES = {
    name[len("PURPOSE_") :].lower(): value
    for name, value in dict(globals()).items()
    if name.startswith("PURPOSE_")
}


@jit
def mix64(z):
    """SplitMix64 finaliser: a bijective avalanche of a 64-bit word."""
    z = (z ^ (z >> S30)) * MIX1
    z = (z ^ (z >> S27)) * MIX2
    return z ^ (z >> S31)


@jit
def stream_key(root, replicate, purpose):
    """State for stream ``(root, replicate, purpose)``; independent of thread and order."""
    z = mix64(root ^ mix64(np.uint64(replicate) * GOLDEN + np.uint64(purpose)))
    return mix64(z + GOLDEN)


@jit
def next_u64(state):
    """Advance ``state``; return ``(state, 64 random bits)``."""
    state = state + GOLDEN
    return state, mix64(state)


@jit
def uniform(state):
    """Return ``(state, u)`` with ``u`` uniform on the open interval (0, 1)."""
    state = state + GOLDEN
    z = mix64(state)
    return state, (float(z >> S11) + 0.5) * TWO_M53


@jit
def randbelow(state, n):
    """Return ``(state, i)`` with ``i`` uniform on ``0 .. n-1`` (``n`` > 0)."""
    state, u = uniform(state)
    i = np.int64(u * n)
    if i >= n:  # guard against rounding at the top end
        i = n - 1
    return state, i


@jit
def gap_of(u, inv_log_q):
    """Geometric gap for the uniform ``u``: ``floor(log(u) / log(1 - p))``."""
    g = np.log(u) * inv_log_q
    if g > 9.0e18:
        return np.int64(9_000_000_000_000_000_000)
    return np.int64(g)


@jit
def geometric_gap(state, inv_log_q):
    """Number of failures before the next success of a Bernoulli(p) sequence.

    ``inv_log_q`` is ``1 / log(1 - p)`` (negative); for ``p = 1`` pass 0.
    """
    state, u = uniform(state)
    return state, gap_of(u, inv_log_q)


GAP_BITS = 14  # 16,384 buckets of int64: 128 KiB, cache-resident
BUCKET_SHIFT = np.uint64(53 - GAP_BITS)


@jit
def gap_table(inv_log_q):
    """Lookup table that makes :func:`fast_gap` skip the logarithm almost always.

    The 53-bit mantissa source of ``u`` is split into buckets by its top
    ``GAP_BITS`` bits. Where the gap is the same at both ends of a bucket it is the same
    throughout (the gap is monotone in ``u``), and the table stores it; elsewhere it
    stores -1 and :func:`fast_gap` computes the logarithm. The result is therefore
    exactly :func:`geometric_gap`'s, draw for draw.
    """
    size = 1 << GAP_BITS
    tab = np.empty(size, dtype=np.int64)
    width = 1 << (53 - GAP_BITS)
    for i in range(size):
        lo = (float(i * width) + 0.5) * TWO_M53
        hi = (float((i + 1) * width - 1) + 0.5) * TWO_M53
        g_lo = gap_of(lo, inv_log_q)
        g_hi = gap_of(hi, inv_log_q)
        tab[i] = g_lo if g_lo == g_hi else -1
    return tab


@jit
def fast_gap(state, inv_log_q, tab):
    """Same draws as :func:`geometric_gap`, through the table of :func:`gap_table`."""
    state = state + GOLDEN
    m = mix64(state) >> S11
    g = tab[np.int64(m >> BUCKET_SHIFT)]
    if g >= 0:
        return state, g
    return state, gap_of((float(m) + 0.5) * TWO_M53, inv_log_q)


@jit(inline="always")
def substream(key, b):
    """Stream number ``b`` of the stream ``key`` (a replicate's, say): a SplitMix64
    state of its own, read in order or at any position by :func:`draw_at`."""
    return mix64(key ^ mix64(np.uint64(b)))


@jit(inline="always")
def draw_at(slot_key, a):
    """The uniform draw number ``a`` of the stream ``slot_key`` (a :func:`substream`):
    position ``a`` of that SplitMix64 stream, so any draw costs one mix."""
    z = mix64(slot_key + np.uint64(a) * GOLDEN)
    return (float(z >> S11) + 0.5) * TWO_M53


@jit(inline="always")
def chance_at(slot_key, a, p):
    """An event of probability ``p`` on draw ``a`` of a stream (no draw at 0 or 1)."""
    if p >= 1.0:
        return True
    if p <= 0.0:
        return False
    return draw_at(slot_key, a) < p


#: A skip past every tie (impressions that never show).
NO_GAP = np.int64(9_000_000_000_000_000_000)


@jit(inline="always")
def first_skip(state, visibility, gaps, inv_log_q, tab):
    """The ties to pass over before the first impression of a run of follower lists that
    each show with probability ``visibility``: a gap of :func:`fast_gap` (``gaps``),
    none when all show and :data:`NO_GAP` when none does. Returns ``(state, skip)``."""
    if gaps:
        return fast_gap(state, inv_log_q, tab)
    if visibility >= 1.0:
        return state, np.int64(0)
    return state, NO_GAP


@jit(inline="always")
def first_tie(state, a, gaps, inv_log_q, tab):
    """The first of the ties ``a, a + 1, ...`` that shows: ``a`` itself when every tie
    shows (``gaps`` false), else ``a`` plus a gap of :func:`fast_gap`. Returns
    ``(state, j)``."""
    if gaps:
        state, g = fast_gap(state, inv_log_q, tab)
        return state, a + g
    return state, a


@jit(inline="always")
def next_tie(state, j, gaps, inv_log_q, tab):
    """The tie after ``j`` that shows: ``j + 1`` when every tie shows (``gaps`` false),
    else one past a gap of :func:`fast_gap`. Returns ``(state, j)``."""
    if gaps:
        state, g = fast_gap(state, inv_log_q, tab)
        return state, j + g + 1
    return state, j + 1


@jit
def visibility_table(visibility):
    """:func:`gap_table` for impressions that show with probability ``visibility``;
    empty when no gaps are drawn (``visibility`` 0 or 1)."""
    if 0.0 < visibility < 1.0:
        return gap_table(1.0 / np.log1p(-visibility))
    return np.empty(0, dtype=np.int64)
